package cognitoidp

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdminCalls(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	pool := aws.String(testPool)
	out := e.register("xena", "xena@example.com")
	sub := aws.ToString(out.UserSub)

	t.Run("AdminGetUser by username, alias and sub", func(t *testing.T) {
		_, err := e.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: pool, Username: aws.String("xena"),
			UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("warrior")}},
		})
		require.NoError(t, err)
		for _, name := range []string{"xena", "XENA", "warrior", sub} {
			got, err := e.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(name)})
			require.NoError(t, err, name)
			assert.Equal(t, "xena", aws.ToString(got.Username))
			assert.Equal(t, types.UserStatusTypeConfirmed, got.UserStatus)
			assert.True(t, got.Enabled)
			assert.WithinDuration(t, e.clock.Now(), aws.ToTime(got.UserCreateDate), time.Second)
			v, _ := attr(got.UserAttributes, "preferred_username")
			assert.Equal(t, "warrior", v)
			v, _ = attr(got.UserAttributes, "sub")
			assert.Equal(t, sub, v)
		}
	})

	t.Run("wrong pool", func(t *testing.T) {
		_, err := e.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_Nope12345"), Username: aws.String("xena")})
		requireAPIError(t, err, "ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")
		_, err = e.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_Nope12345")})
		requireAPIError(t, err, "ResourceNotFoundException", "")
	})

	t.Run("immutable email", func(t *testing.T) {
		_, err := e.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: pool, Username: aws.String("xena"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("new@example.com")}},
		})
		requireAPIError(t, err, "InvalidParameterException", "Cannot modify the non-mutable attribute email")
	})

	t.Run("disable and enable", func(t *testing.T) {
		auth := e.mustSignIn("xena", testPassword)
		_, err := e.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: aws.String("xena")})
		require.NoError(t, err)
		_, err = e.signIn("xena", testPassword)
		requireAPIError(t, err, "NotAuthorizedException", "User is disabled.")
		_, err = e.refresh(aws.ToString(auth.RefreshToken))
		requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
		_, err = e.getUser(aws.ToString(auth.AccessToken))
		requireAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
		got, err := e.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("xena")})
		require.NoError(t, err)
		assert.False(t, got.Enabled)
		_, err = e.api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: pool, Username: aws.String("xena")})
		require.NoError(t, err)
		e.mustSignIn("xena", testPassword)
	})

	t.Run("AdminUserGlobalSignOut", func(t *testing.T) {
		auth := e.mustSignIn("xena", testPassword)
		_, err := e.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: pool, Username: aws.String("xena")})
		require.NoError(t, err)
		_, err = e.refresh(aws.ToString(auth.RefreshToken))
		requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	})

	t.Run("AdminConfirmSignUp", func(t *testing.T) {
		e.signUp("yuri", "yuri@example.com")
		_, err := e.api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
			UserPoolId: pool, Username: aws.String("yuri"), ClientMetadata: map[string]string{"by": "admin"},
		})
		require.NoError(t, err)
		calls := e.lambda.bySource("PostConfirmation_ConfirmSignUp")
		last := calls[len(calls)-1]
		assert.Equal(t, "yuri", last.Event["userName"])
		assert.Equal(t, map[string]any{"by": "admin"}, last.request()["clientMetadata"])
		_, err = e.api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: pool, Username: aws.String("yuri")})
		requireAPIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
		e.mustSignIn("yuri", testPassword)
		got, err := e.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("yuri")})
		require.NoError(t, err)
		_, verified := attr(got.UserAttributes, "email_verified")
		assert.False(t, verified, "admin confirmation does not verify the email")
	})

	t.Run("AdminDeleteUser", func(t *testing.T) {
		auth := e.mustSignIn("yuri", testPassword)
		_, err := e.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("yuri")})
		require.NoError(t, err)
		_, err = e.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("yuri")})
		requireAPIError(t, err, "UserNotFoundException", "User does not exist.")
		_, err = e.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("yuri")})
		requireAPIError(t, err, "UserNotFoundException", "User does not exist.")
		_, err = e.refresh(aws.ToString(auth.RefreshToken))
		requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	})
}

