package stages

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/clocktest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

// testStore is the bolt store, wrapped for fault injection, with the
// test's shortcuts.
type testStore struct {
	*storetest.Faults
	t *testing.T
}

func newTestStore(t *testing.T) *testStore {
	return &testStore{Faults: storetest.WithFaults(bolttest.New(t)), t: t}
}

// addUser creates u and returns it as stored.
func (m *testStore) addUser(u onair.User) onair.User {
	m.t.Helper()
	require.NoError(m.t, m.Store.CreateUser(m.t.Context(), u))
	return m.user(u.Sub)
}

func (m *testStore) user(sub string) onair.User {
	m.t.Helper()
	u, err := m.Store.GetUser(m.t.Context(), sub)
	require.NoError(m.t, err)
	return u
}

// putStage stores s as a stage record (Version 1).
func (m *testStore) putStage(s onair.Stage) {
	m.t.Helper()
	require.NoError(m.t, m.Store.PutStage(m.t.Context(), s))
}

func (m *testStore) stage(id string) (onair.Stage, bool) {
	m.t.Helper()
	s, err := m.Store.GetStage(m.t.Context(), id)
	if errors.Is(err, onair.ErrNotFound) {
		return s, false
	}
	require.NoError(m.t, err)
	return s, true
}

// fakeIVS is an in-memory IVS Real-Time.
type fakeIVS struct {
	mu           sync.Mutex
	n            int
	stages       map[string]onair.RealTimeStage // by ARN
	participants map[string][]onair.RealTimeParticipant
	disconnected []string // "arn|participant|reason"
	calls        map[string]int
	fail         map[string]error // op → error returned every time
	// onCreate runs (unlocked) inside CreateStage, before it returns.
	onCreate func()
	// onGetStage runs (unlocked) at the start of GetStage.
	onGetStage func()
	// failArn makes GetStage fail for these stage ARNs.
	failArn map[string]error
}

func newFakeIVS() *fakeIVS {
	return &fakeIVS{stages: map[string]onair.RealTimeStage{}, participants: map[string][]onair.RealTimeParticipant{},
		calls: map[string]int{}, fail: map[string]error{}}
}

func (f *fakeIVS) begin(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	return f.fail[op]
}

func (f *fakeIVS) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeIVS) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func endpointsFor(id string) onair.StageEndpoints {
	return onair.StageEndpoints{Events: "wss://global.events.live-video.net", Whip: "https://" + strings.ToLower(id) + ".global-bm.whip.live-video.net",
		RTMP: "rtmp://" + id + ".global-contribute.live-video.net/app/", RTMPS: "rtmps://" + id + ".global-contribute.live-video.net:443/app/"}
}

// addStage puts a stage straight into IVS (an orphan, or one the test set up).
func (f *fakeIVS) addStage(id string, tags map[string]string) onair.RealTimeStage {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:ivs:us-east-1:111122223333:stage/" + id
	st := onair.RealTimeStage{Arn: arn, Name: id, Endpoints: endpointsFor(id), Tags: tags}
	f.stages[arn] = st
	return st
}

// join connects a participant (starting a session if none).
func (f *fakeIVS) join(arn string, p onair.RealTimeParticipant) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.stages[arn]
	if st.ActiveSessionID == "" {
		st.ActiveSessionID = "st-1AbCdEfGhIjKl"
		f.stages[arn] = st
	}
	if p.State == "" {
		p.State = onair.ParticipantConnected
	}
	f.participants[arn] = append(f.participants[arn], p)
}

