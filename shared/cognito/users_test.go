package cognito

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

// fakePool answers ListUsers (awsJson1.1) with two pages and records the
// requests.
type fakePool struct {
	requests []map[string]any
	fail     bool
}

func (f *fakePool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var req map[string]any
	_ = json.Unmarshal(b, &req)
	f.requests = append(f.requests, req)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Header.Get("X-Amz-Target") != "AWSCognitoIdentityProviderService.ListUsers" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if f.fail {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"TooManyRequestsException","message":"slow down"}`)
		return
	}
	user := func(name, sub string, created int64) string {
		return fmt.Sprintf(`{"Username":%q,"UserStatus":"UNCONFIRMED","Enabled":true,"UserCreateDate":%d,"Attributes":[{"Name":"sub","Value":%q}]}`, name, created, sub)
	}
	if req["PaginationToken"] == nil {
		_, _ = io.WriteString(w, `{"Users":[`+user("ann", "sub-ann", 1767960000)+`,`+user("bob", "sub-bob", 1768060000)+`],"PaginationToken":"next"}`)
		return
	}
	_, _ = io.WriteString(w, `{"Users":[`+user("cat", "sub-cat", 1767900000)+`]}`)
}

func newTestClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	return New(awstest.Server(t, h), "us-east-1_Pool")
}

func TestListUnconfirmedUsers(t *testing.T) {
	pool := &fakePool{}
	users, err := newTestClient(t, pool).ListUnconfirmedUsers(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []onair.PoolUser{
		{Username: "ann", Sub: "sub-ann", Status: "UNCONFIRMED", CreatedAt: time.Unix(1767960000, 0)},
		{Username: "bob", Sub: "sub-bob", Status: "UNCONFIRMED", CreatedAt: time.Unix(1768060000, 0)},
		{Username: "cat", Sub: "sub-cat", Status: "UNCONFIRMED", CreatedAt: time.Unix(1767900000, 0)},
	}, normalize(users))

	require.Len(t, pool.requests, 2, "both pages read")
	assert.Equal(t, "us-east-1_Pool", pool.requests[0]["UserPoolId"])
	assert.Equal(t, `cognito:user_status = "UNCONFIRMED"`, pool.requests[0]["Filter"])
	assert.Equal(t, "next", pool.requests[1]["PaginationToken"])
}

func TestListUnconfirmedUsersError(t *testing.T) {
	_, err := newTestClient(t, &fakePool{fail: true}).ListUnconfirmedUsers(t.Context())
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}

func normalize(us []onair.PoolUser) []onair.PoolUser {
	for i := range us {
		us[i].CreatedAt = time.Unix(us[i].CreatedAt.Unix(), 0)
	}
	return us
}
