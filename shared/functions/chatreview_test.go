package functions

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/onair"
)

// TestChatReviewServesItsSampleEvent: the function decodes IVS Chat's
// request and answers in its format, on the embedded store.
func TestChatReviewServesItsSampleEvent(t *testing.T) {
	st := bolttest.New(t)
	payload, err := os.ReadFile(filepath.Join("..", "..", "events", "ChatReview.json"))
	require.NoError(t, err)
	var ev chatreview.Event
	require.NoError(t, json.Unmarshal(payload, &ev))
	require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: "sub-owner", Username: "owner", ChatRoomArn: ev.RoomArn}))

	p := &app.Platform{Name: "ChatReview", Env: func(string) string { return "" }, Offline: app.Offline{Store: st},
		Clock: func() time.Time { return time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC) }}
	h, err := buildNamed(t.Context(), p)
	require.NoError(t, err)
	out, err := h.Invoke(t.Context(), payload)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ReviewResult":"ALLOW","Content":"hello from the sample event"}`, string(out))

	_, err = st.PutBan(t.Context(), onair.Ban{OwnerSub: "sub-owner", BannedSub: ev.Sender.UserID, At: time.Now()})
	require.NoError(t, err)
	out, err = h.Invoke(t.Context(), payload)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ReviewResult":"DENY","Attributes":{"Reason":"You are banned from this chat."}}`, string(out))
}

// TestSetUpChatRoomsServesItsSampleEvent: the scheduled sweep sets this
// stack's room without a handler up (and records it on the owner's
// profile), leaves another stack's alone, and once done reads no rooms.
func TestSetUpChatRoomsServesItsSampleEvent(t *testing.T) {
	st := bolttest.New(t)
	owner := provisionedProfile()
	require.NoError(t, st.CreateUser(t.Context(), owner))
	handler := "arn:aws:lambda:us-east-1:111122223333:function:onair-test-ChatReview"
	legacy := `{"arn":"` + owner.ChatRoomArn + `","name":"alice_live","tags":{"project":"onair-test","onair:owner":"` + channelsSub + `"}`
	other := `{"arn":"arn:aws:ivschat:us-east-1:111122223333:room/Other","name":"x","tags":{"project":"onair-prod","onair:owner":"x"}}`
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListRooms": {
			{Body: `{"rooms":[` + legacy + `},` + other + `]}`},
			{Body: `{"rooms":[` + legacy + `,"messageReviewHandler":{"uri":"` + handler + `","fallbackResult":"DENY"}},` + other + `]}`},
		},
		"UpdateRoom": {{Body: `{"arn":"` + owner.ChatRoomArn + `"}`}},
	}}
	d := channelsDeps(t, "SetUpChatRooms", st, api)
	out, err := invokeSample(t, d, "SetUpChatRooms.json")
	require.NoError(t, err)
	assert.JSONEq(t, `{"pages":2,"rooms":2,"updated":1,"gone":0,"failures":0,"done":true}`, string(out))
	assert.Equal(t, []string{"ListRooms", "UpdateRoom", "ListRooms"}, api.Ops())
	assert.Equal(t, map[string]any{"identifier": owner.ChatRoomArn, "maximumMessageRatePerSecond": float64(100),
		"messageReviewHandler": map[string]any{"uri": handler, "fallbackResult": "DENY"}}, api.Body(1))
	u, err := st.GetUser(t.Context(), channelsSub)
	require.NoError(t, err)
	assert.Equal(t, chatreview.Room(handler).Marker(), u.ChatReview)

	out, err = invokeSample(t, d, "SetUpChatRooms.json")
	require.NoError(t, err)
	assert.JSONEq(t, `{"pages":0,"rooms":0,"updated":0,"gone":0,"failures":0,"done":true}`, string(out))
	assert.Len(t, api.Calls(), 3, "done: no more calls")
}
