package cognito

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

// adminTestClient returns a client for pool us-east-1_Pool whose endpoint
// is api (usually an *awstest.Fake).
func adminTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	return New(awstest.Server(t, api), "us-east-1_Pool")
}

func TestAdminGetUser(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{"AdminGetUser": {{Body: `{"Username":"alice","Enabled":true,"UserStatus":"CONFIRMED",
		"UserAttributes":[{"Name":"sub","Value":"sub-1"},{"Name":"email","Value":"alice@example.com"},{"Name":"preferred_username","Value":"AliceLive"}]}`}}}}
	c := adminTestClient(t, api)
	attrs, err := c.AdminGetUser(context.Background(), "alice")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"sub": "sub-1", "email": "alice@example.com", "preferred_username": "AliceLive"}, attrs)
	assert.Equal(t, []string{"AdminGetUser"}, api.Ops())
	assert.Equal(t, map[string]any{"UserPoolId": "us-east-1_Pool", "Username": "alice"}, api.Body(0))
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{"AdminUpdateUserAttributes": {{Body: `{}`}}}}
	c := adminTestClient(t, api)
	require.NoError(t, c.AdminUpdateUserAttributes(context.Background(), "alice", map[string]string{"preferred_username": "AliceLive", "locale": "en"}))
	assert.Equal(t, map[string]any{
		"UserPoolId": "us-east-1_Pool", "Username": "alice",
		"UserAttributes": []any{
			map[string]any{"Name": "locale", "Value": "en"},
			map[string]any{"Name": "preferred_username", "Value": "AliceLive"},
		},
	}, api.Body(0))
}

func TestAdminDeleteUser(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{"AdminDeleteUser": {{Body: `{}`}}}}
	c := adminTestClient(t, api)
	require.NoError(t, c.AdminDeleteUser(context.Background(), "alice"))
	assert.Equal(t, map[string]any{"UserPoolId": "us-east-1_Pool", "Username": "alice"}, api.Body(0))
}

func TestAdminErrors(t *testing.T) {
	notFound := awstest.Reply{Status: 400, Body: `{"__type":"UserNotFoundException","message":"User does not exist."}`}
	cases := []struct {
		name string
		op   string
		rep  awstest.Reply
		call func(c *Client) error
		code onair.Code
		typ  string
	}{
		{"get missing user", "AdminGetUser", notFound,
			func(c *Client) error { _, err := c.AdminGetUser(context.Background(), "x"); return err }, onair.NotFound, "ResourceNotFoundException"},
		{"get throttled", "AdminGetUser", awstest.Reply{Status: 400, Body: `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`},
			func(c *Client) error { _, err := c.AdminGetUser(context.Background(), "x"); return err }, onair.Throttled, "TooManyRequestsException"},
		{"alias taken", "AdminUpdateUserAttributes", awstest.Reply{Status: 400, Body: `{"__type":"AliasExistsException","message":"An account with the given preferred_username already exists."}`},
			func(c *Client) error {
				return c.AdminUpdateUserAttributes(context.Background(), "x", map[string]string{"preferred_username": "bob1"})
			}, onair.Conflict, "AliasExistsException"},
		{"update missing user", "AdminUpdateUserAttributes", notFound,
			func(c *Client) error {
				return c.AdminUpdateUserAttributes(context.Background(), "x", map[string]string{"preferred_username": "bob1"})
			}, onair.NotFound, "ResourceNotFoundException"},
		{"delete of a deleted user is fine", "AdminDeleteUser", notFound,
			func(c *Client) error { return c.AdminDeleteUser(context.Background(), "x") }, "", ""},
		{"delete throttled", "AdminDeleteUser", awstest.Reply{Status: 400, Body: `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`},
			func(c *Client) error { return c.AdminDeleteUser(context.Background(), "x") }, onair.Throttled, "TooManyRequestsException"},
		{"delete refused to us", "AdminDeleteUser", awstest.Reply{Status: 400, Body: `{"__type":"NotAuthorizedException","message":"no"}`},
			func(c *Client) error { return c.AdminDeleteUser(context.Background(), "x") }, onair.Internal, "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := adminTestClient(t, &awstest.Fake{Replies: map[string][]awstest.Reply{tc.op: {tc.rep}}})
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
