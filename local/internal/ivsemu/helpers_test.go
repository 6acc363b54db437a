package ivsemu

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/shared/clocktest"
)

const testAccount = "111122223333"

// recordingSink collects published events.
type recordingSink struct {
	mu     sync.Mutex
	events []eventbus.Event
}

func (r *recordingSink) Publish(_ context.Context, ev eventbus.Event) (eventbus.Event, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return ev, nil
}

func (r *recordingSink) Events() []eventbus.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]eventbus.Event(nil), r.events...)
}

type env struct {
	t     testing.TB
	dir   string
	clock *clocktest.Clock
	sink  *recordingSink
	hub   *fakeHub
	svc   *Service
	srv   *httptest.Server
	ivs   *ivs.Client
	chat  *ivschat.Client
	rt    *ivsrealtime.Client
	ctx   context.Context
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: clocktest.New(time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)), sink: &recordingSink{}, hub: &fakeHub{}, ctx: context.Background()}
	e.open()
	return e
}

// open (re)opens the service on the env's data dir and points clients at it.
func (e *env) open() {
	e.t.Helper()
	svc, err := New(Config{DataDir: e.dir, Account: testAccount, Region: "us-east-1", Now: e.clock.Now,
		Events: e.sink, Chat: e.hub})
	require.NoError(e.t, err)
	e.svc = svc
	e.srv = httptest.NewServer(svc.Handler())
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	e.ivs = ivs.New(ivs.Options{BaseEndpoint: aws.String(e.srv.URL), Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1})
	e.chat = ivschat.New(ivschat.Options{BaseEndpoint: aws.String(e.srv.URL), Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1})
	e.rt = ivsrealtime.New(ivsrealtime.Options{BaseEndpoint: aws.String(e.srv.URL), Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1})
	e.t.Cleanup(e.close)
}

func (e *env) close() {
	if e.srv != nil {
		e.srv.Close()
		e.srv = nil
	}
	if e.svc != nil {
		_ = e.svc.Close()
		e.svc = nil
	}
}

// restart closes and reopens the service on the same data dir.
func (e *env) restart() {
	e.close()
	e.open()
}

// fakeHub records what the control plane asked the chat WebSocket side to do.
type fakeHub struct {
	mu    sync.Mutex
	calls []string
}

func (h *fakeHub) record(s string) {
	h.mu.Lock()
	h.calls = append(h.calls, s)
	h.mu.Unlock()
}

func (h *fakeHub) SendEvent(_ context.Context, roomArn string, ev ChatEvent) {
	h.record("event " + roomArn + " " + ev.EventName + " " + ev.ID)
}

func (h *fakeHub) DeleteMessage(_ context.Context, roomArn, eventID, messageID, reason string) {
	h.record("delete " + roomArn + " " + messageID + " " + reason)
}

func (h *fakeHub) DisconnectUser(_ context.Context, roomArn, eventID, userID, reason string) {
	h.record("disconnect " + roomArn + " " + userID + " " + reason)
}

func (h *fakeHub) CloseRoom(_ context.Context, roomArn string) { h.record("close " + roomArn) }

func (h *fakeHub) Calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}