func TestClientAttributeCalls(t *testing.T) {
	t.Run("GetUser shows the client's readable attributes", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.ReadAttributes = []string{"email"} })
		e.register("zack", "zack@example.com")
		auth := e.mustSignIn("zack", testPassword)
		got, err := e.getUser(aws.ToString(auth.AccessToken))
		require.NoError(t, err)
		names := []string{}
		for _, a := range got.UserAttributes {
			names = append(names, aws.ToString(a.Name))
		}
		assert.Equal(t, []string{"sub", "email"}, names)
		_, has := jwtClaims(t, aws.ToString(auth.IdToken))["email_verified"]
		assert.False(t, has, "the ID token carries readable attributes only")
	})

	t.Run("UpdateUserAttributes respects WriteAttributes", func(t *testing.T) {
		e := newEnv(t)
		e.register("zack", "zack@example.com")
		auth := e.mustSignIn("zack", testPassword)
		_, err := e.api.UpdateUserAttributes(e.ctx(), &cip.UpdateUserAttributesInput{
			AccessToken:    auth.AccessToken,
			UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("zed")}},
		})
		requireAPIError(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
		_, err = e.api.UpdateUserAttributes(e.ctx(), &cip.UpdateUserAttributesInput{
			AccessToken:    auth.AccessToken,
			UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}},
		})
		requireAPIError(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	})

	t.Run("a new email is verified with a code", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.ImmutableAttributes, c.WriteAttributes = nil, nil })
		e.register("zoe", "zoe@example.com")
		auth := e.mustSignIn("zoe", testPassword)
		out, err := e.api.UpdateUserAttributes(e.ctx(), &cip.UpdateUserAttributesInput{
			AccessToken:    auth.AccessToken,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("zoe@new.example")}},
			ClientMetadata: map[string]string{"why": "moved"},
		})
		require.NoError(t, err)
		require.Len(t, out.CodeDeliveryDetailsList, 1)
		assert.Equal(t, "z***@n***", aws.ToString(out.CodeDeliveryDetailsList[0].Destination))
		mails, err := e.svc.Mail("zoe@new.example")
		require.NoError(t, err)
		require.Len(t, mails, 1)
		assert.Equal(t, "UpdateUserAttribute", mails[0].Kind)
		calls := e.lambda.bySource("CustomMessage_UpdateUserAttribute")
		require.Len(t, calls, 1)
		assert.Equal(t, map[string]any{"why": "moved"}, calls[0].request()["clientMetadata"])

		got, err := e.getUser(aws.ToString(auth.AccessToken))
		require.NoError(t, err)
		v, _ := attr(got.UserAttributes, "email_verified")
		assert.Equal(t, "false", v)

		_, err = e.api.VerifyUserAttribute(e.ctx(), &cip.VerifyUserAttributeInput{
			AccessToken: auth.AccessToken, AttributeName: aws.String("email"), Code: aws.String("000000x"),
		})
		requireAPIError(t, err, "CodeMismatchException", "")
		_, err = e.api.GetUserAttributeVerificationCode(e.ctx(), &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: auth.AccessToken, AttributeName: aws.String("email"),
		})
		require.NoError(t, err)
		_, err = e.api.VerifyUserAttribute(e.ctx(), &cip.VerifyUserAttributeInput{
			AccessToken: auth.AccessToken, AttributeName: aws.String("email"), Code: aws.String(e.lastCode("zoe@new.example")),
		})
		require.NoError(t, err)
		got, err = e.getUser(aws.ToString(auth.AccessToken))
		require.NoError(t, err)
		v, _ = attr(got.UserAttributes, "email_verified")
		assert.Equal(t, "true", v)
	})
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	e.register("amy", "amy@example.com")
	e.register("Ben", "ben@example.com")
	e.signUp("cal", "cal@example.com")
	e.signUp("dan", "dan@other.example")
	_, err := e.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(testPool), Username: aws.String("amy")})
	require.NoError(t, err)

	list := func(filter string, limit int32, token *string) (*cip.ListUsersOutput, error) {
		in := &cip.ListUsersInput{UserPoolId: aws.String(testPool), Filter: aws.String(filter), PaginationToken: token}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		return e.api.ListUsers(ctx, in)
	}
	names := func(out *cip.ListUsersOutput) []string {
		var n []string
		for _, u := range out.Users {
			n = append(n, aws.ToString(u.Username))
		}
		return n
	}

	cases := []struct {
		filter string
		want   []string
	}{
		{"", []string{"amy", "Ben", "cal", "dan"}},
		{`cognito:user_status = "UNCONFIRMED"`, []string{"cal", "dan"}},
		{`cognito:user_status = "CONFIRMED"`, []string{"amy", "Ben"}},
		{`email = "ben@example.com"`, []string{"Ben"}},
		{`email = "BEN@example.com"`, []string{"Ben"}},
		{`email ^= "d"`, []string{"dan"}},
		{`username = "ben"`, []string{"Ben"}},
		{`username="amy"`, []string{"amy"}},
		{`status = "Disabled"`, []string{"amy"}},
		{`status = "Enabled"`, []string{"Ben", "cal", "dan"}},
		{`email = "nobody@example.com"`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			out, err := list(tc.filter, 0, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, names(out))
			assert.Nil(t, out.PaginationToken)
		})
	}

	t.Run("users carry status, dates and attributes", func(t *testing.T) {
		out, err := list(`username = "cal"`, 0, nil)
		require.NoError(t, err)
		require.Len(t, out.Users, 1)
		u := out.Users[0]
		assert.Equal(t, types.UserStatusTypeUnconfirmed, u.UserStatus)
		assert.True(t, u.Enabled)
		assert.WithinDuration(t, e.clock.Now(), aws.ToTime(u.UserCreateDate), time.Second)
		v, _ := attr(u.Attributes, "email")
		assert.Equal(t, "cal@example.com", v)
		_, has := attr(u.Attributes, "sub")
		assert.True(t, has)
	})

	t.Run("AttributesToGet", func(t *testing.T) {
		out, err := e.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(testPool), AttributesToGet: []string{"email"}, Filter: aws.String(`username = "cal"`)})
		require.NoError(t, err)
		require.Len(t, out.Users, 1)
		assert.Len(t, out.Users[0].Attributes, 1)
	})

	t.Run("pages", func(t *testing.T) {
		var all []string
		var token *string
		for range 10 {
			out, err := list("", 3, token)
			require.NoError(t, err)
			all = append(all, names(out)...)
			token = out.PaginationToken
			if token == nil {
				break
			}
		}
		assert.Equal(t, []string{"amy", "Ben", "cal", "dan"}, all)

		out, err := list(`cognito:user_status = "UNCONFIRMED"`, 1, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"cal"}, names(out))
		require.NotNil(t, out.PaginationToken)
		out, err = list(`cognito:user_status = "UNCONFIRMED"`, 1, out.PaginationToken)
		require.NoError(t, err)
		assert.Equal(t, []string{"dan"}, names(out))
		assert.Nil(t, out.PaginationToken)
	})

	for _, bad := range []string{`email = ben@example.com`, `email "x"`, `= "x"`, `email = "a"b"`} {
		t.Run("bad filter "+bad, func(t *testing.T) {
			_, err := list(bad, 0, nil)
			requireAPIError(t, err, "InvalidParameterException", "Error while parsing filter.")
		})
	}
	t.Run("unsearchable attribute", func(t *testing.T) {
		_, err := list(`locale = "en"`, 0, nil)
		requireAPIError(t, err, "InvalidParameterException", "")
	})
	t.Run("limit above 60", func(t *testing.T) {
		_, err := list("", 61, nil)
		requireAPIError(t, err, "InvalidParameterException", "")
	})
}
