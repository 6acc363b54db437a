package cognitoidp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTriggerEvents checks each event against Cognito's shape, and that it
// decodes into aws-lambda-go's event types as onair's triggers read them.
func TestTriggerEvents(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	const email = "bob@example.com"
	_, err := e.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(testClient), Username: aws.String("Bob"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		ValidationData: []types.AttributeType{{Name: aws.String("captcha"), Value: aws.String("ok")}},
		ClientMetadata: map[string]string{"source": "web"},
	})
	require.NoError(t, err)

	header := func(t *testing.T, inv invocation, source, userName string) {
		t.Helper()
		assert.Equal(t, "1", inv.Event["version"])
		assert.Equal(t, source, inv.Event["triggerSource"])
		assert.Equal(t, "us-east-1", inv.Event["region"])
		assert.Equal(t, testPool, inv.Event["userPoolId"])
		assert.Equal(t, userName, inv.Event["userName"])
		cc := inv.Event["callerContext"].(map[string]any)
		assert.Equal(t, testClient, cc["clientId"])
		assert.True(t, strings.HasPrefix(cc["awsSdkVersion"].(string), "aws-sdk-go-v2-"), cc["awsSdkVersion"])
	}

	t.Run("PreSignUp_SignUp", func(t *testing.T) {
		calls := e.lambda.bySource("PreSignUp_SignUp")
		require.Len(t, calls, 1)
		inv := calls[0]
		assert.Equal(t, "PreSignUpFn", inv.Function)
		header(t, inv, "PreSignUp_SignUp", "Bob")
		assert.Equal(t, map[string]any{
			"userAttributes": map[string]any{"email": email},
			"validationData": map[string]any{"captcha": "ok"},
			"clientMetadata": map[string]any{"source": "web"},
		}, inv.request())
		assert.Equal(t, map[string]any{"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}, inv.Event["response"])
		var ev events.CognitoEventUserPoolsPreSignup
		require.NoError(t, json.Unmarshal(inv.Payload, &ev))
		assert.Equal(t, "ok", ev.Request.ValidationData["captcha"])
		assert.Equal(t, "Bob", ev.UserName)
	})

	var code string
	t.Run("CustomMessage_SignUp", func(t *testing.T) {
		calls := e.lambda.bySource("CustomMessage_SignUp")
		require.Len(t, calls, 1)
		inv := calls[0]
		assert.Equal(t, "CustomMessageFn", inv.Function)
		header(t, inv, "CustomMessage_SignUp", "Bob")
		req := inv.request()
		assert.Equal(t, "{####}", req["codeParameter"])
		assert.Equal(t, "{##Click Here##}", req["linkParameter"])
		assert.Contains(t, req, "usernameParameter")
		assert.Nil(t, req["usernameParameter"])
		assert.Equal(t, map[string]any{"source": "web"}, req["clientMetadata"])
		ua := req["userAttributes"].(map[string]any)
		assert.Equal(t, email, ua["email"])
		assert.Equal(t, "UNCONFIRMED", ua["cognito:user_status"])
		assert.Regexp(t, `^[0-9a-f-]{36}$`, ua["sub"])
		assert.Equal(t, map[string]any{"smsMessage": nil, "emailMessage": nil, "emailSubject": nil}, inv.Event["response"])
		var ev events.CognitoEventUserPoolsCustomMessage
		require.NoError(t, json.Unmarshal(inv.Payload, &ev))
		assert.Equal(t, "{####}", ev.Request.CodeParameter)
		code = e.lastCode(email)
		assert.NotContains(t, string(inv.Payload), code, "the event carries the placeholder, never the code")
	})

	_, err = e.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(testClient), Username: aws.String("bob"), ConfirmationCode: aws.String(code),
		ClientMetadata: map[string]string{"from": "link"},
	})
	require.NoError(t, err)

	t.Run("PostConfirmation_ConfirmSignUp", func(t *testing.T) {
		calls := e.lambda.bySource("PostConfirmation_ConfirmSignUp")
		require.Len(t, calls, 1)
		inv := calls[0]
		header(t, inv, "PostConfirmation_ConfirmSignUp", "Bob")
		req := inv.request()
		assert.Equal(t, map[string]any{"from": "link"}, req["clientMetadata"])
		ua := req["userAttributes"].(map[string]any)
		assert.Equal(t, "CONFIRMED", ua["cognito:user_status"])
		assert.Equal(t, "true", ua["email_verified"])
		assert.Equal(t, map[string]any{}, inv.Event["response"])
		var ev events.CognitoEventUserPoolsPostConfirmation
		require.NoError(t, json.Unmarshal(inv.Payload, &ev))
		assert.Equal(t, email, ev.Request.UserAttributes["email"])
	})

	e.mustSignIn("bob", testPassword)

	t.Run("PreAuthentication_Authentication", func(t *testing.T) {
		calls := e.lambda.bySource("PreAuthentication_Authentication")
		require.Len(t, calls, 1)
		inv := calls[0]
		header(t, inv, "PreAuthentication_Authentication", "Bob")
		req := inv.request()
		assert.Equal(t, map[string]any{"submittedUsername": "bob"}, req["validationData"], "ClientMetadata arrives as validationData")
		assert.Equal(t, false, req["userNotFound"])
		assert.NotContains(t, req, "clientMetadata")
		var ev events.CognitoEventUserPoolsPreAuthentication
		require.NoError(t, json.Unmarshal(inv.Payload, &ev))
		assert.Equal(t, "bob", ev.Request.ValidationData["submittedUsername"])
		assert.Equal(t, "CONFIRMED", ev.Request.UserAttributes["cognito:user_status"])
	})

	_, err = e.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(testClient), Username: aws.String("bob")})
	requireAPIError(t, err, "InvalidParameterException", "User is already confirmed.")
	_, err = e.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(testClient), Username: aws.String("bob")})
	require.NoError(t, err)

	t.Run("CustomMessage_ForgotPassword", func(t *testing.T) {
		calls := e.lambda.bySource("CustomMessage_ForgotPassword")
		require.Len(t, calls, 1)
		header(t, calls[0], "CustomMessage_ForgotPassword", "Bob")
		assert.NotContains(t, calls[0].request(), "clientMetadata", "absent when the caller sent none")
	})

	_, err = e.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(testClient), Username: aws.String("bob"),
		ConfirmationCode: aws.String(e.lastCode(email)), Password: aws.String("Other-Passw0rd"),
	})
	require.NoError(t, err)

	t.Run("PostConfirmation_ConfirmForgotPassword", func(t *testing.T) {
		calls := e.lambda.bySource("PostConfirmation_ConfirmForgotPassword")
		require.Len(t, calls, 1)
		header(t, calls[0], "PostConfirmation_ConfirmForgotPassword", "Bob")
	})

	t.Run("CustomMessage_ResendCode", func(t *testing.T) {
		e.signUp("carol", "carol@example.com")
		_, err := e.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(testClient), Username: aws.String("carol")})
		require.NoError(t, err)
		calls := e.lambda.bySource("CustomMessage_ResendCode")
		require.Len(t, calls, 1)
		header(t, calls[0], "CustomMessage_ResendCode", "carol")
	})

	t.Run("PreSignUp without validation data sends null", func(t *testing.T) {
		calls := e.lambda.bySource("PreSignUp_SignUp")
		inv := calls[len(calls)-1]
		req := inv.request()
		assert.Contains(t, req, "validationData")
		assert.Nil(t, req["validationData"])
		assert.NotContains(t, req, "clientMetadata")
	})
}

