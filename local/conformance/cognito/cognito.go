// Package cognito is the conformance suite of an Amazon Cognito user pool
// and app client as onair configures them (email required and
// auto-verified, USER_PASSWORD_AUTH and refresh, PreventUserExistenceErrors):
// sign-up and confirmation, sign-in, refresh, passwords, attributes,
// sign-out, token revocation and the admin calls, checked against
// local/internal/cognitoidp in `make test` and against AWS with -tags
// awsconformance.
package cognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Pool is the user pool and app client the suite uses, with the pool's
// settings above.
type Pool struct {
	ID       string
	ClientID string
	// Code returns the newest code mailed to address. nil when the target's
	// mail cannot be read (AWS): the cases that need a code skip.
	Code func(ctx context.Context, address string) (string, error)
}

type suite struct {
	target conformance.Target
	pool   Pool
	c      *cip.Client
}

// Run runs every case against target and pool. Each case signs up its own
// users (named target.Prefix-…) and deletes them.
func Run(t *testing.T, target conformance.Target, pool Pool) {
	s := &suite{target: target, pool: pool, c: cip.NewFromConfig(target.Config)}
	conformance.RunCases(t, []conformance.Case{
		{Name: "SignUpAndConfirm", Run: s.signUpAndConfirm},
		{Name: "SignIn", Run: s.signIn},
		{Name: "Refresh", Run: s.refresh},
		{Name: "ChangePassword", Run: s.changePassword},
		{Name: "ForgotPassword", Run: s.forgotPassword},
		{Name: "Attributes", Run: s.attributes},
		{Name: "SignOut", Run: s.signOut},
		{Name: "Admin", Run: s.admin},
		{Name: "DeleteUser", Run: s.deleteUser},
	})
}

type user struct {
	name, email, password, sub string
}

const password = "Passw0rd!conf"

// signUp signs a new user up (unconfirmed) and deletes it at the end.
func (s *suite) signUp(t *testing.T) (user, *cip.SignUpOutput) {
	t.Helper()
	name := strings.ReplaceAll(s.target.Unique("user"), "-", "_")
	u := user{name: name, email: name + "@example.com", password: password}
	out, err := s.c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name),
		Password: aws.String(u.password), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}}})
	require.NoError(t, err)
	u.sub = aws.ToString(out.UserSub)
	t.Cleanup(func() {
		_, _ = s.c.AdminDeleteUser(context.WithoutCancel(t.Context()), &cip.AdminDeleteUserInput{UserPoolId: aws.String(s.pool.ID), Username: aws.String(u.name)})
	})
	return u, out
}

// confirmed signs a user up and confirms it (AdminConfirmSignUp).
func (s *suite) confirmed(t *testing.T) user {
	t.Helper()
	u, _ := s.signUp(t)
	_, err := s.c.AdminConfirmSignUp(t.Context(), &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(s.pool.ID), Username: aws.String(u.name)})
	require.NoError(t, err)
	return u
}

func (s *suite) auth(t *testing.T, name, pw string) (*types.AuthenticationResultType, error) {
	t.Helper()
	out, err := s.c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.pool.ClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": pw}})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func (s *suite) mustAuth(t *testing.T, u user) *types.AuthenticationResultType {
	t.Helper()
	res, err := s.auth(t, u.name, u.password)
	require.NoError(t, err)
	require.NotNil(t, res)
	return res
}

func (s *suite) code(t *testing.T, address string) string {
	t.Helper()
	if s.pool.Code == nil {
		t.Skip("needs the code Cognito mails; this target's mail cannot be read")
	}
	code, err := s.pool.Code(t.Context(), address)
	require.NoError(t, err)
	require.Regexp(t, `^\d{6}$`, code)
	return code
}

func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

