package assets

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
)

var testNow = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func clone(u onair.User) onair.User {
	u.ChannelAssets = maps.Clone(u.ChannelAssets)
	return u
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
	t      *testing.T
	store  *storetest.Faults
	bucket *fakeBucket
	svc    *service
}

func newEnv(t *testing.T, users ...onair.User) *env {
	st := storetest.WithFaults(bolttest.New(t, users...))
	b := &fakeBucket{}
	return &env{t: t, store: st, bucket: b, svc: &service{
		Store: st, Bucket: b, BaseURL: "https://d111111abcdef8.cloudfront.net",
		Now: func() time.Time { return testNow }, PresetAvatar: func() string { return "tiger" },
	}}
}

// user reads the stored user.
func (e *env) user(sub string) onair.User {
	e.t.Helper()
	u, err := e.store.GetUser(e.t.Context(), sub)
	require.NoError(e.t, err)
	return u
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