func TestTriggerResponses(t *testing.T) {
	t.Run("PreSignUp auto-confirms and verifies the email", func(t *testing.T) {
		e := newEnv(t)
		e.lambda.respond("PreSignUpFn", map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true})
		out := e.signUp("dave", "dave@example.com")
		assert.True(t, out.UserConfirmed)
		assert.Nil(t, out.CodeDeliveryDetails)
		mails, err := e.svc.Mail("")
		require.NoError(t, err)
		assert.Empty(t, mails, "no code to send")
		assert.Len(t, e.lambda.bySource("PostConfirmation_ConfirmSignUp"), 1, "auto-confirmation runs PostConfirmation")
		auth := e.mustSignIn("dave", testPassword)
		claims := jwtClaims(t, aws.ToString(auth.IdToken))
		assert.Equal(t, true, claims["email_verified"])
	})

	t.Run("PreSignUp auto-confirms without verifying", func(t *testing.T) {
		e := newEnv(t)
		e.lambda.respond("PreSignUpFn", map[string]any{"autoConfirmUser": true})
		out := e.signUp("erin", "erin@example.com")
		assert.True(t, out.UserConfirmed)
		auth := e.mustSignIn("erin", testPassword)
		_, has := jwtClaims(t, aws.ToString(auth.IdToken))["email_verified"]
		assert.False(t, has)
		_, err := e.api.ForgotPassword(e.ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(testClient), Username: aws.String("erin")})
		requireAPIError(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
	})

	t.Run("CustomMessage writes the email", func(t *testing.T) {
		e := newEnv(t)
		e.lambda.respond("CustomMessageFn", map[string]any{
			"emailSubject": "Confirm your email",
			"emailMessage": `<a href="http://localhost:3000/login?code={####}&username=frank">Confirm Email</a>`,
		})
		e.signUp("frank", "frank@example.com")
		mails, err := e.svc.Mail("FRANK@example.com")
		require.NoError(t, err)
		require.Len(t, mails, 1)
		m := mails[0]
		assert.Equal(t, "Confirm your email", m.Subject)
		assert.Equal(t, `<a href="http://localhost:3000/login?code=`+m.Code+`&username=frank">Confirm Email</a>`, m.Body)
		assert.Equal(t, "frank", m.Username)
		assert.Equal(t, "frank@example.com", m.To)
	})

	t.Run("CustomMessage without the code placeholder falls back to the default", func(t *testing.T) {
		e := newEnv(t)
		e.lambda.respond("CustomMessageFn", map[string]any{"emailMessage": "no code here"})
		e.signUp("gina", "gina@example.com")
		mails, err := e.svc.Mail("gina@example.com")
		require.NoError(t, err)
		require.Len(t, mails, 1)
		assert.Equal(t, "Your verification code is "+mails[0].Code+". ", mails[0].Body)
	})

	t.Run("no triggers configured", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.Triggers = nil })
		e.register("hank", "hank@example.com")
		e.mustSignIn("hank", testPassword)
		assert.Empty(t, e.lambda.calls)
	})
}

