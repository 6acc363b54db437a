package streams

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/onair/onair/shared/onair"
)

// memStore is an in-memory SessionStore and UserStore with the store
// contract's semantics (copies in and out, versions, ErrUnchanged, newest
// first listings). failNext makes the next calls of a method fail.
type memStore struct {
	mu       sync.Mutex
	sessions map[string]onair.StreamSession // channelArn + "|" + streamID
	users    map[string]onair.User
	failNext map[string]error
	calls    map[string]int
}

func newMemStore(users ...onair.User) *memStore {
	m := &memStore{sessions: map[string]onair.StreamSession{}, users: map[string]onair.User{}, failNext: map[string]error{}, calls: map[string]int{}}
	for _, u := range users {
		u.Version = 1
		m.users[u.Sub] = u
	}
	return m
}

func (m *memStore) fail(method string) error {
	m.calls[method]++
	if err, ok := m.failNext[method]; ok {
		delete(m.failNext, method)
		return err
	}
	return nil
}

func copySession(s onair.StreamSession) onair.StreamSession {
	s.Events = slices.Clone(s.Events)
	for i := range s.Events {
		s.Events[i].Detail = maps.Clone(s.Events[i].Detail)
	}
	s.Metrics = maps.Clone(s.Metrics)
	s.IngestConfiguration = slices.Clone(s.IngestConfiguration)
	return s
}

func copyUser(u onair.User) onair.User {
	if u.LiveSince != nil {
		t := *u.LiveSince
		u.LiveSince = &t
	}
	return u
}

func (m *memStore) GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("GetSession"); err != nil {
		return onair.StreamSession{}, err
	}
	s, ok := m.sessions[channelArn+"|"+streamID]
	if !ok {
		return onair.StreamSession{}, onair.ErrNotFound
	}
	return copySession(s), nil
}

func (m *memStore) UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("UpdateSession"); err != nil {
		return onair.StreamSession{}, err
	}
	key := channelArn + "|" + streamID
	cur, ok := m.sessions[key]
	if !ok {
		cur = onair.StreamSession{ChannelArn: channelArn, StreamID: streamID}
	}
	next := copySession(cur)
	if err := fn(&next); err != nil {
		if errors.Is(err, onair.ErrUnchanged) {
			return copySession(cur), nil
		}
		return onair.StreamSession{}, err
	}
	next.ChannelArn, next.StreamID = channelArn, streamID
	next.Version = cur.Version + 1
	m.sessions[key] = copySession(next)
	return next, nil
}

func (m *memStore) ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("ListSessions"); err != nil {
		return nil, "", err
	}
	var all []onair.StreamSession
	for _, s := range m.sessions {
		if s.ChannelArn == channelArn && !s.StartTime.IsZero() {
			all = append(all, copySession(s))
		}
	}
	slices.SortFunc(all, func(a, b onair.StreamSession) int {
		if newerThan(a.StartTime, a.StreamID, b.StartTime, b.StreamID) {
			return -1
		}
		return 1
	})
	from := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return nil, "", errors.New("bad cursor")
		}
		from = n
	}
	if from > len(all) {
		from = len(all)
	}
	to := min(len(all), from+limit)
	next := ""
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return all[from:to], next, nil
}

func (m *memStore) ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("ListOpenSessions"); err != nil {
		return nil, err
	}
	var out []onair.StreamSession
	for _, s := range m.sessions {
		if s.ChannelArn == channelArn && s.Open {
			out = append(out, copySession(s))
		}
	}
	return out, nil
}

func (m *memStore) GetUser(ctx context.Context, sub string) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("GetUser"); err != nil {
		return onair.User{}, err
	}
	u, ok := m.users[sub]
	if !ok {
		return onair.User{}, onair.ErrNotFound
	}
	return copyUser(u), nil
}

func (m *memStore) GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("GetUserByChannelArn"); err != nil {
		return onair.User{}, err
	}
	for _, u := range m.users {
		if u.ChannelArn == channelArn {
			return copyUser(u), nil
		}
	}
	return onair.User{}, onair.ErrNotFound
}

func (m *memStore) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("UpdateUser"); err != nil {
		return onair.User{}, err
	}
	cur, ok := m.users[sub]
	if !ok {
		return onair.User{}, onair.ErrNotFound
	}
	next := copyUser(cur)
	if err := fn(&next); err != nil {
		if errors.Is(err, onair.ErrUnchanged) {
			return copyUser(cur), nil
		}
		return onair.User{}, err
	}
	next.Version = cur.Version + 1
	m.users[sub] = copyUser(next)
	return next, nil
}

func (m *memStore) session(channelArn, streamID string) (onair.StreamSession, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[channelArn+"|"+streamID]
	return copySession(s), ok
}
