package overlays

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

const channelArn = "arn:aws:ivs:us-west-2:111122223333:channel/AbCdEf123456"

var now = time.Date(2026, 1, 10, 18, 30, 0, 0, time.UTC)

type fakeSender struct {
	errs  []error // returned by successive calls, then nil
	calls []string
	// during, when set, runs inside each call (e.g. to end the request).
	during func()
}

func (f *fakeSender) PutMetadata(ctx context.Context, arn, metadata string) error {
	if arn != channelArn {
		return errors.New("wrong channel " + arn)
	}
	f.calls = append(f.calls, metadata)
	if f.during != nil {
		f.during()
	}
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return err
	}
	return nil
}

type env struct {
	store  *storetest.Faults
	sender *fakeSender
	sleeps []time.Duration
	now    time.Time
	svc    *service
	mux    http.Handler
	emf    bytes.Buffer
}

func newEnv(t *testing.T) *env {
	liveSince := now.Add(-time.Hour)
	e := &env{
		store: storetest.WithFaults(bolttest.New(t,
			onair.User{Sub: "sub-alice", ChannelArn: channelArn, LiveSince: &liveSince, LiveStreamID: "st-1"},
			onair.User{Sub: "sub-noluck"},
			// Offline, on the same channel as alice (the store's channel
			// index is not unique; the service looks users up by sub).
			onair.User{Sub: "sub-offline", ChannelArn: channelArn},
		)),
		sender: &fakeSender{},
		now:    now,
	}
	e.svc = &service{
		Users: e.store, Documents: e.store, Sender: e.sender,
		Now: func() time.Time { return e.now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.sleeps = append(e.sleeps, d)
			return ctx.Err()
		},
	}
	e.mux = httpapi.Routes(map[string]http.Handler{
		"POST /channel/actions/send":   e.svc.SendStreamAction(),
		"GET /channel/actions/active":  e.svc.GetActiveStreamAction(),
		"GET /channel/actions/presets": e.svc.GetStreamActionPresets(),
		"PUT /channel/actions/presets": e.svc.PutStreamActionPresets(),
	})
	return e
}

func (e *env) do(t *testing.T, ctx context.Context, sub, method, path, body string) (int, map[string]any) {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx = telemetry.WithMetrics(ctx, telemetry.NewMetrics(&e.emf, "SendStreamAction", nil))
	if sub != "" {
		ctx = onair.WithCaller(ctx, onair.Caller{Sub: sub})
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r.WithContext(ctx))
	var out map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return w.Code, out
}

func TestSendStreamAction(t *testing.T) {
	e := newEnv(t)
	code, body := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"quiz","data":`+goodQuiz+`}`)
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, "quiz", body["name"])
	assert.Equal(t, "2026-01-10T18:30:00Z", body["startTime"])
	assert.Equal(t, "2026-01-10T18:30:15Z", body["expiry"])
	require.Len(t, e.sender.calls, 1)
	var m Metadata
	require.NoError(t, json.Unmarshal([]byte(e.sender.calls[0]), &m))
	assert.Equal(t, 1, m.V)
	assert.Equal(t, "quiz", *m.Name)
	assert.JSONEq(t, goodQuiz, string(m.Data))
	assert.Equal(t, now.UnixMilli(), m.StartTime)
	assert.Equal(t, now.Add(15*time.Second).UnixMilli(), m.Expiry)
	assert.Contains(t, e.emf.String(), `"OverlaysSent":1`)
	assert.Contains(t, e.emf.String(), `"Action":"quiz"`)

	// The active action survives a reload, until it expires.
	code, active := e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/active", "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, body, active)
	e.now = now.Add(15 * time.Second)
	_, active = e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/active", "")
	assert.Empty(t, active, "expired")
}

func TestStopClearsActive(t *testing.T) {
	for _, stop := range []string{`{"name":null}`, `{}`, `{"name":null,"data":null}`} {
		t.Run(stop, func(t *testing.T) {
			e := newEnv(t)
			code, _ := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"product","data":`+goodProduct+`}`)
			require.Equal(t, http.StatusOK, code)
			_, active := e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/active", "")
			assert.Equal(t, "product", active["name"])
			assert.NotContains(t, active, "expiry", "a product has no expiry")

			code, body := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", stop)
			require.Equal(t, http.StatusOK, code, body)
			assert.Empty(t, body)
			assert.Equal(t, `{"v":1,"name":null,"startTime":1768069800000}`, e.sender.calls[1])
			_, active = e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/active", "")
			assert.Empty(t, active)
			assert.Contains(t, e.emf.String(), `"Action":"stop"`)
		})
	}
}

