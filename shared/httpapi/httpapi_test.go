package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestWriteErrorMapsCodes(t *testing.T) {
	cases := []struct {
		err    error
		status int
		body   string
	}{
		{onair.Errorf(onair.Invalid, "BadRequestException", "Missing x."), 400, `{"__type":"BadRequestException","message":"Missing x."}`},
		{onair.Errorf(onair.Unauthorized, "", "Sign in."), 401, `{"__type":"UnauthorizedException","message":"Sign in."}`},
		{onair.Errorf(onair.Forbidden, "", "No."), 403, `"__type":"ForbiddenException"`},
		{onair.Errorf(onair.NotFound, "UserNotFoundException", "No user."), 404, `"__type":"UserNotFoundException"`},
		{onair.Errorf(onair.Conflict, "", "Busy."), 409, `"__type":"ConflictException"`},
		{onair.Errorf(onair.TooLarge, "", "Big."), 413, `"__type":"PayloadTooLargeException"`},
		{onair.Errorf(onair.Throttled, "", "Slow down."), 429, `"__type":"TooManyRequestsException"`},
		{onair.Errorf(onair.Unavailable, "", "Later."), 503, `"__type":"ServiceUnavailableException"`},
		{errors.New("dynamodb: secret detail"), 500, `{"__type":"UnexpectedException","message":"An unexpected error occurred."}`},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, httptest.NewRequest("GET", "/", nil), tc.err)
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Body.String(), tc.body)
			assert.NotContains(t, rec.Body.String(), "secret detail")
		})
	}
}