func TestTriggerErrors(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(e *env)
		act      func(e *env) error
		code     string
		message  string
		validate func(t *testing.T, e *env)
	}{
		{
			name:  "PreSignUp error refuses the sign-up",
			setup: func(e *env) { e.lambda.fail("PreSignUpFn", "This username is unavailable") },
			act: func(e *env) error {
				_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
					ClientId: aws.String(testClient), Username: aws.String("admin"), Password: aws.String(testPassword),
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("admin@example.com")}},
				})
				return err
			},
			code:    "UserLambdaValidationException",
			message: "PreSignUp failed with error This username is unavailable.",
			validate: func(t *testing.T, e *env) {
				_, err := e.api.AdminGetUser(e.ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(testPool), Username: aws.String("admin")})
				requireAPIError(t, err, "UserNotFoundException", "")
				mails, _ := e.svc.Mail("")
				assert.Empty(t, mails)
			},
		},
		{
			name: "PreAuthentication error refuses the sign-in",
			setup: func(e *env) {
				e.register("ivan", "ivan@example.com")
				e.lambda.fail("PreAuthenticationFn", "UserNotFoundException: Incorrect username or password.")
			},
			act: func(e *env) error {
				_, err := e.signIn("ivan", testPassword)
				return err
			},
			code:    "UserLambdaValidationException",
			message: "PreAuthentication failed with error UserNotFoundException: Incorrect username or password..",
		},
		{
			name: "a Lambda error document counts as a failure",
			setup: func(e *env) {
				e.register("jane", "jane@example.com")
				e.lambda.on("PreAuthenticationFn", func(map[string]any) ([]byte, error) {
					return []byte(`{"errorMessage":"UserNotFoundException","errorType":"Error"}`), nil
				})
			},
			act: func(e *env) error {
				_, err := e.signIn("jane", testPassword)
				return err
			},
			code:    "UserLambdaValidationException",
			message: "PreAuthentication failed with error UserNotFoundException.",
		},
		{
			name: "a Lambda function error reports its errorMessage only",
			setup: func(e *env) {
				e.register("jim", "jim@example.com")
				e.lambda.on("PreAuthenticationFn", func(map[string]any) ([]byte, error) {
					return nil, fmt.Errorf("invoke PreAuthenticationFn: %w",
						&lambdaFunctionError{Message: "UserNotFoundException: Incorrect username or password.", Type: "Refusal"})
				})
			},
			act: func(e *env) error {
				_, err := e.signIn("jim", testPassword)
				return err
			},
			code:    "UserLambdaValidationException",
			message: "PreAuthentication failed with error UserNotFoundException: Incorrect username or password..",
		},
		{
			name: "output that is not the event is refused",
			setup: func(e *env) {
				e.lambda.on("PreSignUpFn", func(map[string]any) ([]byte, error) { return []byte("null"), nil })
			},
			act: func(e *env) error {
				_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
					ClientId: aws.String(testClient), Username: aws.String("kate"), Password: aws.String(testPassword),
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("kate@example.com")}},
				})
				return err
			},
			code:    "InvalidLambdaResponseException",
			message: "Unrecognizable lambda output",
		},
		{
			name:  "PostConfirmation error is reported but the user stays confirmed",
			setup: func(e *env) { e.lambda.fail("PostConfirmationFn", "profile store down") },
			act: func(e *env) error {
				e.signUp("liam", "liam@example.com")
				_, err := e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{
					ClientId: aws.String(testClient), Username: aws.String("liam"), ConfirmationCode: aws.String(e.lastCode("liam@example.com")),
				})
				return err
			},
			code:    "UserLambdaValidationException",
			message: "PostConfirmation failed with error profile store down.",
			validate: func(t *testing.T, e *env) {
				out, err := e.api.AdminGetUser(e.ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(testPool), Username: aws.String("liam")})
				require.NoError(t, err)
				assert.Equal(t, types.UserStatusTypeConfirmed, out.UserStatus)
			},
		},
		{
			name:  "CustomMessage error fails the sign-up after the user exists",
			setup: func(e *env) { e.lambda.fail("CustomMessageFn", "template missing") },
			act: func(e *env) error {
				_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
					ClientId: aws.String(testClient), Username: aws.String("mia"), Password: aws.String(testPassword),
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("mia@example.com")}},
				})
				return err
			},
			code:    "UserLambdaValidationException",
			message: "CustomMessage failed with error template missing.",
			validate: func(t *testing.T, e *env) {
				out, err := e.api.AdminGetUser(e.ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(testPool), Username: aws.String("mia")})
				require.NoError(t, err)
				assert.Equal(t, types.UserStatusTypeUnconfirmed, out.UserStatus)
				mails, _ := e.svc.Mail("")
				assert.Empty(t, mails)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(e)
			requireAPIError(t, tc.act(e), tc.code, tc.message)
			if tc.validate != nil {
				tc.validate(t, e)
			}
		})
	}
}

