package streams

import (
	"errors"
	"testing"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
)

// testStore is the bolt store, wrapped for fault injection.
type testStore struct {
	*storetest.Faults
	t *testing.T
}

func newTestStore(t *testing.T, users ...onair.User) *testStore {
	return &testStore{Faults: storetest.WithFaults(bolttest.New(t, users...)), t: t}
}

// session reads a session back, bypassing the faults.
func (m *testStore) session(channelArn, streamID string) (onair.StreamSession, bool) {
	m.t.Helper()
	s, err := m.Store.GetSession(m.t.Context(), channelArn, streamID)
	if errors.Is(err, onair.ErrNotFound) {
		return s, false
	}
	if err != nil {
		m.t.Fatalf("get session %s/%s: %v", channelArn, streamID, err)
	}
	return s, true
}
