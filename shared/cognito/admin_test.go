package cognito

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// adminAPI answers the pool's awsJson1.1 admin operations (POST / with
// X-Amz-Target) with one scripted reply per operation, recording requests.
type adminAPI struct {
	mu      sync.Mutex
	replies map[string]adminReply
	ops     []string
	bodies  []map[string]any
}

type adminReply struct {
	status int
	body   string
}

func (f *adminAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	f.ops = append(f.ops, op)
	f.bodies = append(f.bodies, body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	rp, ok := f.replies[op]
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"InvalidParameterException","message":"unexpected `+op+`"}`)
		return
	}
	if rp.status != 0 {
		w.WriteHeader(rp.status)
	}
	_, _ = io.WriteString(w, rp.body)
}

func adminTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return New(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}, "us-east-1_Pool")
}

func TestAdminGetUser(t *testing.T) {
	api := &adminAPI{replies: map[string]adminReply{"AdminGetUser": {body: `{"Username":"alice","Enabled":true,"UserStatus":"CONFIRMED",
		"UserAttributes":[{"Name":"sub","Value":"sub-1"},{"Name":"email","Value":"alice@example.com"},{"Name":"preferred_username","Value":"AliceLive"}]}`}}}
	c := adminTestClient(t, api)
	attrs, err := c.AdminGetUser(context.Background(), "alice")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"sub": "sub-1", "email": "alice@example.com", "preferred_username": "AliceLive"}, attrs)
	assert.Equal(t, []string{"AdminGetUser"}, api.ops)
	assert.Equal(t, map[string]any{"UserPoolId": "us-east-1_Pool", "Username": "alice"}, api.bodies[0])
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	api := &adminAPI{replies: map[string]adminReply{"AdminUpdateUserAttributes": {body: `{}`}}}
	c := adminTestClient(t, api)
	require.NoError(t, c.AdminUpdateUserAttributes(context.Background(), "alice", map[string]string{"preferred_username": "AliceLive", "locale": "en"}))
	assert.Equal(t, map[string]any{
		"UserPoolId": "us-east-1_Pool", "Username": "alice",
		"UserAttributes": []any{
			map[string]any{"Name": "locale", "Value": "en"},
			map[string]any{"Name": "preferred_username", "Value": "AliceLive"},
		},
	}, api.bodies[0])
}

func TestAdminDeleteUser(t *testing.T) {
	api := &adminAPI{replies: map[string]adminReply{"AdminDeleteUser": {body: `{}`}}}
	c := adminTestClient(t, api)
	require.NoError(t, c.AdminDeleteUser(context.Background(), "alice"))
	assert.Equal(t, map[string]any{"UserPoolId": "us-east-1_Pool", "Username": "alice"}, api.bodies[0])
}

func TestAdminErrors(t *testing.T) {
	notFound := adminReply{400, `{"__type":"UserNotFoundException","message":"User does not exist."}`}
	cases := []struct {
		name string
		op   string
		rep  adminReply
		call func(c *Client) error
		code onair.Code
		typ  string
	}{
		{"get missing user", "AdminGetUser", notFound,
			func(c *Client) error { _, err := c.AdminGetUser(context.Background(), "x"); return err }, onair.NotFound, "ResourceNotFoundException"},
		{"get throttled", "AdminGetUser", adminReply{400, `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`},
			func(c *Client) error { _, err := c.AdminGetUser(context.Background(), "x"); return err }, onair.Throttled, "TooManyRequestsException"},
		{"alias taken", "AdminUpdateUserAttributes", adminReply{400, `{"__type":"AliasExistsException","message":"An account with the given preferred_username already exists."}`},
			func(c *Client) error {
				return c.AdminUpdateUserAttributes(context.Background(), "x", map[string]string{"preferred_username": "bob1"})
			}, onair.Conflict, "AliasExistsException"},
		{"update missing user", "AdminUpdateUserAttributes", notFound,
			func(c *Client) error {
				return c.AdminUpdateUserAttributes(context.Background(), "x", map[string]string{"preferred_username": "bob1"})
			}, onair.NotFound, "ResourceNotFoundException"},
		{"delete of a deleted user is fine", "AdminDeleteUser", notFound,
			func(c *Client) error { return c.AdminDeleteUser(context.Background(), "x") }, "", ""},
		{"delete throttled", "AdminDeleteUser", adminReply{400, `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`},
			func(c *Client) error { return c.AdminDeleteUser(context.Background(), "x") }, onair.Throttled, "TooManyRequestsException"},
		{"delete refused to us", "AdminDeleteUser", adminReply{400, `{"__type":"NotAuthorizedException","message":"no"}`},
			func(c *Client) error { return c.AdminDeleteUser(context.Background(), "x") }, onair.Internal, "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := adminTestClient(t, &adminAPI{replies: map[string]adminReply{tc.op: tc.rep}})
			err := tc.call(c)
			if tc.code == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
			assert.Equal(t, tc.typ, onair.ErrorType(err))
		})
	}
}