func (f *fakeIVS) CreateStage(_ context.Context, name string, tags map[string]string) (onair.RealTimeStage, error) {
	if err := f.begin("CreateStage"); err != nil {
		return onair.RealTimeStage{}, err
	}
	if f.onCreate != nil {
		f.onCreate()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	id := fmt.Sprintf("Stage%07d", f.n)
	arn := "arn:aws:ivs:us-east-1:111122223333:stage/" + id
	st := onair.RealTimeStage{Arn: arn, Name: name, Endpoints: endpointsFor(id), Tags: tags}
	f.stages[arn] = st
	return st, nil
}

func (f *fakeIVS) GetStage(_ context.Context, arn string) (onair.RealTimeStage, error) {
	if err := f.begin("GetStage"); err != nil {
		return onair.RealTimeStage{}, err
	}
	if f.onGetStage != nil {
		f.onGetStage()
	}
	f.mu.Lock()
	if err := f.failArn[arn]; err != nil {
		f.mu.Unlock()
		return onair.RealTimeStage{}, err
	}
	defer f.mu.Unlock()
	st, ok := f.stages[arn]
	if !ok {
		return onair.RealTimeStage{}, onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", nil)
	}
	return st, nil
}

func (f *fakeIVS) ListStagesTagged(_ context.Context, tags map[string]string) ([]onair.RealTimeStage, error) {
	if err := f.begin("ListStagesTagged"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []onair.RealTimeStage
	for _, st := range f.stages {
		ok := true
		for k, v := range tags {
			ok = ok && st.Tags[k] == v
		}
		if ok {
			// Summaries have no endpoints.
			st.Endpoints = onair.StageEndpoints{}
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arn < out[j].Arn })
	return out, nil
}

func (f *fakeIVS) DeleteStage(_ context.Context, arn string) error {
	if err := f.begin("DeleteStage"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.stages[arn]; !ok {
		return onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", nil)
	}
	delete(f.stages, arn)
	delete(f.participants, arn)
	return nil
}

func (f *fakeIVS) ListParticipants(_ context.Context, q onair.ParticipantQuery) ([]onair.RealTimeParticipant, error) {
	if err := f.begin("ListParticipants"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stages[q.StageArn].ActiveSessionID != q.SessionID {
		return nil, onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", nil)
	}
	var out []onair.RealTimeParticipant
	for _, p := range f.participants[q.StageArn] {
		switch {
		case q.Published && !p.Published,
			q.State != "" && p.State != q.State,
			q.UserID != "" && p.UserID != q.UserID:
			continue
		}
		out = append(out, p)
		if q.Max > 0 && len(out) == q.Max {
			break
		}
	}
	return out, nil
}

func (f *fakeIVS) DisconnectParticipant(_ context.Context, arn, pid, reason string) error {
	if err := f.begin("DisconnectParticipant"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.participants[arn]
	for i := range ps {
		if ps[i].ParticipantID == pid {
			ps[i].State = onair.ParticipantDisconnected
			f.disconnected = append(f.disconnected, arn+"|"+pid+"|"+reason)
			return nil
		}
	}
	return onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", nil)
}

// fakeTokenAPI stands in for IVS CreateParticipantToken.
type fakeTokenAPI struct {
	mu   sync.Mutex
	reqs []onair.ParticipantTokenRequest
	now  func() time.Time
}

func (f *fakeTokenAPI) CreateParticipantToken(_ context.Context, req onair.ParticipantTokenRequest) (onair.ParticipantToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	return onair.ParticipantToken{
		Token:          fmt.Sprintf("ivs-token-%d-SECRET", len(f.reqs)),
		ParticipantID:  fmt.Sprintf("pid%d", len(f.reqs)),
		UserID:         req.UserID,
		Capabilities:   req.Capabilities,
		Attributes:     req.Attributes,
		ExpirationTime: f.now().Add(req.Duration),
	}, nil
}

func (f *fakeTokenAPI) last() onair.ParticipantTokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs[len(f.reqs)-1]
}

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

// env is a service wired to fakes, with two users and a log buffer.
type env struct {
	svc    *service
	store  *testStore
	ivs    *fakeIVS
	tokens *fakeTokenAPI
	clock  *clocktest.Clock
	logs   *bytes.Buffer
	ann    onair.User // a host
	bob    onair.User // another user
	cat    onair.User // a third user
}

func newEnv(t *testing.T, opts ...func(*Config, *env)) *env {
	t.Helper()
	c := clocktest.New(t0)
	e := &env{store: newTestStore(t), ivs: newFakeIVS(), clock: c, logs: &bytes.Buffer{}}
	e.tokens = &fakeTokenAPI{now: c.Now}
	e.ann = e.store.addUser(onair.User{Sub: "sub-ann", Username: "Ann", Avatar: "bear", CreatedAt: t0})
	e.bob = e.store.addUser(onair.User{Sub: "sub-bob", Username: "bob", Avatar: "fox", CreatedAt: t0})
	e.cat = e.store.addUser(onair.User{Sub: "sub-cat", Username: "cat", CreatedAt: t0})
	cfg := Config{Project: "onair-test", SigningMode: SigningAPI}
	for _, o := range opts {
		o(&cfg, e)
	}
	var minter Minter = APIMinter{API: e.tokens}
	svc, err := newService(e.store, e.ivs, minter, cfg, c.Now)
	require.NoError(t, err)
	e.svc = svc
	return e
}

func (e *env) ctx() context.Context {
	ctx := context.Background()
	ctx = telemetry.WithLogger(ctx, slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return ctx
}

func caller(u onair.User) *onair.Caller { return &onair.Caller{Sub: u.Sub, Username: u.Username} }

// open makes u's stage through the service and returns it.
func (e *env) open(t *testing.T, u onair.User, allowAnonymous bool) onair.Stage {
	t.Helper()
	o, err := e.svc.OpenStage(e.ctx(), *caller(u), &allowAnonymous)
	require.NoError(t, err)
	return o.Stage
}

// do serves one request with h, as c (nil: anonymous).
func (e *env) do(h http.Handler, c *onair.Caller, method, target, body, pattern string) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	ctx := e.ctx()
	if c != nil {
		ctx = onair.WithCaller(ctx, *c)
	}
	mux := http.NewServeMux()
	mux.Handle(pattern, h)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r.WithContext(ctx))
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v), w.Body.String())
	return v
}
