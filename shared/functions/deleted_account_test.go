package functions_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/functions"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/samtemplate"
)

// acceptingVerifier takes any token as the deleted account's.
type acceptingVerifier struct{}

func (acceptingVerifier) Verify(context.Context, string) (onair.Caller, error) {
	return onair.Caller{Sub: deletedSub, Username: "gone_user"}, nil
}

const deletedSub = "0d5a4f2e-dead-4c3b-9a7e-5f3c2b1a0e9d"

// TestDeletedAccountsTokensAreRefused: a deleted account's tokens stay
// valid for up to an hour (the gateway cannot see Cognito's revocation).
// Every signed-in route of a function with a store refuses such a caller
// with 401 AccountDeletedException before its handler runs, so nothing is
// written for an account that no longer exists; on optional-login routes the
// same holds when a token is sent.
func TestDeletedAccountsTokensAreRefused(t *testing.T) {
	tpl := loadTemplate(t)
	builders := functions.ByName()
	checked := 0
	for _, route := range tpl.Routes() {
		t.Run(route.Method+" "+route.Path, func(t *testing.T) {
			if _, ok := builders[route.Function]; !ok {
				t.Skip("no builder (TestFunctionsMatchTemplate reports it)")
			}
			d := deps(t, tpl, route.Function, &rejectingVerifier{})
			d.Offline.Verifier = acceptingVerifier{}
			// The account is gone from Cognito too (a function that
			// rebuilds a missing profile asks it).
			cognito := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("x-amzn-ErrorType", "UserNotFoundException")
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"__type":"UserNotFoundException","message":"User does not exist."}`))
			}))
			t.Cleanup(cognito.Close)
			d.AWS.BaseEndpoint = aws.String(cognito.URL)
			var req events.APIGatewayV2HTTPRequest
			switch route.Auth {
			case samtemplate.AuthJWT:
				req = request(route, nil)
				req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
						Claims: map[string]string{"sub": deletedSub, "username": "gone_user", "token_use": "access"}}}
			default:
				req = request(route, map[string]string{"authorization": "Bearer still-valid"})
			}
			resp := invoke(t, d, req)
			if route.Method+" "+route.Path == "DELETE /channel" {
				// Exempt: an interrupted deletion is finished with the same token.
				assert.NotEqual(t, httpapi.AccountDeletedType, typeOf(resp.Body))
				return
			}
			if route.Auth != samtemplate.AuthJWT && resp.StatusCode != 401 {
				// A public route that never looks at the token (or a
				// function without a store) is not a signed-in route.
				return
			}
			checked++
			assert.Equal(t, 401, resp.StatusCode, "body: %s", resp.Body)
			var body map[string]string
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &body), resp.Body)
			assert.Equal(t, httpapi.AccountDeletedType, body["__type"])
			_, err := d.Offline.Store.GetUser(context.Background(), deletedSub)
			assert.ErrorIs(t, err, onair.ErrNotFound, "nothing written for the deleted account")
		})
	}
	assert.Greater(t, checked, 20, "the signed-in routes were checked")
}

func typeOf(body string) string {
	var b map[string]string
	_ = json.Unmarshal([]byte(body), &b)
	return b["__type"]
}
