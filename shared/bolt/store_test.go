package bolt

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "onair.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "onair.db")
	s, err := Open(path)
	require.NoError(t, err)
	since := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, s.CreateUser(ctx, onair.User{Sub: "u1", Username: "Alice", ChannelArn: "arn:c1", LiveSince: &since}))
	_, err = s.PutFollow(ctx, onair.Follow{FollowerSub: "u2", FollowedSub: "u1", At: since})
	require.NoError(t, err)
	_, err = s.UpdateSession(ctx, "arn:c1", "st-1", func(v *onair.StreamSession) error {
		v.StartTime, v.Open = since, true
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, s.PutStage(ctx, onair.Stage{ID: "s1", CreatedAt: since}))
	require.NoError(t, s.PutDocument(ctx, "u1", "overlay", []byte(`{"a":1}`)))
	require.NoError(t, s.Close())

	s, err = Open(path)
	require.NoError(t, err)
	defer s.Close()
	u, err := s.GetUserByUsername(ctx, "alice")
	require.NoError(t, err, "records and their indexes are on disk")
	assert.Equal(t, "u1", u.Sub)
	live, err := s.ListLiveUsers(ctx, 10)
	require.NoError(t, err)
	assert.Len(t, live, 1)
	_, err = s.GetFollow(ctx, "u2", "u1")
	assert.NoError(t, err)
	require.NoError(t, s.DeleteUserEdges(ctx, "u1"), "reverse edges survived too")
	_, err = s.GetFollow(ctx, "u2", "u1")
	assert.ErrorIs(t, err, onair.ErrNotFound)
	open, err := s.ListOpenSessions(ctx, "arn:c1")
	require.NoError(t, err)
	assert.Len(t, open, 1)
	stages, err := s.ListStages(ctx, 10)
	require.NoError(t, err)
	assert.Len(t, stages, 1)
	doc, err := s.GetDocument(ctx, "u1", "overlay")
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, string(doc))
}

func TestUpdatePanicRollsBack(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	require.NoError(t, s.CreateUser(ctx, onair.User{Sub: "u1", Username: "alice"}))
	assert.Panics(t, func() {
		_, _ = s.UpdateUser(ctx, "u1", func(u *onair.User) error {
			u.Username = "mallory"
			panic("fn bug")
		})
	})
	u, err := s.GetUserByUsername(ctx, "alice")
	require.NoError(t, err, "the store still works and nothing was written")
	assert.Equal(t, int64(1), u.Version)
	_, err = s.GetUserByUsername(ctx, "mallory")
	assert.ErrorIs(t, err, onair.ErrNotFound)
	u, err = s.UpdateUser(ctx, "u1", func(u *onair.User) error { u.Color = "red"; return nil })
	require.NoError(t, err, "the writer lock was released")
	assert.Equal(t, int64(2), u.Version)
}

func TestKeyEncoding(t *testing.T) {
	cases := [][]string{{}, {""}, {"a"}, {"a", "b"}, {"a\x00b", ""}, {"arn:aws:ivs:x/y", "2024-05-01T12:00:00.000000000Z", "st-1"}}
	for _, c := range cases {
		got, err := parts(key(c...))
		require.NoError(t, err)
		if len(c) == 0 {
			assert.Empty(t, got)
			continue
		}
		assert.Equal(t, c, got)
	}
	// A value is not a prefix of a longer value's tuple.
	assert.NotEqual(t, key("ab")[:len(key("a"))], key("a"))
	_, err := parts([]byte{0, 5, 'a'})
	assert.Error(t, err)
	assert.Nil(t, successor([]byte{0xff, 0xff}))
	assert.Equal(t, []byte{0x01, 0x03}, successor([]byte{0x01, 0x02, 0xff}))
}

// TestChatRoomIndexIsBuiltForExistingUsers: a database written before the
// chat room index existed gets it filled on open, as DynamoDB backfills a
// new GSI.
func TestChatRoomIndexIsBuiltForExistingUsers(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "onair.db")
	s, err := Open(path)
	require.NoError(t, err)
	require.NoError(t, s.CreateUser(ctx, onair.User{Sub: "u1", Username: "Alice", ChatRoomArn: "arn:room1"}))
	require.NoError(t, s.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(bucketChatRoom)) }))
	require.NoError(t, s.Close())

	s, err = Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	u, err := s.GetUserByChatRoomArn(ctx, "arn:room1")
	require.NoError(t, err)
	assert.Equal(t, "u1", u.Sub)
}

// TestExpiredCountersAreForgotten: the embedded store purges counters an
// hour past their expiry, measured by the expiry of later increments.
func TestExpiredCountersAreForgotten(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.IncrementCounter(ctx, "old", t0)
	require.NoError(t, err)
	_, err = s.IncrementCounter(ctx, "new", t0.Add(counterGrace/2))
	require.NoError(t, err)
	n, err := s.IncrementCounter(ctx, "old", t0)
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "within the grace period the counter is kept")
	_, err = s.IncrementCounter(ctx, "new", t0.Add(counterGrace+time.Second))
	require.NoError(t, err)
	_, kept := s.counterCount("old")
	assert.False(t, kept, "purged")
	n, kept = s.counterCount("new")
	assert.True(t, kept)
	assert.Equal(t, int64(2), n)
}
