package chatreview_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/onair"
)

// rooms records UpdateRoom calls (the IVS Chat adapter's part Ensure uses).
type rooms struct {
	mu  sync.Mutex
	set map[string][]onair.ChatRoomReview
	err error
}

func (r *rooms) SetReview(_ context.Context, arn string, rv onair.ChatRoomReview) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	if r.set == nil {
		r.set = map[string][]onair.ChatRoomReview{}
	}
	r.set[arn] = append(r.set[arn], rv)
	return nil
}

const handler = "arn:aws:lambda:us-east-1:111122223333:function:onair-ChatReview"

func TestEnsure(t *testing.T) {
	want := chatreview.Room(handler)
	assert.Equal(t, onair.ChatRoomReview{HandlerURI: handler, FallbackResult: "DENY", MaxMessageRatePerSecond: 100}, want)
	cases := []struct {
		name     string
		owner    onair.User
		rooms    *rooms
		want     onair.ChatRoomReview
		updates  int
		marker   string
		wantErr  bool
		noRecord bool
	}{
		{"room set up before the handler existed", onair.User{Sub: "o1", ChatRoomArn: room}, &rooms{}, want, 1, want.Marker(), false, false},
		{"room already set up: nothing to do", onair.User{Sub: "o1", ChatRoomArn: room, ChatReview: want.Marker()}, &rooms{}, want, 0, want.Marker(), false, false},
		{"room set up with another handler", onair.User{Sub: "o1", ChatRoomArn: room, ChatReview: "arn:old ALLOW 10"}, &rooms{}, want, 1, want.Marker(), false, false},
		{"no room yet", onair.User{Sub: "o1"}, &rooms{}, want, 0, "", false, true},
		{"no handler deployed", onair.User{Sub: "o1", ChatRoomArn: room}, &rooms{}, onair.ChatRoomReview{}, 0, "", false, true},
		{"room gone", onair.User{Sub: "o1", ChatRoomArn: room}, &rooms{err: onair.ErrNotFound}, want, 0, "", false, true},
		{"IVS failing: not recorded, so the next call retries", onair.User{Sub: "o1", ChatRoomArn: room}, &rooms{err: errors.New("throttled")}, want, 0, "", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			require.NoError(t, st.CreateUser(t.Context(), tc.owner))
			err := chatreview.Ensure(t.Context(), st, tc.rooms, tc.owner, tc.want)
			if tc.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Len(t, tc.rooms.set[room], tc.updates)
			for _, got := range tc.rooms.set[room] {
				assert.Equal(t, tc.want, got)
			}
			u, err := st.GetUser(t.Context(), "o1")
			require.NoError(t, err)
			if tc.noRecord {
				assert.Equal(t, tc.owner.ChatReview, u.ChatReview)
			} else {
				assert.Equal(t, tc.marker, u.ChatReview)
			}
		})
	}
}

// TestEnsureOnce: the second call, with the profile as stored after the
// first, updates nothing.
func TestEnsureOnce(t *testing.T) {
	st := openStore(t)
	owner := onair.User{Sub: "o1", ChatRoomArn: room}
	require.NoError(t, st.CreateUser(t.Context(), owner))
	rs := &rooms{}
	for range 3 {
		u, err := st.GetUser(t.Context(), "o1")
		require.NoError(t, err)
		require.NoError(t, chatreview.Ensure(t.Context(), st, rs, u, chatreview.Room(handler)))
	}
	assert.Len(t, rs.set[room], 1)
}