func TestActiveActionOnlyDuringItsLiveSession(t *testing.T) {
	e := newEnv(t)
	code, _ := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"product","data":`+goodProduct+`}`)
	require.Equal(t, http.StatusOK, code)

	setLive := func(since *time.Time, streamID string) {
		_, err := e.store.UpdateUser(t.Context(), "sub-alice", func(u *onair.User) error {
			u.LiveSince, u.LiveStreamID = since, streamID
			return nil
		})
		require.NoError(t, err)
	}
	setLive(nil, "")
	_, active := e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/active", "")
	assert.Empty(t, active, "offline: nothing is shown")

	later := now.Add(time.Hour)
	setLive(&later, "st-2")
	_, active = e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/active", "")
	assert.Empty(t, active, "sent during an earlier session")

	_, active = e.do(t, nil, "sub-ghost", http.MethodGet, "/channel/actions/active", "")
	assert.Empty(t, active)
}

func TestSendStreamActionErrors(t *testing.T) {
	throttled := onair.Wrap(onair.Throttled, "TooManyRequestsException", "slow", errors.New("429"))
	cases := []struct {
		name   string
		sub    string
		body   string
		errs   []error
		status int
		typ    string
		msg    string
		calls  int
	}{
		{"anonymous", "", `{"name":"celebration"}`, nil, 401, "UnauthorizedException", "", 0},
		{"bad json", "sub-alice", `{"name":`, nil, 400, "BadRequestException", "not valid JSON", 0},
		{"name not a string", "sub-alice", `{"name":5}`, nil, 400, "BadRequestException", `"name" must be a string`, 0},
		{"invalid action", "sub-alice", `{"name":"quiz","data":{"question":"q"}}`, nil, 400, "InvalidStreamActionException", "data.answers", 0},
		{"stop with data", "sub-alice", `{"data":{"duration":10}}`, nil, 400, "InvalidStreamActionException", "takes no data", 0},
		{"no profile", "sub-ghost", `{"name":"celebration"}`, nil, 404, "UserNotFoundException", "", 0},
		{"no channel", "sub-noluck", `{"name":"celebration"}`, nil, 404, "ChannelNotFoundException", "", 0},
		{"offline", "sub-offline", `{"name":"celebration"}`,
			[]error{onair.Wrap(onair.Conflict, "ChannelNotBroadcastingException", "The channel is not live.", errors.New("404"))},
			409, "ChannelNotBroadcastingException", "Start streaming", 1},
		{"refused by IVS", "sub-alice", `{"name":"celebration"}`,
			[]error{onair.Wrap(onair.Invalid, "ValidationException", "bad metadata", errors.New("400"))},
			400, "TimedMetadataValidationException", "bad metadata", 1},
		{"IVS failure", "sub-alice", `{"name":"celebration"}`, []error{errors.New("boom")}, 500, "TimedMetadataException", "Could not send", 1},
		{"throttled past the retries", "sub-alice", `{"name":"celebration"}`, []error{throttled, throttled, throttled, throttled}, 429, "TooManyRequestsException", "try again", 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.sender.errs = tc.errs
			code, body := e.do(t, nil, tc.sub, http.MethodPost, "/channel/actions/send", tc.body)
			assert.Equal(t, tc.status, code, body)
			assert.Equal(t, tc.typ, body["__type"])
			assert.Contains(t, body["message"], tc.msg)
			assert.Len(t, e.sender.calls, tc.calls)
			_, err := e.store.GetDocument(context.Background(), tc.sub, activeDoc)
			assert.ErrorIs(t, err, onair.ErrNotFound, "a failed send records nothing")
		})
	}
}

func TestSendRetriesThrottlingWithinTheChannelRate(t *testing.T) {
	e := newEnv(t)
	throttled := onair.Wrap(onair.Throttled, "TooManyRequestsException", "slow", nil)
	e.sender.errs = []error{throttled, throttled}
	code, _ := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"celebration"}`)
	assert.Equal(t, http.StatusOK, code)
	assert.Len(t, e.sender.calls, 3)
	assert.Equal(t, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, e.sleeps)
	for _, d := range e.sleeps {
		assert.GreaterOrEqual(t, d, 200*time.Millisecond, "at most 5 calls per second")
	}
}

