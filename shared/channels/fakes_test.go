package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

// Errors the fakes return, shaped as the adapters shape them (awserr.Map).
var (
	errThrottled = onair.Errorf(onair.Throttled, "TooManyRequestsException", "Too many requests; try again shortly.")
	errBoom      = fmt.Errorf("boom: connection reset")
	errIVSGone   = onair.Errorf(onair.NotFound, "ResourceNotFoundException", "Not found.")
	errIVSLive   = onair.Errorf(onair.Conflict, "ConflictException", "The resource changed; try again.")
	errKeyQuota  = onair.Errorf(onair.Throttled, "ServiceQuotaExceededException", "A service quota was reached.")
)

// journal records the calls of every fake in order, for order assertions.
type journal struct {
	mu    sync.Mutex
	calls []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.calls = append(j.calls, fmt.Sprintf(format, args...))
}

func (j *journal) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.calls...)
}

// faults makes the next calls of an operation fail.
type faults struct {
	mu   sync.Mutex
	next map[string][]error
}

func (f *faults) inject(op string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next == nil {
		f.next = map[string][]error{}
	}
	f.next[op] = append(f.next[op], errs...)
}

func (f *faults) take(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.next[op]) == 0 {
		return nil
	}
	err := f.next[op][0]
	f.next[op] = f.next[op][1:]
	return err
}

// testStore is the bolt store, wrapped for fault injection; the deletions
// the account cascade makes go to the journal.
type testStore struct {
	*storetest.Faults
	t *testing.T
}

func newTestStore(t *testing.T, j *journal) *testStore {
	s := &testStore{Faults: storetest.WithFaults(bolttest.New(t)), t: t}
	s.Before(func(_ context.Context, op string, args []any) error {
		switch op {
		case "DeleteUser", "DeleteUserEdges", "DeleteSessions", "DeleteStage", "DeleteDocuments":
			j.add("store.%s %s", op, args[0])
		}
		return nil
	})
	return s
}

