package stages

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// memStore is an in-memory Store with the contract's semantics: versioned
// conditional updates, ErrUnchanged skips the write, fn errors come back as is.
type memStore struct {
	mu     sync.Mutex
	users  map[string]onair.User
	stages map[string]onair.Stage
	bans   map[string]onair.Ban // owner/banned

	// failPutStage makes PutStage fail once with this error.
	failPutStage error
	// beforeUpdateUser runs (unlocked) before each UpdateUser applies fn.
	beforeUpdateUser func(sub string)
}

func newMemStore() *memStore {
	return &memStore{users: map[string]onair.User{}, stages: map[string]onair.Stage{}, bans: map[string]onair.Ban{}}
}

func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func (m *memStore) addUser(u onair.User) onair.User {
	m.mu.Lock()
	defer m.mu.Unlock()
	u.Version = 1
	m.users[u.Sub] = u
	return u
}

func (m *memStore) user(sub string) onair.User {
	m.mu.Lock()
	defer m.mu.Unlock()
	return clone(m.users[sub])
}

func (m *memStore) stage(id string) (onair.Stage, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.stages[id]
	return clone(s), ok
}

func (m *memStore) GetUser(_ context.Context, sub string) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[sub]
	if !ok {
		return onair.User{}, onair.ErrNotFound
	}
	return clone(u), nil
}

func (m *memStore) GetUsers(_ context.Context, subs []string) ([]onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []onair.User
	for _, s := range subs {
		if u, ok := m.users[s]; ok {
			out = append(out, clone(u))
		}
	}
	return out, nil
}

func (m *memStore) GetUserByUsername(_ context.Context, name string) (onair.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if strings.EqualFold(u.Username, name) {
			return clone(u), nil
		}
	}
	return onair.User{}, onair.ErrNotFound
}

func (m *memStore) UpdateUser(_ context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	if m.beforeUpdateUser != nil {
		m.beforeUpdateUser(sub)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[sub]
	if !ok {
		return onair.User{}, onair.ErrNotFound
	}
	x := clone(u)
	if err := fn(&x); err != nil {
		if err == onair.ErrUnchanged {
			return clone(u), nil
		}
		return onair.User{}, err
	}
	x.Version = u.Version + 1
	m.users[sub] = clone(x)
	return x, nil
}

func (m *memStore) GetBan(_ context.Context, owner, banned string) (onair.Ban, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.bans[owner+"/"+banned]
	if !ok {
		return onair.Ban{}, onair.ErrNotFound
	}
	return b, nil
}

func (m *memStore) PutStage(_ context.Context, s onair.Stage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failPutStage; err != nil {
		m.failPutStage = nil
		return err
	}
	if _, ok := m.stages[s.ID]; ok {
		return onair.ErrConflict
	}
	s.Version = 1
	m.stages[s.ID] = clone(s)
	return nil
}

func (m *memStore) GetStage(_ context.Context, id string) (onair.Stage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.stages[id]
	if !ok {
		return onair.Stage{}, onair.ErrNotFound
	}
	return clone(s), nil
}

func (m *memStore) UpdateStage(_ context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.stages[id]
	if !ok {
		return onair.Stage{}, onair.ErrNotFound
	}
	x := clone(s)
	if err := fn(&x); err != nil {
		if err == onair.ErrUnchanged {
			return clone(s), nil
		}
		return onair.Stage{}, err
	}
	x.Version = s.Version + 1
	m.stages[id] = clone(x)
	return x, nil
}

func (m *memStore) DeleteStage(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.stages, id)
	return nil
}

func (m *memStore) ListStages(_ context.Context, limit int) ([]onair.Stage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []onair.Stage
	for _, s := range m.stages {
		out = append(out, clone(s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
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

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

// env is a service wired to fakes, with two users and a log buffer.
type env struct {
	svc    *service
	store  *memStore
	ivs    *fakeIVS
	tokens *fakeTokenAPI
	clock  *clock
	logs   *bytes.Buffer
	ann    onair.User // a host
	bob    onair.User // another user
	cat    onair.User // a third user
}

func newEnv(t *testing.T, opts ...func(*Config, *env)) *env {
	t.Helper()
	c := &clock{t: t0}
	e := &env{store: newMemStore(), ivs: newFakeIVS(), clock: c, logs: &bytes.Buffer{}}
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