func attr(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func (s *suite) signUpAndConfirm(t *testing.T) {
	u, out := s.signUp(t)
	assert.False(t, out.UserConfirmed)
	assert.Regexp(t, uuidPattern, u.sub)
	require.NotNil(t, out.CodeDeliveryDetails)
	assert.Equal(t, types.DeliveryMediumTypeEmail, out.CodeDeliveryDetails.DeliveryMedium)
	assert.Equal(t, "email", aws.ToString(out.CodeDeliveryDetails.AttributeName))
	assert.NotContains(t, aws.ToString(out.CodeDeliveryDetails.Destination), u.name, "the destination is masked")

	_, err := s.c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(strings.ToUpper(u.name)),
		Password: aws.String(password), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}}})
	conformance.RequireCode(t, err, "UsernameExistsException")
	_, err = s.c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name + "x"),
		Password: aws.String("short"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}}})
	conformance.RequireCode(t, err, "InvalidPasswordException")

	_, err = s.auth(t, u.name, u.password)
	conformance.RequireCode(t, err, "UserNotConfirmedException")

	resent, err := s.c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name)})
	require.NoError(t, err)
	require.NotNil(t, resent.CodeDeliveryDetails)
	assert.Equal(t, types.DeliveryMediumTypeEmail, resent.CodeDeliveryDetails.DeliveryMedium)

	code := s.code(t, u.email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = s.c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name), ConfirmationCode: aws.String(wrong)})
	conformance.RequireCode(t, err, "CodeMismatchException")
	_, err = s.c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name), ConfirmationCode: aws.String(code)})
	require.NoError(t, err)

	res := s.mustAuth(t, u)
	got, err := s.c.GetUser(t.Context(), &cip.GetUserInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	assert.Equal(t, u.name, aws.ToString(got.Username))
	assert.Equal(t, u.sub, attr(got.UserAttributes, "sub"))
	assert.Equal(t, u.email, attr(got.UserAttributes, "email"))
	assert.Equal(t, "true", attr(got.UserAttributes, "email_verified"), "confirming by the mailed code verifies the email")
}

func (s *suite) signIn(t *testing.T) {
	u := s.confirmed(t)
	res := s.mustAuth(t, u)
	assert.Equal(t, "Bearer", aws.ToString(res.TokenType))
	assert.EqualValues(t, 3600, res.ExpiresIn)
	require.NotEmpty(t, aws.ToString(res.RefreshToken))

	id := claims(t, aws.ToString(res.IdToken))
	assert.Equal(t, "id", id["token_use"])
	assert.Equal(t, s.pool.ClientID, id["aud"])
	assert.Equal(t, u.sub, id["sub"])
	assert.Equal(t, u.name, id["cognito:username"])
	assert.Equal(t, u.email, id["email"])
	assert.True(t, strings.HasSuffix(id["iss"].(string), "/"+s.pool.ID), "iss %v", id["iss"])
	access := claims(t, aws.ToString(res.AccessToken))
	assert.Equal(t, "access", access["token_use"])
	assert.Equal(t, s.pool.ClientID, access["client_id"])
	assert.Equal(t, u.name, access["username"])

	// Usernames are case-insensitive in onair's pool.
	_, err := s.auth(t, strings.ToUpper(u.name), u.password)
	require.NoError(t, err)

	_, err = s.auth(t, u.name, "Wrong0rd!pass")
	conformance.RequireCode(t, err, "NotAuthorizedException")
	// PreventUserExistenceErrors: an unknown user looks like a wrong password.
	_, err = s.auth(t, u.name+"nobody", u.password)
	conformance.RequireCode(t, err, "NotAuthorizedException")
}

