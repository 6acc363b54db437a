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
