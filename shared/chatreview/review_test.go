package chatreview_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

const (
	room      = "arn:aws:ivschat:us-east-1:111122223333:room/owner1room"
	otherRoom = "arn:aws:ivschat:us-east-1:111122223333:room/noowner"
)

var t0 = time.Date(2026, 12, 5, 1, 0, 1, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openStore(t testing.TB) *bolt.Store { return bolttest.New(t) }

// seed stores the room's owner (with blocked words), a viewer and a
// viewer the owner banned.
func seed(t testing.TB, st store.Store) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.CreateUser(ctx, onair.User{Sub: "owner1", Username: "owner", ChatRoomArn: room,
		BlockedWords: []string{"darn", "heck no"}}))
	require.NoError(t, st.CreateUser(ctx, onair.User{Sub: "viewer1", Username: "viewer"}))
	require.NoError(t, st.CreateUser(ctx, onair.User{Sub: "troll1", Username: "troll"}))
	_, err := st.PutBan(ctx, onair.Ban{OwnerSub: "owner1", BannedSub: "troll1", At: t0})
	require.NoError(t, err)
}

func event(user, content string) chatreview.Event {
	return chatreview.Event{Content: content, MessageID: "AbCdEfGhIjKl", RoomArn: room,
		Attributes: map[string]string{"k": "v"},
		Sender:     chatreview.Sender{UserID: user, IP: "203.0.113.9", Attributes: map[string]string{"displayName": user}}}
}

func allowed(content string) chatreview.Result {
	return chatreview.Result{ReviewResult: chatreview.Allow, Content: content, Attributes: map[string]string{"k": "v"}}
}

func denied(reason string) chatreview.Result {
	return chatreview.Result{ReviewResult: chatreview.Deny, Attributes: map[string]string{"Reason": reason}}
}