func (s *suite) refresh(t *testing.T) {
	u := s.confirmed(t)
	res := s.mustAuth(t, u)
	out, err := s.c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.pool.ClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
	require.NoError(t, err)
	r := out.AuthenticationResult
	require.NotNil(t, r)
	assert.NotEmpty(t, aws.ToString(r.AccessToken))
	assert.NotEmpty(t, aws.ToString(r.IdToken))
	assert.Empty(t, aws.ToString(r.RefreshToken), "refresh does not rotate the refresh token")
	assert.Equal(t, u.sub, claims(t, aws.ToString(r.IdToken))["sub"])

	_, err = s.c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.pool.ClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": "not-a-token"}})
	conformance.RequireCode(t, err, "NotAuthorizedException")

	// RevokeToken ends the refresh token (and its access tokens).
	_, err = s.c.RevokeToken(t.Context(), &cip.RevokeTokenInput{ClientId: aws.String(s.pool.ClientID), Token: res.RefreshToken})
	require.NoError(t, err)
	_, err = s.c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.pool.ClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
	conformance.RequireCode(t, err, "NotAuthorizedException")
}

func (s *suite) changePassword(t *testing.T) {
	u := s.confirmed(t)
	res := s.mustAuth(t, u)
	_, err := s.c.ChangePassword(t.Context(), &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String("Wrong0rd!pass"), ProposedPassword: aws.String("N3w!password")})
	conformance.RequireCode(t, err, "NotAuthorizedException")
	_, err = s.c.ChangePassword(t.Context(), &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String(u.password), ProposedPassword: aws.String("weak")})
	conformance.RequireCode(t, err, "InvalidPasswordException")
	_, err = s.c.ChangePassword(t.Context(), &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String(u.password), ProposedPassword: aws.String("N3w!password")})
	require.NoError(t, err)
	_, err = s.auth(t, u.name, u.password)
	conformance.RequireCode(t, err, "NotAuthorizedException")
	_, err = s.auth(t, u.name, "N3w!password")
	require.NoError(t, err)
}

func (s *suite) forgotPassword(t *testing.T) {
	u := s.confirmed(t)
	// AdminConfirmSignUp does not verify the email: no way to send a code.
	_, err := s.c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name)})
	conformance.RequireCode(t, err, "InvalidParameterException")
	_, err = s.c.AdminUpdateUserAttributes(t.Context(), &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(s.pool.ID), Username: aws.String(u.name),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}}})
	require.NoError(t, err)

	out, err := s.c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name)})
	require.NoError(t, err)
	require.NotNil(t, out.CodeDeliveryDetails)
	assert.Equal(t, types.DeliveryMediumTypeEmail, out.CodeDeliveryDetails.DeliveryMedium)

	code := s.code(t, u.email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = s.c.ConfirmForgotPassword(t.Context(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name),
		ConfirmationCode: aws.String(wrong), Password: aws.String("R3set!password")})
	conformance.RequireCode(t, err, "CodeMismatchException")
	_, err = s.c.ConfirmForgotPassword(t.Context(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.pool.ClientID), Username: aws.String(u.name),
		ConfirmationCode: aws.String(code), Password: aws.String("R3set!password")})
	require.NoError(t, err)
	_, err = s.auth(t, u.name, "R3set!password")
	require.NoError(t, err)
	_, err = s.auth(t, u.name, u.password)
	conformance.RequireCode(t, err, "NotAuthorizedException")
}

