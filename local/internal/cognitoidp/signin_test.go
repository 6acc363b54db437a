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

func TestPreventUserExistenceErrors(t *testing.T) {
	type outcome struct{ code, message string } // code "" means success
	cases := []struct {
		name            string
		act             func(e *env) error
		hidden, exposed outcome
	}{
		{
			name: "sign-in",
			act: func(e *env) error {
				_, err := e.signIn("nobody", testPassword)
				return err
			},
			hidden:  outcome{"NotAuthorizedException", "Incorrect username or password."},
			exposed: outcome{"UserNotFoundException", "User does not exist."},
		},
		{
			name: "forgot password",
			act: func(e *env) error {
				_, err := e.api.ForgotPassword(e.ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(testClient), Username: aws.String("nobody")})
				return err
			},
			exposed: outcome{"UserNotFoundException", "Username/client id combination not found."},
		},
		{
			name: "resend confirmation code",
			act: func(e *env) error {
				_, err := e.api.ResendConfirmationCode(e.ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(testClient), Username: aws.String("nobody")})
				return err
			},
			exposed: outcome{"UserNotFoundException", "Username/client id combination not found."},
		},
		{
			name: "confirm sign-up",
			act: func(e *env) error {
				_, err := e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(testClient), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456")})
				return err
			},
			hidden:  outcome{"CodeMismatchException", "Invalid verification code provided, please try again."},
			exposed: outcome{"UserNotFoundException", "Username/client id combination not found."},
		},
		{
			name: "confirm forgot password",
			act: func(e *env) error {
				_, err := e.api.ConfirmForgotPassword(e.ctx(), &cip.ConfirmForgotPasswordInput{
					ClientId: aws.String(testClient), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456"), Password: aws.String(testPassword),
				})
				return err
			},
			hidden:  outcome{"CodeMismatchException", "Invalid verification code provided, please try again."},
			exposed: outcome{"UserNotFoundException", "Username/client id combination not found."},
		},
	}
	for _, tc := range cases {
		for _, prevent := range []bool{true, false} {
			want := tc.exposed
			if prevent {
				want = tc.hidden
			}
			t.Run(tc.name+map[bool]string{true: " hidden", false: " exposed"}[prevent], func(t *testing.T) {
				e := newEnv(t, func(c *Config) { c.PreventUserExistenceErrors = prevent })
				err := tc.act(e)
				if want.code == "" {
					require.NoError(t, err)
					return
				}
				requireAPIError(t, err, want.code, want.message)
			})
		}
	}

	t.Run("pre authentication runs for unknown users when hidden", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.signIn("nobody", testPassword)
		requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		calls := e.lambda.bySource("PreAuthentication_Authentication")
		require.Len(t, calls, 1)
		assert.Equal(t, "nobody", calls[0].Event["userName"])
		assert.Equal(t, true, calls[0].request()["userNotFound"])
		assert.Equal(t, map[string]any{"submittedUsername": "nobody"}, calls[0].request()["validationData"])
	})

	t.Run("forgot password pretends to send a code", func(t *testing.T) {
		e := newEnv(t)
		out, err := e.api.ForgotPassword(e.ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(testClient), Username: aws.String("nobody")})
		require.NoError(t, err)
		assert.Equal(t, types.DeliveryMediumTypeEmail, out.CodeDeliveryDetails.DeliveryMedium)
		mails, err := e.svc.Mail("")
		require.NoError(t, err)
		assert.Empty(t, mails)
	})

	t.Run("an unconfirmed user's wrong password is just wrong", func(t *testing.T) {
		e := newEnv(t)
		e.signUp("olga", "olga@example.com")
		_, err := e.signIn("olga", "Wr0ng-password")
		requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})
}

