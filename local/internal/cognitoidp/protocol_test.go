package cognitoidp

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// post calls the API the way a browser does: no signature.
func post(t *testing.T, e *env, op, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", op)
	req.Header.Set("Origin", "http://localhost:3000")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, json.Unmarshal(data, &out), string(data))
	return resp.StatusCode, resp.Header, out
}

func TestProtocol(t *testing.T) {
	e := newEnv(t)
	const svc = "AWSCognitoIdentityProviderService."

	t.Run("unsigned browser call", func(t *testing.T) {
		status, h, out := post(t, e, svc+"SignUp",
			`{"ClientId":"`+testClient+`","Username":"web","Password":"`+testPassword+`","UserAttributes":[{"Name":"email","Value":"web@example.com"}]}`)
		require.Equal(t, http.StatusOK, status, out)
		assert.Equal(t, "application/x-amz-json-1.1", h.Get("Content-Type"))
		assert.Equal(t, "*", h.Get("Access-Control-Allow-Origin"))
		assert.NotEmpty(t, h.Get("x-amzn-RequestId"))
		assert.Equal(t, false, out["UserConfirmed"])
		calls := e.lambda.bySource("PreSignUp_SignUp")
		assert.Equal(t, "aws-sdk-unknown-unknown", calls[len(calls)-1].Event["callerContext"].(map[string]any)["awsSdkVersion"])
	})

	t.Run("error shape", func(t *testing.T) {
		status, h, out := post(t, e, svc+"InitiateAuth",
			`{"ClientId":"`+testClient+`","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"ghost","PASSWORD":"x1"}}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, map[string]any{"__type": "NotAuthorizedException", "message": "Incorrect username or password."}, out)
		assert.Equal(t, "NotAuthorizedException:", h.Get("x-amzn-ErrorType"))
	})

	t.Run("unknown operation", func(t *testing.T) {
		status, _, out := post(t, e, svc+"CreateUserPool", `{}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "com.amazon.coral.service#UnknownOperationException", out["__type"])
	})

	t.Run("malformed body", func(t *testing.T) {
		status, _, out := post(t, e, svc+"SignUp", `{"ClientId":`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "SerializationException", out["__type"])
	})

	t.Run("CORS preflight", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodOptions, e.srv.URL+"/", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", "http://localhost:3000")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "content-type,x-amz-target,x-amz-user-agent", resp.Header.Get("Access-Control-Allow-Headers"))
		assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
	})

	t.Run("missing parameters", func(t *testing.T) {
		_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{ClientId: aws.String(testClient), Username: aws.String("x")})
		requireAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
		status, _, out := post(t, e, svc+"ConfirmSignUp", `{"ClientId":"`+testClient+`"}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "2 validation errors detected: Value null at 'username' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null", out["message"])
	})

	t.Run("unknown client", func(t *testing.T) {
		_, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
			ClientId: aws.String("nosuchclient"), Username: aws.String("x"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("x@example.com")}},
		})
		requireAPIError(t, err, "ResourceNotFoundException", "User pool client nosuchclient does not exist.")
	})

	t.Run("Match", func(t *testing.T) {
		for _, tc := range []struct {
			method, path, target string
			want                 bool
		}{
			{"POST", "/", svc + "SignUp", true},
			{"POST", "/", "AmazonIVS.CreateChannel", false},
			{"POST", "/", "", false},
			{"GET", "/" + testPool + "/.well-known/jwks.json", "", true},
			{"GET", "/channels", "", false},
		} {
			r, _ := http.NewRequest(tc.method, "http://x"+tc.path, nil)
			if tc.target != "" {
				r.Header.Set("X-Amz-Target", tc.target)
			}
			assert.Equal(t, tc.want, e.svc.Match(r), tc)
		}
	})
}

func TestMailbox(t *testing.T) {
	e := newEnv(t)
	e.signUp("mo", "mo@example.com")
	e.signUp("ned", "ned@example.com")
	_, err := e.api.ResendConfirmationCode(e.ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(testClient), Username: aws.String("mo")})
	require.NoError(t, err)

	get := func(query string) []Mail {
		t.Helper()
		resp, err := http.Get(e.srv.URL + "/_local/mail" + query)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var out []Mail
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	all := get("")
	require.Len(t, all, 3)
	assert.Equal(t, []string{"mo@example.com", "ned@example.com", "mo@example.com"}, []string{all[0].To, all[1].To, all[2].To})
	mo := get("?to=MO@example.com")
	require.Len(t, mo, 2)
	assert.Equal(t, "ResendCode", mo[0].Kind)
	assert.Equal(t, "SignUp", mo[1].Kind)
	assert.True(t, !mo[0].Time.Before(mo[1].Time))
	assert.Equal(t, []Mail{}, get("?to=nobody@example.com"))
	assert.Len(t, *e.mails, 3, "OnMail was called for each")

	resp, err := http.Post(e.srv.URL+"/_local/mail", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestPersistence(t *testing.T) {
	// The issuer stays put across restarts, as the offline stack's port does.
	e := newEnv(t, func(c *Config) { c.IssuerBaseURL = "http://127.0.0.1:4566" })
	keys := 0
	e.cfg.generateKey = func() (*rsa.PrivateKey, error) { keys++; return sharedKey() }
	e.restart() // the first start made the key with sharedKey; this one must load it
	out := e.register("pia", "pia@example.com")
	auth := e.mustSignIn("pia", testPassword)
	jwks := string(e.svc.JWKS())

	e.restart()
	assert.Zero(t, keys, "the signing key is loaded, not made again")
	assert.JSONEq(t, jwks, string(e.svc.JWKS()))
	got, err := e.getUser(aws.ToString(auth.AccessToken))
	require.NoError(t, err, "tokens from before the restart still work")
	assert.Equal(t, "pia", aws.ToString(got.Username))
	_, err = e.refresh(aws.ToString(auth.RefreshToken))
	require.NoError(t, err)
	again := e.mustSignIn("PIA", testPassword)
	assert.Equal(t, aws.ToString(out.UserSub), jwtClaims(t, aws.ToString(again.AccessToken))["sub"])
	mails, err := e.svc.Mail("pia@example.com")
	require.NoError(t, err)
	assert.Len(t, mails, 1, "the mailbox persists")
	_, err = e.api.GlobalSignOut(e.ctx(), &cip.GlobalSignOutInput{AccessToken: again.AccessToken})
	require.NoError(t, err)

	e.restart()
	_, err = e.refresh(aws.ToString(auth.RefreshToken))
	requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
}