func TestDecode(t *testing.T) {
	type body struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	cases := []struct {
		name string
		in   string
		code onair.Code
		msg  string
	}{
		{"ok", `{"name":"a","count":2}`, "", ""},
		{"unknown fields are ignored", `{"name":"a","extra":1}`, "", ""},
		{"empty", ``, onair.Invalid, "Missing request body."},
		{"blank", `   `, onair.Invalid, "Missing request body."},
		{"malformed", `{"name":`, onair.Invalid, "Request body is not valid JSON."},
		{"wrong type", `{"count":"x"}`, onair.Invalid, `Field "count" must be a number.`},
		{"string for a number", `{"name":5}`, onair.Invalid, `Field "name" must be a string.`},
		{"huge number", `{"count":1e400}`, onair.Invalid, `Field "count" must be a number.`},
		// A body that is JSON but not an object is refused, not read as {}:
		// `null` would otherwise act as an empty object (and, for instance,
		// replace saved presets with none).
		{"null", `null`, onair.Invalid, "Request body must be a JSON object."},
		{"null with spaces", " \n null \n", onair.Invalid, "Request body must be a JSON object."},
		{"array", `[{"name":"a"}]`, onair.Invalid, "Request body must be a JSON object."},
		{"string", `"a"`, onair.Invalid, "Request body must be a JSON object."},
		{"number", `42`, onair.Invalid, "Request body must be a JSON object."},
		{"trailing data", `{"name":"a"} {"name":"b"}`, onair.Invalid, "Request body is not valid JSON."},
		{"unicode", `{"name":"a","extra":"\u00e9\ud83d\ude00"}`, "", ""},
		{"too large", `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, onair.TooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b body
			err := Decode(httptest.NewRequest("POST", "/", strings.NewReader(tc.in)), &b)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, "a", b.Name)
				return
			}
			assert.Equal(t, tc.code, onair.ErrorCode(err))
			if tc.msg != "" {
				assert.Equal(t, tc.msg, onair.ErrorMessage(err))
			}
		})
	}
}

func TestDecodeValue(t *testing.T) {
	type image struct {
		URL string `json:"url"`
	}
	type data struct {
		Title    string   `json:"title"`
		Duration *int     `json:"duration"`
		Answers  []string `json:"answers"`
		Images   struct {
			Large image `json:"large"`
		} `json:"images"`
	}
	cases := []struct {
		name, in, msg string
	}{
		{"ok", `{"title":"t","duration":5}`, ""},
		{"wrong type", `{"title":1}`, `Field "data.title" must be a string.`},
		{"number", `{"duration":"5"}`, `Field "data.duration" must be a number.`},
		{"fraction for an integer", `{"duration":7.5}`, `Field "data.duration" must be a number.`},
		{"array", `{"answers":"a"}`, `Field "data.answers" must be an array.`},
		{"nested", `{"images":{"large":{"url":5}}}`, `Field "data.images.large.url" must be a string.`},
		{"not an object", `[1]`, `Field "data" must be an object.`},
		{"unknown field", `{"title":"t","extra":1}`, `Unknown field "data.extra".`},
		{"malformed", `{"title":`, `Field "data" is not valid JSON.`},
		{"trailing data", `{"title":"t"} {}`, `Field "data" must be a single JSON value.`},
	}
	t.Run("list of the wrong elements", func(t *testing.T) {
		var words []string
		err := DecodeValue(json.RawMessage(`["a",2]`), &words, "blockedWords", "BadRequestException")
		assert.Equal(t, `Field "blockedWords" must be an array of strings.`, onair.ErrorMessage(err))
		err = DecodeValue(json.RawMessage(`"a"`), &words, "blockedWords", "BadRequestException")
		assert.Equal(t, `Field "blockedWords" must be an array.`, onair.ErrorMessage(err))
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d data
			err := DecodeValue(json.RawMessage(tc.in), &d, "data", "InvalidThingException")
			if tc.msg == "" {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, onair.Invalid, onair.ErrorCode(err))
			assert.Equal(t, tc.msg, onair.ErrorMessage(err))
			var oe *onair.Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "InvalidThingException", oe.Type)
		})
	}
}

func TestRoutes(t *testing.T) {
	h := Routes(map[string]http.Handler{
		"GET /channels/{username}": Func(func(w http.ResponseWriter, r *http.Request) error {
			return WriteJSON(w, 200, map[string]string{"u": r.PathValue("username")})
		}),
		"DELETE /channel": Func(func(w http.ResponseWriter, r *http.Request) error { return WriteJSON(w, 204, nil) }),
	})
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/channels/bob", 200, `{"u":"bob"}`},
		{"GET", "/channels/" + strings.Repeat("x", 101), 400, "params/username must NOT have more than 100 characters"},
		{"GET", "/channels/" + strings.Repeat("x", 100), 200, ""},
		{"DELETE", "/channel", 204, ""},
		{"GET", "/nowhere", 404, `"__type":"NotFoundException"`},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path[:min(len(tc.path), 20)], func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), tc.body)
			if tc.status == 204 {
				assert.Empty(t, rec.Body.String())
			}
		})
	}
}

// withClaims puts API Gateway JWT claims into the request as the proxy
// adapter does in Lambda and the gateway does offline.
func withClaims(r *http.Request, claims map[string]string) *http.Request {
	ev := events.APIGatewayV2HTTPRequest{RequestContext: events.APIGatewayV2HTTPRequestContext{
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}}}
	var acc core.RequestAccessorV2
	req, err := acc.EventToRequestWithContext(r.Context(), ev)
	if err != nil {
		panic(err)
	}
	return r.WithContext(req.Context())
}

type verifier map[string]onair.Caller

func (v verifier) Verify(_ context.Context, token string) (onair.Caller, error) {
	if c, ok := v[token]; ok {
		return c, nil
	}
	return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Invalid token.")
}

func TestIdentity(t *testing.T) {
	whoami := Func(func(w http.ResponseWriter, r *http.Request) error {
		c, ok := Caller(r)
		if !ok {
			return WriteJSON(w, 200, map[string]string{"sub": "anonymous"})
		}
		return WriteJSON(w, 200, map[string]string{"sub": c.Sub, "username": c.Username})
	})
	alice := map[string]string{"sub": "s-alice", "username": "alice"}
	v := verifier{"tok-bob": {Sub: "s-bob", Username: "bob"}}

	cases := []struct {
		name     string
		h        http.Handler
		claims   map[string]string
		auth     string
		status   int
		contains string
	}{
		{"required with claims", RequireCaller(whoami), alice, "", 200, `"sub":"s-alice"`},
		{"required without claims", RequireCaller(whoami), nil, "", 401, "UnauthorizedException"},
		{"required with claims lacking sub", RequireCaller(whoami), map[string]string{"username": "x"}, "", 401, "UnauthorizedException"},
		{"optional anonymous", OptionalCaller(v, whoami), nil, "", 200, `"sub":"anonymous"`},
		{"optional bare token", OptionalCaller(v, whoami), nil, "tok-bob", 200, `"sub":"s-bob"`},
		{"optional bearer token", OptionalCaller(v, whoami), nil, "Bearer tok-bob", 200, `"sub":"s-bob"`},
		{"optional invalid token", OptionalCaller(v, whoami), nil, "Bearer junk", 401, "UnauthorizedException"},
		{"optional prefers gateway claims", OptionalCaller(v, whoami), alice, "junk", 200, `"sub":"s-alice"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			if tc.claims != nil {
				req = withClaims(req, tc.claims)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), tc.contains)
		})
	}
}

func TestMustCaller(t *testing.T) {
	_, err := MustCaller(httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, onair.Unauthorized, onair.ErrorCode(err))
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(onair.WithCaller(r.Context(), onair.Caller{Sub: "s"}))
	c, err := MustCaller(r)
	require.NoError(t, err)
	assert.Equal(t, "s", c.Sub)
}
