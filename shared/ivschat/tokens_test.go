package ivschat

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

func TestCreateChatToken(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateChatToken": {{Body: `{"token":"tok","tokenExpirationTime":"2026-01-10T18:01:00Z","sessionExpirationTime":"2026-01-10T19:00:00Z"}`}},
	}}
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

	require.Len(t, api.Calls(), 1)
	assert.Equal(t, []string{"CreateChatToken"}, api.Ops())
	assert.Equal(t, "arn:aws:ivschat:us-east-1:111122223333:room/AbC", api.Body(0)["roomIdentifier"])
	assert.Equal(t, "sub-1", api.Body(0)["userId"])
	assert.Equal(t, []any{"SEND_MESSAGE", "DELETE_MESSAGE"}, api.Body(0)["capabilities"])
	assert.Equal(t, map[string]any{"displayName": "ann"}, api.Body(0)["attributes"])
	assert.EqualValues(t, 60, api.Body(0)["sessionDurationInMinutes"])
}

func TestDisconnectUser(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{"DisconnectUser": {{Body: `{}`}}}}
	c := newTestClient(t, api)

	require.NoError(t, c.DisconnectUser(t.Context(), "arn:room", "sub-2", "Banned by the channel owner"))
	require.Len(t, api.Calls(), 1)
	assert.Equal(t, []string{"DisconnectUser"}, api.Ops())
	assert.Equal(t, map[string]any{"roomIdentifier": "arn:room", "userId": "sub-2", "reason": "Banned by the channel owner"}, api.Body(0))
}

func TestErrorsAreMapped(t *testing.T) {
	notFound := awstest.Reply{Status: http.StatusNotFound, ErrType: "ResourceNotFoundException", Body: `{"message":"room not found"}`}
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{"DisconnectUser": {notFound}, "CreateChatToken": {notFound}}}
	c := newTestClient(t, api)

	err := c.DisconnectUser(t.Context(), "arn:room", "sub-2", "")
	assert.ErrorIs(t, err, onair.ErrNotFound)
	_, err = c.CreateChatToken(t.Context(), onair.ChatTokenRequest{RoomArn: "arn:room", UserID: "u"})
	assert.ErrorIs(t, err, onair.ErrNotFound)
}