func TestUsernamesAndAliases(t *testing.T) {
	t.Run("usernames are case-insensitive and keep their case", func(t *testing.T) {
		e := newEnv(t)
		e.register("Alice", "alice@example.com")
		auth := e.mustSignIn("ALICE", testPassword)
		assert.Equal(t, "Alice", jwtClaims(t, aws.ToString(auth.AccessToken))["username"])
		assert.Equal(t, "Alice", jwtClaims(t, aws.ToString(auth.IdToken))["cognito:username"])
		_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("alice"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("other@example.com")}},
		})
		requireAPIError(t, err, "UsernameExistsException", "User already exists")
		out, err := e.api.AdminGetUser(e.ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(testPool), Username: aws.String("aLiCe")})
		require.NoError(t, err)
		assert.Equal(t, "Alice", aws.ToString(out.Username))
	})

	t.Run("case-sensitive pools keep names apart", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.CaseSensitive = true })
		e.register("Bob", "bob1@example.com")
		e.register("bob", "bob2@example.com")
		_, err := e.signIn("BOB", testPassword)
		requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		auth := e.mustSignIn("Bob", testPassword)
		assert.Equal(t, "Bob", jwtClaims(t, aws.ToString(auth.AccessToken))["username"])
	})

	t.Run("preferred_username signs in once set, and is unique", func(t *testing.T) {
		e := newEnv(t)
		e.register("carl", "carl@example.com")
		e.register("dora", "dora@example.com")
		_, err := e.api.AdminUpdateUserAttributes(e.ctx(), &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(testPool), Username: aws.String("carl"),
			UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("Charlie")}},
		})
		require.NoError(t, err)

		auth := e.mustSignIn("charlie", testPassword)
		assert.Equal(t, "carl", jwtClaims(t, aws.ToString(auth.AccessToken))["username"])
		id := jwtClaims(t, aws.ToString(auth.IdToken))
		assert.Equal(t, "Charlie", id["preferred_username"])
		assert.Equal(t, "carl", id["cognito:username"])
		pre := e.lambda.bySource("PreAuthentication_Authentication")
		assert.Equal(t, "carl", pre[len(pre)-1].Event["userName"], "events name the real username")
		assert.Equal(t, "Charlie", pre[len(pre)-1].request()["userAttributes"].(map[string]any)["preferred_username"])

		for _, taken := range []string{"CHARLIE", "carl"} {
			_, err = e.api.AdminUpdateUserAttributes(e.ctx(), &cip.AdminUpdateUserAttributesInput{
				UserPoolId: aws.String(testPool), Username: aws.String("dora"),
				UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String(taken)}},
			})
			requireAPIError(t, err, "AliasExistsException", "An account with the preferred_username already exists.")
		}
		_, err = e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("charlie"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("c2@example.com")}},
		})
		requireAPIError(t, err, "UsernameExistsException", "User already exists")

		// Renaming again frees the old alias.
		_, err = e.api.AdminUpdateUserAttributes(e.ctx(), &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(testPool), Username: aws.String("charlie"),
			UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("chuck")}},
		})
		require.NoError(t, err)
		_, err = e.signIn("charlie", testPassword)
		requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		e.mustSignIn("Chuck", testPassword)
		_, err = e.api.AdminUpdateUserAttributes(e.ctx(), &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(testPool), Username: aws.String("dora"),
			UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("charlie")}},
		})
		require.NoError(t, err)
	})

	t.Run("an unconfirmed user's preferred_username is not an alias yet", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.WriteAttributes = nil })
		_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("eve"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String("eve@example.com")},
				{Name: aws.String("preferred_username"), Value: aws.String("evie")},
			},
		})
		require.NoError(t, err)
		_, err = e.signIn("evie", testPassword)
		requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("eve"), ConfirmationCode: aws.String(e.lastCode("eve@example.com")),
		})
		require.NoError(t, err)
		e.mustSignIn("evie", testPassword)
	})

	t.Run("a verified email signs in when email is an alias", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.AliasAttributes = []string{"email", "preferred_username"} })
		e.register("fred", "Fred@Example.com")
		auth := e.mustSignIn("fred@example.com", testPassword)
		assert.Equal(t, "fred", jwtClaims(t, aws.ToString(auth.AccessToken))["username"])
		calls := e.lambda.bySource("PreAuthentication_Authentication")
		assert.Equal(t, "Fred@Example.com", calls[len(calls)-1].request()["userAttributes"].(map[string]any)["cognito:email_alias"])

		_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("x@example.com"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("x@example.com")}},
		})
		requireAPIError(t, err, "InvalidParameterException", "Username cannot be of email format, since user pool is configured for email alias.")

		// A second user with the same email cannot confirm it, unless forced.
		e.signUp("fred2", "fred@example.com")
		code := e.lastCode("fred@example.com")
		_, err = e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("fred2"), ConfirmationCode: aws.String(code),
		})
		requireAPIError(t, err, "AliasExistsException", "An account with the email already exists.")
		_, err = e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("fred2"), ConfirmationCode: aws.String(code), ForceAliasCreation: true,
		})
		require.NoError(t, err)
		auth = e.mustSignIn("fred@example.com", testPassword)
		assert.Equal(t, "fred2", jwtClaims(t, aws.ToString(auth.AccessToken))["username"])
		out, err := e.api.AdminGetUser(e.ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(testPool), Username: aws.String("fred")})
		require.NoError(t, err)
		v, _ := attr(out.UserAttributes, "email_verified")
		assert.Equal(t, "false", v)
	})
}