func TestSendStopsRetryingWhenTheRequestEnds(t *testing.T) {
	e := newEnv(t)
	e.sender.errs = []error{onair.Wrap(onair.Throttled, "TooManyRequestsException", "slow", nil)}
	ctx, cancel := context.WithCancel(context.Background())
	e.sender.during = cancel // the request ends while IVS throttles it
	code, body := e.do(t, ctx, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"celebration"}`)
	assert.Equal(t, http.StatusTooManyRequests, code, body)
	assert.Len(t, e.sender.calls, 1)
}

func TestRealSleepHonoursContext(t *testing.T) {
	s := &service{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	assert.ErrorIs(t, s.sleep(ctx, time.Minute), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
	assert.NoError(t, s.sleep(context.Background(), time.Millisecond))
}

func TestSendTooLarge(t *testing.T) {
	e := newEnv(t)
	big := `{"title":"` + strings.Repeat("é", 256) + `","productURL":"https://a.co/` + strings.Repeat("x", 300) + `","images":{"large":{"url":"https://a.co/` + strings.Repeat("y", 300) + `"}}}`
	code, body := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"amazon_product","data":`+big+`}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "PayloadTooLargeException", body["__type"])
	assert.Empty(t, e.sender.calls)
}

func TestSentEvenIfNotRecorded(t *testing.T) {
	e := newEnv(t)
	e.store.Fail("PutDocument", errors.New("dynamo down"))
	code, body := e.do(t, nil, "sub-alice", http.MethodPost, "/channel/actions/send", `{"name":"celebration"}`)
	assert.Equal(t, http.StatusOK, code, body)
	assert.Len(t, e.sender.calls, 1)
}

func TestPresets(t *testing.T) {
	e := newEnv(t)
	code, body := e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/presets", "")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, body, "no presets yet")

	in := `{"quiz":` + goodQuiz + `,"notice":` + goodNotice + `,"celebration":{},"amazon_product":` + goodAmazon + `}`
	code, body = e.do(t, nil, "sub-alice", http.MethodPut, "/channel/actions/presets", in)
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, map[string]any{"duration": float64(10)}, body["celebration"], "canonical form")
	assert.NotContains(t, body["amazon_product"], "asin", "unknown search fields dropped")

	_, got := e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/presets", "")
	assert.Equal(t, body, got)
	assert.Equal(t, []string{"amazon_product", "celebration", "notice", "quiz"}, sortedKeys(got))

	_, bobs := e.do(t, nil, "sub-offline", http.MethodGet, "/channel/actions/presets", "")
	assert.Empty(t, bobs, "presets are per user")

	code, _ = e.do(t, nil, "sub-alice", http.MethodPut, "/channel/actions/presets", `{}`)
	require.Equal(t, http.StatusOK, code)
	_, got = e.do(t, nil, "sub-alice", http.MethodGet, "/channel/actions/presets", "")
	assert.Empty(t, got, "replaced, not merged")
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func TestPresetsErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"unknown overlay", `{"poll":{}}`, 400, "poll is not an overlay"},
		{"invalid preset names the field", `{"quiz":{"question":"q","answers":["a","a","b"],"correctAnswerIndex":0,"duration":10}}`, 400, "quiz.answers[1] repeats quiz.answers[0]"},
		{"incomplete preset", `{"notice":{"title":"t"}}`, 400, "notice.message is required"},
		{"not an object", `[1,2]`, 400, ""},
		{"too large", `{"quiz":` + strings.Repeat(" ", 70<<10) + goodQuiz + `}`, 413, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			code, body := e.do(t, nil, "sub-alice", http.MethodPut, "/channel/actions/presets", tc.body)
			assert.Equal(t, tc.status, code, body)
			assert.Contains(t, body["message"], tc.msg)
			_, err := e.store.GetDocument(context.Background(), "sub-alice", presetsDoc)
			assert.ErrorIs(t, err, onair.ErrNotFound)
		})
	}
	e := newEnv(t)
	code, _ := e.do(t, nil, "", http.MethodGet, "/channel/actions/presets", "")
	assert.Equal(t, http.StatusUnauthorized, code)
}