func TestReview(t *testing.T) {
	cases := []struct {
		name string
		ev   chatreview.Event
		want chatreview.Result
	}{
		{"clean message", event("viewer1", "hello there"), allowed("hello there")},
		{"banned sender, whatever token they hold", event("troll1", "hello"), denied(chatreview.ReasonBanned)},
		{"blocked word", event("viewer1", "oh darn it"), denied(chatreview.ReasonBlockedWord)},
		{"blocked word in another case, next to punctuation", event("viewer1", "DARN!"), denied(chatreview.ReasonBlockedWord)},
		{"blocked phrase across punctuation", event("viewer1", "Heck, no."), denied(chatreview.ReasonBlockedWord)},
		{"a blocked word inside a longer word is not whole", event("viewer1", "darning socks"), allowed("darning socks")},
		{"a phrase's words apart are no phrase", event("viewer1", "heck yes, no"), allowed("heck yes, no")},
		{"the owner is not held to their own list", event("owner1", "darn"), allowed("darn")},
		{"a room without an owner", func() chatreview.Event { e := event("viewer1", "hi"); e.RoomArn = otherRoom; return e }(), denied(chatreview.ReasonNoRoomOwner)},
		{"malformed: no room", func() chatreview.Event { e := event("viewer1", "hi"); e.RoomArn = ""; return e }(), denied(chatreview.ReasonInvalid)},
		{"malformed: no sender", event("", "hi"), denied(chatreview.ReasonInvalid)},
		{"malformed: no content", event("viewer1", ""), denied(chatreview.ReasonInvalid)},
	}
	st := openStore(t)
	seed(t, st)
	clk := &clock{t: t0}
	r := chatreview.New(st, clk.Now)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk.Advance(chatreview.RateWindow) // each case in its own rate window
			got, err := r.Review(t.Context(), tc.ev)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestEventAndResultWireFormat: the JSON IVS Chat sends and expects.
func TestEventAndResultWireFormat(t *testing.T) {
	var ev chatreview.Event
	require.NoError(t, json.Unmarshal([]byte(`{"Content":"hi","MessageId":"m1","RoomArn":"arn:r","Attributes":{"a":"b"},
		"Sender":{"Attributes":{"displayName":"v"},"UserId":"u1","Ip":"192.0.2.1"}}`), &ev))
	assert.Equal(t, chatreview.Event{Content: "hi", MessageID: "m1", RoomArn: "arn:r", Attributes: map[string]string{"a": "b"},
		Sender: chatreview.Sender{Attributes: map[string]string{"displayName": "v"}, UserID: "u1", IP: "192.0.2.1"}}, ev)
	out, err := json.Marshal(denied(chatreview.ReasonBanned))
	require.NoError(t, err)
	assert.JSONEq(t, `{"ReviewResult":"DENY","Attributes":{"Reason":"You are banned from this chat."}}`, string(out))
	out, err = json.Marshal(allowed("hi"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"ReviewResult":"ALLOW","Content":"hi","Attributes":{"k":"v"}}`, string(out))
}

func TestRateLimitIsPerUserAndWindow(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: "viewer2", Username: "viewer2"}))
	clk := &clock{t: t0.Truncate(chatreview.RateWindow)}
	r := chatreview.New(st, clk.Now)
	for i := range chatreview.RateLimit {
		got, err := r.Review(t.Context(), event("viewer1", "msg"))
		require.NoError(t, err)
		assert.Equal(t, chatreview.Allow, got.ReviewResult, "message %d", i+1)
	}
	got, err := r.Review(t.Context(), event("viewer1", "one too many"))
	require.NoError(t, err)
	assert.Equal(t, denied(chatreview.ReasonRateLimited), got)

	got, err = r.Review(t.Context(), event("viewer2", "I am someone else"))
	require.NoError(t, err)
	assert.Equal(t, chatreview.Allow, got.ReviewResult, "the limit is per user: others still chat")

	clk.Advance(chatreview.RateWindow)
	got, err = r.Review(t.Context(), event("viewer1", "later"))
	require.NoError(t, err)
	assert.Equal(t, chatreview.Allow, got.ReviewResult, "the next window starts afresh")
}

// TestRateLimitHoldsAcrossInstances: the count lives in the store, so two
// function instances (two Reviewers) reviewing one user's messages at once
// let exactly RateLimit through.
func TestRateLimitHoldsAcrossInstances(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	clk := &clock{t: t0.Truncate(chatreview.RateWindow)}
	instances := []*chatreview.Reviewer{chatreview.New(st, clk.Now), chatreview.New(st, clk.Now)}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed int
	)
	for i := range 3 * chatreview.RateLimit {
		wg.Go(func() {
			got, err := instances[i%2].Review(context.Background(), event("viewer1", "flood"))
			assert.NoError(t, err)
			if got.ReviewResult == chatreview.Allow {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, chatreview.RateLimit, allowed)
}

func TestBanAndBlockedWordsApplyToTheNextMessage(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	r := chatreview.New(st, (&clock{t: t0}).Now)
	ctx := t.Context()
	got, err := r.Review(ctx, event("viewer1", "gosh"))
	require.NoError(t, err)
	require.Equal(t, chatreview.Allow, got.ReviewResult)

	_, err = st.UpdateUser(ctx, "owner1", func(u *onair.User) error {
		u.BlockedWords = append(u.BlockedWords, "gosh")
		return nil
	})
	require.NoError(t, err)
	got, err = r.Review(ctx, event("viewer1", "gosh"))
	require.NoError(t, err)
	assert.Equal(t, denied(chatreview.ReasonBlockedWord), got, "the owner is read per message, not cached")

	_, err = st.PutBan(ctx, onair.Ban{OwnerSub: "owner1", BannedSub: "viewer1", At: t0})
	require.NoError(t, err)
	got, err = r.Review(ctx, event("viewer1", "hello"))
	require.NoError(t, err)
	assert.Equal(t, denied(chatreview.ReasonBanned), got)
}

func TestDeletedOwnerIsNoLongerCached(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	r := chatreview.New(st, (&clock{t: t0}).Now)
	got, err := r.Review(t.Context(), event("viewer1", "hi"))
	require.NoError(t, err)
	require.Equal(t, chatreview.Allow, got.ReviewResult)
	require.NoError(t, st.DeleteUser(t.Context(), "owner1"))
	got, err = r.Review(t.Context(), event("viewer1", "hi"))
	require.NoError(t, err)
	assert.Equal(t, denied(chatreview.ReasonNoRoomOwner), got)
}

// TestStoreFailureIsAnError: the error makes IVS Chat apply the room's
// fallbackResult (DENY).
func TestStoreFailureIsAnError(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	r := chatreview.New(st, (&clock{t: t0}).Now)
	require.NoError(t, st.Close())
	_, err := r.Review(t.Context(), event("viewer1", "hi"))
	assert.Error(t, err)
}

func TestOverBudgetIsAnError(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	r := chatreview.New(st, (&clock{t: t0}).Now)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := r.Review(ctx, event("viewer1", "hi"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}