// lambdaFunctionError is shaped like the offline program's function errors:
// Lambda's error document as JSON, Error() with the type in front.
type lambdaFunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func (e *lambdaFunctionError) Error() string { return e.Type + ": " + e.Message }

func TestPostAuthentication(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Triggers[TriggerPostAuthentication] = "PostAuthenticationFn" })
	e.register("pam", "pam@example.com")
	e.mustSignIn("pam", testPassword)
	calls := e.lambda.bySource("PostAuthentication_Authentication")
	require.Len(t, calls, 1)
	assert.Equal(t, "PostAuthenticationFn", calls[0].Function)
	req := calls[0].request()
	assert.Equal(t, false, req["newDeviceUsed"])
	assert.Equal(t, map[string]any{"submittedUsername": "pam"}, req["clientMetadata"])
	var ev events.CognitoEventUserPoolsPostAuthentication
	require.NoError(t, json.Unmarshal(calls[0].Payload, &ev))
	assert.Equal(t, "pam@example.com", ev.Request.UserAttributes["email"])

	e.lambda.fail("PostAuthenticationFn", "blocked")
	_, err := e.signIn("pam", testPassword)
	requireAPIError(t, err, "UserLambdaValidationException", "PostAuthentication failed with error blocked.")

	_, err = New(Config{DataDir: t.TempDir(), PoolID: testPool, ClientID: testClient,
		Triggers: map[string]string{"DefineAuthChallenge": "Fn"}, Invoker: e.lambda})
	require.ErrorContains(t, err, "trigger DefineAuthChallenge is not supported")
}