func (s *suite) attributes(t *testing.T) {
	u := s.confirmed(t)
	res := s.mustAuth(t, u)
	newEmail := "new_" + u.email
	out, err := s.c.UpdateUserAttributes(t.Context(), &cip.UpdateUserAttributesInput{AccessToken: res.AccessToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(newEmail)}}})
	require.NoError(t, err)
	require.Len(t, out.CodeDeliveryDetailsList, 1, "a new email is sent a code")
	got, err := s.c.GetUser(t.Context(), &cip.GetUserInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	assert.Equal(t, newEmail, attr(got.UserAttributes, "email"))
	assert.Equal(t, "false", attr(got.UserAttributes, "email_verified"))

	again, err := s.c.GetUserAttributeVerificationCode(t.Context(), &cip.GetUserAttributeVerificationCodeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email")})
	require.NoError(t, err)
	require.NotNil(t, again.CodeDeliveryDetails)
	code := s.code(t, newEmail)
	_, err = s.c.VerifyUserAttribute(t.Context(), &cip.VerifyUserAttributeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email"), Code: aws.String(code)})
	require.NoError(t, err)
	got, err = s.c.GetUser(t.Context(), &cip.GetUserInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	assert.Equal(t, "true", attr(got.UserAttributes, "email_verified"))
}

func (s *suite) signOut(t *testing.T) {
	u := s.confirmed(t)
	res := s.mustAuth(t, u)
	_, err := s.c.GlobalSignOut(t.Context(), &cip.GlobalSignOutInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	_, err = s.c.GetUser(t.Context(), &cip.GetUserInput{AccessToken: res.AccessToken})
	conformance.RequireCode(t, err, "NotAuthorizedException")
	_, err = s.c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.pool.ClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
	conformance.RequireCode(t, err, "NotAuthorizedException")

	res = s.mustAuth(t, u)
	_, err = s.c.AdminUserGlobalSignOut(t.Context(), &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(s.pool.ID), Username: aws.String(u.name)})
	require.NoError(t, err)
	_, err = s.c.GetUser(t.Context(), &cip.GetUserInput{AccessToken: res.AccessToken})
	conformance.RequireCode(t, err, "NotAuthorizedException")
	s.mustAuth(t, u)
}

func (s *suite) admin(t *testing.T) {
	u := s.confirmed(t)
	pool := aws.String(s.pool.ID)
	got, err := s.c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(u.name)})
	require.NoError(t, err)
	assert.Equal(t, u.name, aws.ToString(got.Username))
	assert.Equal(t, types.UserStatusTypeConfirmed, got.UserStatus)
	assert.True(t, got.Enabled)
	assert.Equal(t, u.sub, attr(got.UserAttributes, "sub"))
	require.NotNil(t, got.UserCreateDate)

	_, err = s.c.AdminUpdateUserAttributes(t.Context(), &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String(u.name),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}}})
	require.NoError(t, err)
	got, err = s.c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(u.name)})
	require.NoError(t, err)
	assert.Equal(t, "true", attr(got.UserAttributes, "email_verified"))

	list, err := s.c.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`email = "` + u.email + `"`)})
	require.NoError(t, err)
	require.Len(t, list.Users, 1)
	assert.Equal(t, u.name, aws.ToString(list.Users[0].Username))
	list, err = s.c.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`sub = "` + u.sub + `"`)})
	require.NoError(t, err)
	require.Len(t, list.Users, 1)

	_, err = s.c.AdminDisableUser(t.Context(), &cip.AdminDisableUserInput{UserPoolId: pool, Username: aws.String(u.name)})
	require.NoError(t, err)
	_, err = s.auth(t, u.name, u.password)
	conformance.RequireCode(t, err, "NotAuthorizedException")
	_, err = s.c.AdminEnableUser(t.Context(), &cip.AdminEnableUserInput{UserPoolId: pool, Username: aws.String(u.name)})
	require.NoError(t, err)
	s.mustAuth(t, u)

	_, err = s.c.AdminDeleteUser(t.Context(), &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String(u.name)})
	require.NoError(t, err)
	_, err = s.c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(u.name)})
	conformance.RequireCode(t, err, "UserNotFoundException")
	_, err = s.c.AdminConfirmSignUp(t.Context(), &cip.AdminConfirmSignUpInput{UserPoolId: pool, Username: aws.String(u.name)})
	conformance.RequireCode(t, err, "UserNotFoundException")
}

func (s *suite) deleteUser(t *testing.T) {
	u := s.confirmed(t)
	res := s.mustAuth(t, u)
	_, err := s.c.DeleteUser(t.Context(), &cip.DeleteUserInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	_, err = s.c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(s.pool.ID), Username: aws.String(u.name)})
	conformance.RequireCode(t, err, "UserNotFoundException")
	_, err = s.auth(t, u.name, u.password)
	conformance.RequireCode(t, err, "NotAuthorizedException")
}
