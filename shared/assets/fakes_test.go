package assets

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

var testNow = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// fakeStore keeps users in memory with the store contract's UpdateUser
// semantics (ErrUnchanged skips the write, Version counts writes).
type fakeStore struct {
	mu     sync.Mutex
	users  map[string]onair.User
	writes int
	// fail makes the named operation return the error.
	fail map[string]error
}

func newFakeStore(users ...onair.User) *fakeStore {
	s := &fakeStore{users: map[string]onair.User{}, fail: map[string]error{}}
	for _, u := range users {
		s.users[u.Sub] = clone(u)
	}
	return s
}

func clone(u onair.User) onair.User {
	u.ChannelAssets = maps.Clone(u.ChannelAssets)
	return u
}

func (s *fakeStore) user(sub string) onair.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(s.users[sub])
}

func (s *fakeStore) GetUser(ctx context.Context, sub string) (onair.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["GetUser"]; err != nil {
		return onair.User{}, err
	}
	u, ok := s.users[sub]
	if !ok {
		return onair.User{}, onair.ErrNotFound
	}
	return clone(u), nil
}

func (s *fakeStore) GetUserByAssetID(ctx context.Context, id string) (onair.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["GetUserByAssetID"]; err != nil {
		return onair.User{}, err
	}
	for _, u := range s.users {
		if id != "" && u.ChannelAssetID == id {
			return clone(u), nil
		}
	}
	return onair.User{}, onair.ErrNotFound
}

func (s *fakeStore) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["UpdateUser"]; err != nil {
		return onair.User{}, err
	}
	cur, ok := s.users[sub]
	if !ok {
		return onair.User{}, onair.ErrNotFound
	}
	next := clone(cur)
	if err := fn(&next); err != nil {
		if errors.Is(err, onair.ErrUnchanged) {
			return clone(cur), nil
		}
		return onair.User{}, err
	}
	next.Version++
	s.users[sub] = clone(next)
	s.writes++
	return next, nil
}

// fakeBucket records the bucket calls.
type fakeBucket struct {
	mu      sync.Mutex
	presign []presignCall
	deleted []string
	fail    error
}

type presignCall struct {
	Key, ContentType string
	MaxBytes         int64
	Expires          time.Duration
}

func (b *fakeBucket) PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (string, map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return "", nil, b.fail
	}
	b.presign = append(b.presign, presignCall{key, contentType, maxBytes, expires})
	return "https://bucket.example/", map[string]string{"key": key, "policy": "p", "x-amz-signature": "sig"}, nil
}

func (b *fakeBucket) DeleteObject(ctx context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.deleted = append(b.deleted, key)
	return nil
}

var alice = onair.User{Sub: "sub-alice", Username: "alice", Avatar: "custom", Banner: "custom", ChannelAssetID: "asset-alice",
	ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/abc"}

type env struct {
	store  *fakeStore
	bucket *fakeBucket
	svc    *service
}

func newEnv(users ...onair.User) *env {
	st := newFakeStore(users...)
	b := &fakeBucket{}
	return &env{store: st, bucket: b, svc: &service{
		Store: st, Bucket: b, BaseURL: "https://d111111abcdef8.cloudfront.net",
		Now: func() time.Time { return testNow }, PresetAvatar: func() string { return "tiger" },
	}}
}

// call serves one request as sub (anonymous when sub is "") and returns the
// status and the decoded body.
func call(t *testing.T, h http.Handler, method, sub, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	if sub != "" {
		req = req.WithContext(onair.WithCaller(req.Context(), onair.Caller{Sub: sub, Username: sub}))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	}
	return rec.Code, out
}
