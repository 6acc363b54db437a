package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/jwtauth"
	"github.com/onair/onair/shared/onair"
)

type fakeAuth struct{}

func (fakeAuth) Claims(_ context.Context, token string) (map[string]string, error) {
	if jwtauth.StripBearer(token) == "good" {
		return map[string]string{"sub": "sub-1", "username": "alice", "scope": "aws.cognito.signin.user.admin"}, nil
	}
	return nil, errors.New("bad token")
}

func (fakeAuth) Verify(ctx context.Context, token string) (onair.Caller, error) {
	c, err := fakeAuth{}.Claims(ctx, token)
	if err != nil {
		return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Invalid token.")
	}
	return onair.Caller{Sub: c["sub"], Username: c["username"]}, nil
}

// invoker runs real app.HTTP handlers, as the offline stack does.
type invoker map[string]func(ctx context.Context, p []byte) ([]byte, error)

func (i invoker) Invoke(ctx context.Context, fn string, p []byte) ([]byte, error) {
	return i[fn](ctx, p)
}

func newGateway(t *testing.T) *Gateway {
	t.Helper()
	p := &app.Platform{Name: "test", Offline: app.Offline{Verifier: fakeAuth{}}}
	echo := httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, _ := httpapi.Caller(r)
		body, _ := io.ReadAll(r.Body)
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{
			"sub": c.Sub, "username": r.PathValue("username"), "q": r.URL.Query().Get("isLive"), "body": string(body),
		})
	})
	serve := func(context.Context, *app.Platform) (http.Handler, error) { return echo, nil }
	private, err := app.HTTP("Private", app.Required, serve, "GET /channel").Build(context.Background(), p)
	require.NoError(t, err)
	optional, err := app.HTTP("Optional", app.Optional, serve, "GET /channels/{username}").Build(context.Background(), p)
	require.NoError(t, err)
	g, err := New(Config{
		Routes: []Route{
			{Method: "GET", Path: "/channel", Function: "Private", Authorize: true},
			{Method: "GET", Path: "/channels/{username}", Function: "Optional"},
			{Method: "POST", Path: "/boom", Function: "Boom"},
		},
		Invoker: invoker{
			"Private":  private.Invoke,
			"Optional": optional.Invoke,
			"Boom":     func(context.Context, []byte) ([]byte, error) { return nil, errors.New("crash") },
		},
		Authorizer:     fakeAuth{},
		AllowedOrigins: []string{"http://localhost:3000"},
	})
	require.NoError(t, err)
	return g
}

func do(t *testing.T, g http.Handler, method, path, auth, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	return rec
}

func TestGateway(t *testing.T) {
	g := newGateway(t)
	cases := []struct {
		name, method, path, auth string
		hdr                      map[string]string
		status                   int
		contains                 string
	}{
		{"no token", "GET", "/channel", "", nil, 401, `"message":"Unauthorized"`},
		{"bad token", "GET", "/channel", "Bearer nope", nil, 401, "Unauthorized"},
		{"bare token", "GET", "/channel", "good", nil, 200, `"sub":"sub-1"`},
		{"bearer token", "GET", "/channel", "Bearer good", nil, 200, `"sub":"sub-1"`},
		{"optional anonymous", "GET", "/channels/bob?isLive=true", "", nil, 200, `"q":"true","sub":"","username":"bob"`},
		{"optional signed in", "GET", "/channels/bob", "good", nil, 200, `"sub":"sub-1"`},
		{"optional bad token is 401 from the function", "GET", "/channels/bob", "junk", nil, 401, "UnauthorizedException"},
		{"unknown route", "GET", "/nope", "", nil, 404, "Not Found"},
		{"wrong method", "DELETE", "/channel", "good", nil, 404, "Not Found"},
		{"function crash", "POST", "/boom", "", nil, 500, "Internal Server Error"},
		{"preflight", "OPTIONS", "/channel", "", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"}, 204, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, g, tc.method, tc.path, tc.auth, "", tc.hdr)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), tc.contains)
		})
	}
}

func TestGatewayCORS(t *testing.T) {
	g := newGateway(t)
	rec := do(t, g, "GET", "/channels/bob", "", "", map[string]string{"Origin": "http://localhost:3000"})
	assert.Equal(t, "http://localhost:3000", rec.Header().Get("Access-Control-Allow-Origin"))
	rec = do(t, g, "GET", "/channels/bob", "", "", map[string]string{"Origin": "http://evil.example"})
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))
	rec = do(t, g, "OPTIONS", "/channel", "", "", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT"})
	assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), "PUT")
	assert.Contains(t, rec.Header().Get("Access-Control-Allow-Headers"), "Authorization")
}

func TestGatewayPassesBodyAndParams(t *testing.T) {
	g := newGateway(t)
	rec := do(t, g, "GET", "/channels/b%C3%B6b", "good", `{"x":1}`, nil)
	require.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), `"username":"böb"`)
	assert.Contains(t, rec.Body.String(), `"body":"{\"x\":1}"`)
}