// put stores u as the whole profile, creating it if needed.
func (s *testStore) put(u onair.User) {
	s.t.Helper()
	ctx := s.t.Context()
	_, err := s.Store.UpdateUser(ctx, u.Sub, func(cur *onair.User) error {
		u.Version = cur.Version
		*cur = u
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		err = s.Store.CreateUser(ctx, u)
	}
	require.NoError(s.t, err)
}

func (s *testStore) user(t *testing.T, sub string) onair.User {
	t.Helper()
	u, err := s.Store.GetUser(t.Context(), sub)
	require.NoError(t, err, "user %s exists", sub)
	return u
}

func (s *testStore) has(sub string) bool {
	s.t.Helper()
	_, err := s.Store.GetUser(s.t.Context(), sub)
	if errors.Is(err, onair.ErrNotFound) {
		return false
	}
	require.NoError(s.t, err)
	return true
}

func (s *testStore) hasStage(id string) bool {
	s.t.Helper()
	_, err := s.Store.GetStage(s.t.Context(), id)
	if errors.Is(err, onair.ErrNotFound) {
		return false
	}
	require.NoError(s.t, err)
	return true
}

// sessions counts the channel's stream sessions.
func (s *testStore) sessions(channelArn string) int {
	s.t.Helper()
	list, _, err := s.Store.ListSessions(s.t.Context(), channelArn, 100, "")
	require.NoError(s.t, err)
	return len(list)
}

// documentNames are the documents fullAccount gives a user.
var documentNames = []string{"overlay.presets", "overlay.active"}

// documents counts sub's documents of documentNames.
func (s *testStore) documents(sub string) int {
	s.t.Helper()
	n := 0
	for _, name := range documentNames {
		_, err := s.Store.GetDocument(s.t.Context(), sub, name)
		if err == nil {
			n++
		} else {
			require.ErrorIs(s.t, err, onair.ErrNotFound)
		}
	}
	return n
}

// edges counts the follows and bans from sub, and to sub from fans
// (fullAccount's other end of the edges).
func (s *testStore) edges(sub string) int {
	s.t.Helper()
	ctx := s.t.Context()
	following, err := s.Store.ListFollowing(ctx, sub)
	require.NoError(s.t, err)
	bans, err := s.Store.ListBans(ctx, sub)
	require.NoError(s.t, err)
	n := len(following) + len(bans)
	if _, err := s.Store.GetFollow(ctx, "fan-of-"+sub, sub); err == nil {
		n++
	}
	if _, err := s.Store.GetBan(ctx, "critic-of-"+sub, sub); err == nil {
		n++
	}
	return n
}

// fakeVideo is IVS channels and stream keys as IVS behaves: one key per
// channel, a live channel cannot be deleted until its stream has ended.
type fakeVideo struct {
	faults
	j        *journal
	mu       sync.Mutex
	seq      int
	channels map[string]onair.IVSChannel
	keys     map[string]onair.StreamKey // by key ARN
	live     map[string]bool
	// liveAfterStop: DeleteChannel calls refused after StopStream, as while
	// IVS winds the stream down.
	liveAfterStop int
	stillLive     map[string]int
	created       int // channels ever created
	createGate    chan struct{}
	// afterKey, when set, runs once after the next CreateStreamKey.
	afterKey func()
}

func newFakeVideo(j *journal) *fakeVideo {
	return &fakeVideo{j: j, channels: map[string]onair.IVSChannel{}, keys: map[string]onair.StreamKey{},
		live: map[string]bool{}, stillLive: map[string]int{}}
}

func (v *fakeVideo) newKeyLocked(channelArn string) onair.StreamKey {
	v.seq++
	k := onair.StreamKey{
		Arn:        fmt.Sprintf("arn:aws:ivs:us-east-1:111122223333:stream-key/key%d", v.seq),
		ChannelArn: channelArn,
		Value:      fmt.Sprintf("sk_us-east-1_value%d", v.seq),
	}
	v.keys[k.Arn] = k
	return k
}

func (v *fakeVideo) CreateChannel(ctx context.Context, spec onair.IVSChannelSpec) (onair.IVSChannel, onair.StreamKey, error) {
	if v.createGate != nil {
		select {
		case <-v.createGate:
		case <-ctx.Done():
			return onair.IVSChannel{}, onair.StreamKey{}, ctx.Err()
		}
	}
	if err := v.take("CreateChannel"); err != nil {
		return onair.IVSChannel{}, onair.StreamKey{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	v.created++
	id := fmt.Sprintf("Ch%dAbCdEf", v.seq)
	typ := spec.Type
	if typ == "" {
		typ = "STANDARD"
	}
	ch := onair.IVSChannel{
		Arn:            "arn:aws:ivs:us-east-1:111122223333:channel/" + id,
		Name:           spec.Name,
		Type:           typ,
		IngestEndpoint: "abcdef012345.global-contribute.live-video.net",
		PlaybackURL:    "https://abcdef012345.us-east-1.playback.live-video.net/api/video/v1/us-east-1.111122223333.channel." + id + ".m3u8",
		Tags:           spec.Tags,
	}
	v.channels[ch.Arn] = ch
	v.j.add("ivs.CreateChannel %s preset=%s", spec.Name, spec.Preset)
	return ch, v.newKeyLocked(ch.Arn), nil
}

func (v *fakeVideo) FindChannels(ctx context.Context, name string, tags map[string]string) ([]onair.IVSChannel, error) {
	if err := v.take("FindChannels"); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []onair.IVSChannel
	for _, ch := range v.channels {
		if ch.Name == name && onair.HasTags(ch.Tags, tags) {
			out = append(out, ch)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arn < out[j].Arn })
	return out, nil
}

func (v *fakeVideo) DeleteChannel(ctx context.Context, arn string) error {
	if err := v.take("DeleteChannel"); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.j.add("ivs.DeleteChannel %s", arn)
	if v.live[arn] {
		return errIVSLive
	}
	if v.stillLive[arn] > 0 {
		v.stillLive[arn]--
		return errIVSLive
	}
	delete(v.channels, arn)
	for k, key := range v.keys {
		if key.ChannelArn == arn {
			delete(v.keys, k)
		}
	}
	return nil
}

func (v *fakeVideo) StopStream(ctx context.Context, channelArn string) error {
	if err := v.take("StopStream"); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.j.add("ivs.StopStream %s", channelArn)
	if _, ok := v.channels[channelArn]; !ok {
		return errIVSGone
	}
	if v.live[channelArn] {
		v.live[channelArn] = false
		v.stillLive[channelArn] = v.liveAfterStop
	}
	return nil
}

func (v *fakeVideo) ListStreamKeys(ctx context.Context, channelArn string) ([]string, error) {
	if err := v.take("ListStreamKeys"); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.channels[channelArn]; !ok {
		return nil, errIVSGone
	}
	var out []string
	for arn, k := range v.keys {
		if k.ChannelArn == channelArn {
			out = append(out, arn)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (v *fakeVideo) GetStreamKey(ctx context.Context, arn string) (onair.StreamKey, error) {
	if err := v.take("GetStreamKey"); err != nil {
		return onair.StreamKey{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	k, ok := v.keys[arn]
	if !ok {
		return onair.StreamKey{}, errIVSGone
	}
	return k, nil
}

func (v *fakeVideo) CreateStreamKey(ctx context.Context, channelArn string) (onair.StreamKey, error) {
	if err := v.take("CreateStreamKey"); err != nil {
		return onair.StreamKey{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.channels[channelArn]; !ok {
		return onair.StreamKey{}, errIVSGone
	}
	for _, k := range v.keys {
		if k.ChannelArn == channelArn {
			return onair.StreamKey{}, errKeyQuota
		}
	}
	v.j.add("ivs.CreateStreamKey %s", channelArn)
	k := v.newKeyLocked(channelArn)
	if after := v.afterKey; after != nil {
		v.afterKey = nil
		v.mu.Unlock()
		after()
		v.mu.Lock()
	}
	return k, nil
}

func (v *fakeVideo) DeleteStreamKey(ctx context.Context, arn string) error {
	if err := v.take("DeleteStreamKey"); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.j.add("ivs.DeleteStreamKey %s", arn)
	delete(v.keys, arn)
	return nil
}

func (v *fakeVideo) keysOf(channelArn string) []onair.StreamKey {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []onair.StreamKey
	for _, k := range v.keys {
		if k.ChannelArn == channelArn {
			out = append(out, k)
		}
	}
	return out
}

func (v *fakeVideo) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.channels)
}

// fakeChat is IVS Chat rooms.
type fakeChat struct {
	faults
	j     *journal
	mu    sync.Mutex
	seq   int
	rooms map[string]onair.ChatRoom
	// reviews is each room's moderation, as created or last set.
	reviews map[string]onair.ChatRoomReview
}

func (c *fakeChat) SetReview(ctx context.Context, arn string, r onair.ChatRoomReview) error {
	if err := c.take("SetReview"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.rooms[arn]; !ok {
		return onair.ErrNotFound
	}
	if c.reviews == nil {
		c.reviews = map[string]onair.ChatRoomReview{}
	}
	c.reviews[arn] = r
	c.j.add("chat.SetReview %s", arn)
	return nil
}

func newFakeChat(j *journal) *fakeChat {
	return &fakeChat{j: j, rooms: map[string]onair.ChatRoom{}}
}

func (c *fakeChat) CreateRoom(ctx context.Context, spec onair.ChatRoomSpec) (onair.ChatRoom, error) {
	if err := c.take("CreateRoom"); err != nil {
		return onair.ChatRoom{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	r := onair.ChatRoom{Arn: fmt.Sprintf("arn:aws:ivschat:us-east-1:111122223333:room/Room%d", c.seq), Name: spec.Name, Tags: spec.Tags}
	c.rooms[r.Arn] = r
	if c.reviews == nil {
		c.reviews = map[string]onair.ChatRoomReview{}
	}
	c.reviews[r.Arn] = spec.Review
	c.j.add("chat.CreateRoom %s", spec.Name)
	return r, nil
}

func (c *fakeChat) FindRooms(ctx context.Context, name string, tags map[string]string) ([]onair.ChatRoom, error) {
	if err := c.take("FindRooms"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []onair.ChatRoom
	for _, r := range c.rooms {
		if r.Name == name && onair.HasTags(r.Tags, tags) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arn < out[j].Arn })
	return out, nil
}

func (c *fakeChat) DeleteRoom(ctx context.Context, arn string) error {
	if err := c.take("DeleteRoom"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.j.add("chat.DeleteRoom %s", arn)
	delete(c.rooms, arn)
	return nil
}

func (c *fakeChat) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.rooms)
}

// fakeAccounts is the user pool: attributes by Cognito username, with
// preferred_username unique case-insensitively as Cognito aliases are.
type fakeAccounts struct {
	faults
	j     *journal
	mu    sync.Mutex
	users map[string]map[string]string
}

func newFakeAccounts(j *journal) *fakeAccounts {
	return &fakeAccounts{j: j, users: map[string]map[string]string{}}
}

func (a *fakeAccounts) add(username string, attrs map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[username] = attrs
}

func (a *fakeAccounts) attr(username, name string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[username][name]
}

func (a *fakeAccounts) AdminGetUser(ctx context.Context, username string) (map[string]string, error) {
	if err := a.take("AdminGetUser"); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	attrs, ok := a.users[username]
	if !ok {
		return nil, onair.Errorf(onair.NotFound, "ResourceNotFoundException", "Not found.")
	}
	out := map[string]string{}
	for k, v := range attrs {
		out[k] = v
	}
	return out, nil
}

func (a *fakeAccounts) AdminUpdateUserAttributes(ctx context.Context, username string, attrs map[string]string) error {
	if err := a.take("AdminUpdateUserAttributes"); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok {
		return onair.Errorf(onair.NotFound, "ResourceNotFoundException", "Not found.")
	}
	if p, ok := attrs["preferred_username"]; ok {
		for other, oa := range a.users {
			if other != username && (strings.EqualFold(oa["preferred_username"], p) || strings.EqualFold(other, p)) {
				return onair.Errorf(onair.Conflict, "AliasExistsException", "This username has been taken.")
			}
		}
	}
	for k, v := range attrs {
		u[k] = v
	}
	return nil
}

func (a *fakeAccounts) AdminDeleteUser(ctx context.Context, username string) error {
	if err := a.take("AdminDeleteUser"); err != nil {
		return err
	}
	a.j.add("cognito.DeleteUser %s", username)
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.users, username)
	return nil
}

// fakeAssets is the assets bucket: object versions by key.
type fakeAssets struct {
	faults
	j       *journal
	mu      sync.Mutex
	objects map[string]int // versions per key
}

func (a *fakeAssets) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if err := a.take("DeletePrefix"); err != nil {
		return 0, err
	}
	a.j.add("s3.DeletePrefix %s", prefix)
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for k, versions := range a.objects {
		if strings.HasPrefix(k, prefix) {
			n += versions
			delete(a.objects, k)
		}
	}
	return n, nil
}

// fakeRealTime is IVS Real-Time stages.
type fakeRealTime struct {
	faults
	j      *journal
	mu     sync.Mutex
	stages map[string]bool
}

func (r *fakeRealTime) DeleteStage(ctx context.Context, arn string) error {
	if err := r.take("DeleteStage"); err != nil {
		return err
	}
	r.j.add("realtime.DeleteStage %s", arn)
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.stages, arn)
	return nil
}

// env is a service over fresh fakes.
type env struct {
	j        *journal
	store    *testStore
	video    *fakeVideo
	chat     *fakeChat
	accounts *fakeAccounts
	assets   *fakeAssets
	rt       *fakeRealTime
	svc      *service
	now      time.Time
}

const testReviewHandler = "arn:aws:lambda:us-east-1:111122223333:function:onair-test-ChatReview"

var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	j := &journal{}
	e := &env{
		j:        j,
		store:    newTestStore(t, j),
		video:    newFakeVideo(j),
		chat:     newFakeChat(j),
		accounts: newFakeAccounts(j),
		assets:   &fakeAssets{j: j, objects: map[string]int{}},
		rt:       &fakeRealTime{j: j, stages: map[string]bool{}},
		now:      testNow,
	}
	var tokens int
	var mu sync.Mutex
	e.svc = &service{
		Store: e.store, Video: e.video, Chat: e.chat, Accounts: e.accounts, Assets: e.assets, RealTime: e.rt,
		Config: Config{ProjectTag: "onair-test", ChannelType: "STANDARD", Region: "us-east-1", AccountID: "111122223333",
			AssetBucket: "onair-assets", AssetUploadURL: "http://localhost:4566/onair-assets",
			Review: onair.ChatRoomReview{HandlerURI: testReviewHandler, FallbackResult: "DENY", MaxMessageRatePerSecond: 100}},
		Now: func() time.Time { return e.now },
		NewToken: func() string {
			mu.Lock()
			defer mu.Unlock()
			tokens++
			return fmt.Sprintf("token-%d", tokens)
		},
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}
	return e
}

// Users of the tests.
var (
	alice = onair.Caller{Sub: "0d5a4f2e-1111-4c3b-9a7e-5f3c2b1a0e9d", Username: "alice"}
	bob   = onair.Caller{Sub: "9b1c7d3e-2222-4d4c-8b8f-6a4d3c2b1f0e", Username: "bob"}
)

// signUp gives c a profile and a Cognito user, as sign-up does.
func (e *env) signUp(c onair.Caller) {
	e.store.put(onair.User{Sub: c.Sub, Username: c.Username, Email: c.Username + "@example.com", Avatar: "bear", Color: "blue", CreatedAt: testNow.Add(-time.Hour)})
	e.accounts.add(c.Username, map[string]string{"sub": c.Sub, "email": c.Username + "@example.com"})
}

// provision gives c a channel through the real provisioning.
func (e *env) provision(t *testing.T, c onair.Caller) onair.User {
	t.Helper()
	created, err := e.svc.Provision(context.Background(), c)
	require.NoError(t, err)
	require.True(t, created)
	return e.store.user(t, c.Sub)
}

// do serves one request as caller c (no caller when c.Sub is empty).
func do(h http.Handler, c onair.Caller, method, path, body string) *httptest.ResponseRecorder {
	return doCtx(context.Background(), h, c, method, path, body)
}

// doCtx is do with a base context (to collect metrics).
func doCtx(ctx context.Context, h http.Handler, c onair.Caller, method, path, body string) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
	}
	if c.Sub != "" {
		ctx = onair.WithCaller(ctx, c)
	}
	r = r.WithContext(ctx)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// metrics returns a context that records business metrics, and a function
// returning how many times name was counted.
func metrics() (context.Context, func(name string) int) {
	var buf syncBuffer
	ctx := telemetry.WithMetrics(context.Background(), telemetry.NewMetrics(&buf, "test", nil))
	return ctx, func(name string) int {
		return strings.Count(buf.String(), `"Name":"`+name+`"`)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// errorType returns the __type of an error response.
func errorType(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Type string `json:"__type"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	return body.Type
}
