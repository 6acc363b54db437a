package ivschat

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// fakeChatAPI answers IVS Chat's rest-json operations and records requests.
type fakeChatAPI struct {
	paths  []string
	bodies []map[string]any
	status int
	reply  string
}

func (f *fakeChatAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	f.paths = append(f.paths, r.URL.Path)
	f.bodies = append(f.bodies, body)
	w.Header().Set("Content-Type", "application/json")
	if f.status != 0 {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(f.status)
	}
	_, _ = io.WriteString(w, f.reply)
}

func newTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return New(cfg)
}

func TestCreateChatToken(t *testing.T) {
	api := &fakeChatAPI{reply: `{"token":"tok","tokenExpirationTime":"2026-01-10T18:01:00Z","sessionExpirationTime":"2026-01-10T19:00:00Z"}`}
	c := newTestClient(t, api)

	tok, err := c.CreateChatToken(t.Context(), onair.ChatTokenRequest{
		RoomArn:         "arn:aws:ivschat:us-east-1:111122223333:room/AbC",
		UserID:          "sub-1",
		Capabilities:    []string{onair.ChatSendMessage, onair.ChatDeleteMessage},
		Attributes:      map[string]string{"displayName": "ann"},
		SessionDuration: 60 * time.Minute,
	})
	require.NoError(t, err)
	assert.Equal(t, "tok", tok.Token)
	assert.Equal(t, time.Date(2026, 1, 10, 18, 1, 0, 0, time.UTC), tok.TokenExpiration.UTC())
	assert.Equal(t, time.Date(2026, 1, 10, 19, 0, 0, 0, time.UTC), tok.SessionExpiration.UTC())

	require.Len(t, api.bodies, 1)
	assert.Equal(t, "/CreateChatToken", api.paths[0])
	assert.Equal(t, "arn:aws:ivschat:us-east-1:111122223333:room/AbC", api.bodies[0]["roomIdentifier"])
	assert.Equal(t, "sub-1", api.bodies[0]["userId"])
	assert.Equal(t, []any{"SEND_MESSAGE", "DELETE_MESSAGE"}, api.bodies[0]["capabilities"])
	assert.Equal(t, map[string]any{"displayName": "ann"}, api.bodies[0]["attributes"])
	assert.EqualValues(t, 60, api.bodies[0]["sessionDurationInMinutes"])
}

func TestDisconnectUser(t *testing.T) {
	api := &fakeChatAPI{reply: `{}`}
	c := newTestClient(t, api)

	require.NoError(t, c.DisconnectUser(t.Context(), "arn:room", "sub-2", "Banned by the channel owner"))
	require.Len(t, api.bodies, 1)
	assert.Equal(t, "/DisconnectUser", api.paths[0])
	assert.Equal(t, map[string]any{"roomIdentifier": "arn:room", "userId": "sub-2", "reason": "Banned by the channel owner"}, api.bodies[0])
}

func TestErrorsAreMapped(t *testing.T) {
	api := &fakeChatAPI{status: http.StatusNotFound, reply: `{"message":"room not found"}`}
	c := newTestClient(t, api)

	err := c.DisconnectUser(t.Context(), "arn:room", "sub-2", "")
	assert.ErrorIs(t, err, onair.ErrNotFound)
	_, err = c.CreateChatToken(t.Context(), onair.ChatTokenRequest{RoomArn: "arn:room", UserID: "u"})
	assert.ErrorIs(t, err, onair.ErrNotFound)
}