func TestSignUpValidation(t *testing.T) {
	cases := []struct {
		name     string
		username string
		password string
		attrs    []types.AttributeType
		code     string
		message  string
	}{
		{"short password", "u1", "Sh0rt!", nil, "InvalidPasswordException", "Password did not conform with policy: Password not long enough"},
		{"no lowercase", "u1", "PASSW0RD!", nil, "InvalidPasswordException", "Password did not conform with policy: Password must have lowercase characters"},
		{"no uppercase", "u1", "passw0rd!", nil, "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters"},
		{"no number", "u1", "Password!", nil, "InvalidPasswordException", "Password did not conform with policy: Password must have numeric characters"},
		{"no symbol", "u1", "Passw0rdd", nil, "InvalidPasswordException", "Password did not conform with policy: Password must have symbol characters"},
		{"leading space", "u1", " Passw0rd!", nil, "InvalidParameterException",
			`1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\S]+.*[\S]+$`},
		{"missing email", "u1", testPassword, []types.AttributeType{}, "InvalidParameterException",
			"Attributes did not conform to the schema: email: The attribute is required\n"},
		{"bad email", "u1", testPassword, []types.AttributeType{{Name: aws.String("email"), Value: aws.String("nope")}}, "InvalidParameterException",
			"Invalid email address format."},
		{"unknown attribute", "u1", testPassword, []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u@example.com")}, {Name: aws.String("shoe_size"), Value: aws.String("9")}},
			"InvalidParameterException", "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.\n"},
		{"unknown custom attribute", "u1", testPassword, []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u@example.com")}, {Name: aws.String("custom:plan"), Value: aws.String("pro")}},
			"InvalidParameterException", "Attributes did not conform to the schema: Type for attribute {custom:plan} could not be determined\n"},
		{"attribute the client may not write", "u1", testPassword, []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u@example.com")}, {Name: aws.String("preferred_username"), Value: aws.String("x")}},
			"NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"username with spaces", "u 1", testPassword, nil, "InvalidParameterException",
			`1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			attrs := tc.attrs
			if attrs == nil {
				attrs = []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u@example.com")}}
			}
			_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
				ClientId: aws.String(testClient), Username: aws.String(tc.username), Password: aws.String(tc.password), UserAttributes: attrs,
			})
			requireAPIError(t, err, tc.code, tc.message)
			assert.Empty(t, e.lambda.bySource("PreSignUp_SignUp"), "refused before the trigger")
		})
	}

	t.Run("custom policy", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.PasswordPolicy = PasswordPolicy{MinimumLength: 10} })
		_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("u1"), Password: aws.String("simple123"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u@example.com")}},
		})
		requireAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
		_, err = e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("u1"), Password: aws.String("simple1234"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u@example.com")}},
		})
		require.NoError(t, err)
	})
}

func TestCodes(t *testing.T) {
	confirm := func(e *env, code string) error {
		_, err := e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{
			ClientId: aws.String(testClient), Username: aws.String("pat"), ConfirmationCode: aws.String(code),
		})
		return err
	}
	wrong := func(code string) string {
		if code == "000000" {
			return "000001"
		}
		return "000000"
	}

	t.Run("wrong code", func(t *testing.T) {
		e := newEnv(t)
		e.signUp("pat", "pat@example.com")
		requireAPIError(t, confirm(e, wrong(e.lastCode("pat@example.com"))), "CodeMismatchException", "Invalid verification code provided, please try again.")
		require.NoError(t, confirm(e, e.lastCode("pat@example.com")), "a wrong attempt does not use up the code")
	})

	t.Run("sign-up code expires after 24 hours", func(t *testing.T) {
		e := newEnv(t)
		e.signUp("pat", "pat@example.com")
		e.clock.Advance(24*time.Hour + time.Second)
		requireAPIError(t, confirm(e, e.lastCode("pat@example.com")), "ExpiredCodeException", "Invalid code provided, please request a code again.")
	})

	t.Run("a resent code replaces the old one", func(t *testing.T) {
		e := newEnv(t)
		e.signUp("pat", "pat@example.com")
		first := e.lastCode("pat@example.com")
		out, err := e.api.ResendConfirmationCode(e.ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(testClient), Username: aws.String("pat")})
		require.NoError(t, err)
		assert.Equal(t, "p***@e***", aws.ToString(out.CodeDeliveryDetails.Destination))
		second := e.lastCode("pat@example.com")
		if first != second {
			requireAPIError(t, confirm(e, first), "CodeMismatchException", "")
		}
		require.NoError(t, confirm(e, second))
		mails, _ := e.svc.Mail("pat@example.com")
		assert.Equal(t, "ResendCode", mails[0].Kind)
	})

	t.Run("reset code expires after an hour", func(t *testing.T) {
		e := newEnv(t)
		e.register("pat", "pat@example.com")
		_, err := e.api.ForgotPassword(e.ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(testClient), Username: aws.String("pat")})
		require.NoError(t, err)
		e.clock.Advance(time.Hour + time.Second)
		_, err = e.api.ConfirmForgotPassword(e.ctx(), &cip.ConfirmForgotPasswordInput{
			ClientId: aws.String(testClient), Username: aws.String("pat"), ConfirmationCode: aws.String(e.lastCode("pat@example.com")), Password: aws.String("N3w-Passw0rd"),
		})
		requireAPIError(t, err, "ExpiredCodeException", "")
		e.mustSignIn("pat", testPassword)
	})
}

func TestSignInLockout(t *testing.T) {
	e := newEnv(t)
	e.register("quinn", "quinn@example.com")
	for i := 0; i < 5; i++ {
		_, err := e.signIn("quinn", "Wr0ng-password")
		requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	}
	_, err := e.signIn("quinn", testPassword)
	requireAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
	e.clock.Advance(2 * time.Second)
	e.mustSignIn("quinn", testPassword)
	// A success resets the count.
	_, err = e.signIn("quinn", "Wr0ng-password")
	requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	e.mustSignIn("quinn", testPassword)
}

func TestAuthFlows(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ExplicitAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH"} })
	e.register("rita", "rita@example.com")
	_, err := e.signIn("rita", testPassword)
	requireAPIError(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	_, err = e.api.InitiateAuth(e.ctx(), &cip.InitiateAuthInput{
		ClientId: aws.String(testClient), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "rita", "SRP_A": "abc"},
	})
	requireAPIError(t, err, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
	_, err = e.api.InitiateAuth(e.ctx(), &cip.InitiateAuthInput{
		ClientId: aws.String(testClient), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{},
	})
	requireAPIError(t, err, "InvalidParameterException", "Missing required parameter REFRESH_TOKEN")
	_, err = e.refresh("not-a-token")
	requireAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token")
}
