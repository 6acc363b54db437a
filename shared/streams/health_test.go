package streams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

type fakeIngest struct {
	raw   json.RawMessage
	err   error
	calls int
}

func (f *fakeIngest) GetIngestConfiguration(ctx context.Context, channelArn, streamID string) (json.RawMessage, error) {
	f.calls++
	return f.raw, f.err
}

type fakeMetrics struct {
	reqs []MetricsRequest
	err  error
	lag  time.Duration
}

func (f *fakeMetrics) Lag() time.Duration { return f.lag }

func (f *fakeMetrics) ReadMetrics(ctx context.Context, req MetricsRequest) ([]MetricSeries, error) {
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return nil, f.err
	}
	var out []MetricSeries
	for i, q := range req.Metrics {
		n := int(req.End.Sub(req.Start) / (time.Duration(req.Period) * time.Second))
		s := MetricSeries{Name: q.Name, Average: fptr(float64(i+1) / 2)}
		for k := range n {
			s.Timestamps = append(s.Timestamps, req.Start.Add(time.Duration(k*req.Period)*time.Second))
			s.Values = append(s.Values, float64(k))
		}
		out = append(out, s)
	}
	return out, nil
}

const ingestJSON = `{"audio":{"channels":2,"codec":"mp4a.40.2","sampleRate":48000,"targetBitrate":160000},"video":{"avcLevel":"4.1","avcProfile":"High","codec":"avc1.640029","encoder":"obs","targetBitrate":9500000,"targetFramerate":30,"videoHeight":1080,"videoWidth":1920}}`

type healthEnv struct {
	store   *testStore
	ingest  *fakeIngest
	metrics *fakeMetrics
	h       *health
	now     time.Time
	mux     http.Handler
}

func newHealthEnv(t *testing.T, now time.Time) *healthEnv {
	t.Helper()
	e := &healthEnv{
		store:   newTestStore(t, alice(), onair.User{Sub: "sub-bob", Username: "bob", ChannelArn: otherArn}, onair.User{Sub: "sub-nochannel"}),
		ingest:  &fakeIngest{raw: json.RawMessage(ingestJSON)},
		metrics: &fakeMetrics{},
		now:     now,
	}
	e.h = &health{
		Sessions: e.store, Users: e.store, Ingest: e.ingest, Metrics: e.metrics,
		Tokens:      NewPageTokens(staticSecret(testSecret)),
		ChannelType: "STANDARD",
		Now:         func() time.Time { return e.now },
	}
	e.mux = httpapi.Routes(map[string]http.Handler{
		"GET /metrics/{channelResourceId}/streamSessions":                   e.h.ListStreamSessions(),
		"GET /metrics/{channelResourceId}/streamSessions/{streamSessionId}": e.h.GetStreamSession(),
	})
	return e
}

func (e *healthEnv) get(t *testing.T, sub, path string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if sub != "" {
		r = r.WithContext(onair.WithCaller(r.Context(), onair.Caller{Sub: sub}))
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	return w, body
}

// seedSession writes a session built from events through the processor's
// own normalization.
func (e *healthEnv) seedSession(t *testing.T, arn, stream string, evs ...onair.StreamEvent) {
	t.Helper()
	_, err := e.store.UpdateSession(context.Background(), arn, stream, func(s *onair.StreamSession) error {
		s.OwnerSub = ownerSub
		s.Events = append(s.Events, evs...)
		normalize(s)
		return nil
	})
	require.NoError(t, err)
}

func sev(id, typ, name string, at time.Time) onair.StreamEvent {
	return onair.StreamEvent{ID: id, Type: typ, Name: name, Time: at}
}

func TestListStreamSessionsAuthorization(t *testing.T) {
	e := newHealthEnv(t, t0)
	cases := []struct {
		name   string
		sub    string
		status int
		typ    string
	}{
		{"anonymous", "", http.StatusUnauthorized, "UnauthorizedException"},
		{"someone else's channel", "sub-bob", http.StatusForbidden, "ForbiddenException"},
		{"no channel yet", "sub-nochannel", http.StatusForbidden, "ForbiddenException"},
		{"no user record", "sub-ghost", http.StatusForbidden, "ForbiddenException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lists, gets := e.store.Calls("ListSessions"), e.store.Calls("GetSession")
			w, body := e.get(t, tc.sub, "/metrics/AbCdEf123456/streamSessions")
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.typ, body["__type"])
			assert.Equal(t, lists, e.store.Calls("ListSessions"), "no query for a caller who does not own the channel")
			w, _ = e.get(t, tc.sub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, gets, e.store.Calls("GetSession"))
		})
	}
}

func TestListStreamSessionsPages(t *testing.T) {
	e := newHealthEnv(t, t0.Add(1000*time.Hour))
	for i := range 120 {
		at := t0.Add(time.Duration(i) * time.Hour)
		evs := []onair.StreamEvent{sev(fmt.Sprintf("c%d", i), TypeStateChange, SessionCreated, at)}
		if i < 119 {
			evs = append(evs, sev(fmt.Sprintf("e%d", i), TypeStateChange, SessionEnded, at.Add(30*time.Minute)))
		} else {
			evs = append(evs, sev("s119", TypeStateChange, StreamStart, at.Add(time.Second)))
		}
		if i == 5 {
			evs = append(evs, sev("lb", TypeLimitBreach, "Ingest Bitrate", at.Add(time.Minute)))
		}
		e.seedSession(t, testArn, fmt.Sprintf("st-%03d", i), evs...)
	}
	e.seedSession(t, otherArn, "st-bob", sev("b", TypeStateChange, SessionCreated, t0))

	var all []map[string]any
	token := ""
	for page := 0; ; page++ {
		path := "/metrics/AbCdEf123456/streamSessions"
		if token != "" {
			path += "?nextToken=" + url.QueryEscape(token)
		}
		w, body := e.get(t, ownerSub, path)
		require.Equal(t, http.StatusOK, w.Code, body)
		assert.Equal(t, float64(50), body["maxResults"])
		items := body["streamSessions"].([]any)
		for _, it := range items {
			all = append(all, it.(map[string]any))
		}
		next, _ := body["nextToken"].(string)
		if page < 2 {
			assert.Len(t, items, 50)
			require.NotEmpty(t, next)
		} else {
			assert.Len(t, items, 20)
			assert.Empty(t, next, "no token after the last page")
			break
		}
		token = next
	}
	require.Len(t, all, 120)
	assert.Equal(t, "st-119", all[0]["streamId"], "newest first")
	assert.Equal(t, true, all[0]["isLive"])
	assert.NotContains(t, all[0], "endTime")
	assert.Equal(t, testArn, all[0]["channelArn"])
	assert.Equal(t, "st-000", all[119]["streamId"])
	assert.Equal(t, false, all[119]["isLive"])
	assert.Equal(t, "2026-01-10T18:30:00Z", all[119]["endTime"])
	assert.Equal(t, true, all[114]["hasErrorEvent"])
	assert.Equal(t, "st-005", all[114]["streamId"])
	for _, it := range all {
		assert.NotEqual(t, "st-bob", it["streamId"])
	}
}

func TestListStreamSessionsBadToken(t *testing.T) {
	e := newHealthEnv(t, t0)
	// A token sealed for Bob's channel does not open on Alice's.
	bobs, err := e.h.Tokens.Seal(context.Background(), otherArn, "1")
	require.NoError(t, err)
	for name, token := range map[string]string{"garbage": "abc", "another channel's": bobs} {
		t.Run(name, func(t *testing.T) {
			w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions?nextToken="+url.QueryEscape(token))
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Equal(t, "InvalidNextTokenException", body["__type"])
		})
	}
}

func TestGetStreamSessionSupersededIsNotLive(t *testing.T) {
	e := newHealthEnv(t, t0.Add(time.Hour))
	e.seedSession(t, testArn, streamOne,
		sev("c", TypeStateChange, SessionCreated, t0),
		sev("s", TypeStateChange, StreamStart, t0.Add(2*time.Second)),
		supersededMarker(),
	)
	w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
	require.Equal(t, http.StatusOK, w.Code, body)
	assert.Equal(t, false, body["isLive"])
	assert.Equal(t, map[string]any{"type": "STANDARD"}, body["channel"])
	assert.Equal(t, streamOne, body["streamId"])
	evs := body["truncatedEvents"].([]any)
	require.Len(t, evs, 2, "onair's own marker is never shown")
	for _, ev := range evs {
		assert.NotContains(t, ev.(map[string]any)["type"], "onair")
	}
	require.Len(t, e.metrics.reqs, 1)
	assert.Equal(t, t0.Add(time.Hour), e.metrics.reqs[0].End, "no end known: metrics up to now")
}

func TestGetStreamSessionLiveWindow(t *testing.T) {
	now := t0.Add(4*time.Hour + 2*time.Second)
	e := newHealthEnv(t, now)
	e.metrics.lag = 30 * time.Second // as CloudWatch
	e.seedSession(t, testArn, streamOne,
		sev("c", TypeStateChange, SessionCreated, t0),
		sev("s", TypeStateChange, StreamStart, t0.Add(2*time.Second)),
		sev("h1", TypeHealthChange, StarvationStart, t0.Add(time.Hour)),
		sev("h2", TypeHealthChange, StarvationEnd, t0.Add(time.Hour+20*time.Second)),
	)
	w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
	require.Equal(t, http.StatusOK, w.Code, body)
	assert.Equal(t, true, body["isLive"])
	assert.Equal(t, true, body["isHealthy"])
	assert.NotContains(t, body, "endTime")
	assert.Equal(t, now.Add(-3*time.Hour).Format(time.RFC3339), body["startTime"], "a live session shows its last 3 hours")

	require.Len(t, e.metrics.reqs, 1)
	req := e.metrics.reqs[0]
	assert.Equal(t, "AbCdEf123456", req.ChannelID)
	assert.Equal(t, 5, req.Period)
	// 19:00:02 aligned down would be older than 3 h (the 60 s band), so it
	// is aligned up.
	assert.Equal(t, time.Date(2026, 1, 10, 19, 0, 5, 0, time.UTC), req.Start)
	assert.Equal(t, time.Date(2026, 1, 10, 22, 0, 5, 0, time.UTC), req.End)
	assert.Equal(t, healthMetrics, req.Metrics)

	metrics := body["metrics"].([]any)
	require.Len(t, metrics, 4)
	first := metrics[0].(map[string]any)
	assert.Equal(t, MetricIngestVideoBitrate, first["label"])
	assert.Equal(t, 2160-6, len(first["data"].([]any)), "the last 30 s of live chart data are dropped")
	third := metrics[2].(map[string]any)
	assert.Equal(t, MetricKeyframeInterval, third["label"])
	assert.Equal(t, 2160-6, len(third["data"].([]any)), "filled like the others, so trimmed like them")

	evs := body["truncatedEvents"].([]any)
	require.Len(t, evs, 4)
	assert.Equal(t, StarvationEnd, evs[0].(map[string]any)["name"], "newest first while live")
	assert.Equal(t, SessionCreated, evs[3].(map[string]any)["name"])

	assert.Equal(t, 1, e.ingest.calls)
	assert.JSONEq(t, ingestJSON, string(mustJSON(t, body["ingestConfiguration"])))
	s, _ := e.store.session(testArn, streamOne)
	assert.JSONEq(t, ingestJSON, string(s.IngestConfiguration), "cached in the session")
	assert.Empty(t, s.Metrics, "live metrics are never cached")

	diags := body["diagnoses"].([]any)
	var diagIDs []string
	for _, d := range diags {
		diagIDs = append(diagIDs, d.(map[string]any)["id"].(string))
	}
	assert.Equal(t, []string{"video-bitrate", "starvation"}, diagIDs, "9.5 Mbps on STANDARD, and the 20 s starvation")

	_, _ = e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
	assert.Equal(t, 1, e.ingest.calls, "the cached configuration is used")
	assert.Len(t, e.metrics.reqs, 2, "live metrics are read every time")
}

// A new live session read from a source without lag (the offline media
// plane) has chart data from its first seconds; from CloudWatch (30 s lag)
// the same window is all fill, so nothing is shown yet.
func TestGetStreamSessionNewLiveSessionByLag(t *testing.T) {
	cases := []struct {
		name   string
		lag    time.Duration
		points int
	}{
		{"no lag (offline media plane)", 0, 4},
		{"CloudWatch's 30 s", 30 * time.Second, 0},
		{"a 10 s lag drops two 5 s periods", 10 * time.Second, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := t0.Add(17 * time.Second)
			e := newHealthEnv(t, now)
			e.metrics.lag = tc.lag
			e.seedSession(t, testArn, streamOne,
				sev("c", TypeStateChange, SessionCreated, t0),
				sev("s", TypeStateChange, StreamStart, t0.Add(time.Second)))
			w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
			require.Equal(t, http.StatusOK, w.Code, body)
			require.Equal(t, true, body["isLive"])
			byLabel := map[string][]any{}
			for _, m := range body["metrics"].([]any) {
				mm := m.(map[string]any)
				byLabel[mm["label"].(string)] = mm["data"].([]any)
			}
			// [t0, t0+20 s) at 5 s: four points from the source.
			assert.Len(t, byLabel[MetricIngestVideoBitrate], tc.points)
			assert.Len(t, byLabel[MetricIngestFramerate], tc.points)
			// Filled like the others (a period without a keyframe repeats
			// the last interval), so trimmed by the lag like them.
			assert.Len(t, byLabel[MetricKeyframeInterval], tc.points)
			assert.Len(t, byLabel[MetricConcurrentViews], tc.points)
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestGetStreamSessionEndedCachesEachResolution(t *testing.T) {
	end := t0.Add(time.Hour)
	e := newHealthEnv(t, end.Add(10*24*time.Hour))
	e.seedSession(t, testArn, streamOne,
		sev("c", TypeStateChange, SessionCreated, t0),
		sev("s", TypeStateChange, StreamStart, t0.Add(2*time.Second)),
		sev("x", TypeStateChange, StreamEnd, end),
		sev("e", TypeStateChange, SessionEnded, end),
	)
	path := "/metrics/AbCdEf123456/streamSessions/" + streamOne
	w, body := e.get(t, ownerSub, path)
	require.Equal(t, http.StatusOK, w.Code, body)
	assert.Equal(t, false, body["isLive"])
	assert.Equal(t, t0.Format(time.RFC3339), body["startTime"])
	assert.Equal(t, end.Format(time.RFC3339), body["endTime"])
	evs := body["truncatedEvents"].([]any)
	assert.Equal(t, SessionCreated, evs[0].(map[string]any)["name"], "oldest first once ended")
	require.Len(t, e.metrics.reqs, 1)
	assert.Equal(t, 60, e.metrics.reqs[0].Period)
	first := body["metrics"].([]any)[0].(map[string]any)
	assert.Equal(t, 60, len(first["data"].([]any)), "ended sessions keep their whole chart")

	_, again := e.get(t, ownerSub, path)
	assert.Len(t, e.metrics.reqs, 1, "served from the cache")
	assert.Equal(t, body["metrics"], again["metrics"])

	e.now = end.Add(20 * 24 * time.Hour) // now in the 300 s band
	_, _ = e.get(t, ownerSub, path)
	require.Len(t, e.metrics.reqs, 2)
	assert.Equal(t, 300, e.metrics.reqs[1].Period)
	s, _ := e.store.session(testArn, streamOne)
	assert.Len(t, s.Metrics, 2, "both resolutions are kept")
}

func TestGetStreamSessionJustEndedIsNotCached(t *testing.T) {
	end := t0.Add(time.Hour)
	e := newHealthEnv(t, end.Add(time.Minute))
	e.seedSession(t, testArn, streamOne,
		sev("c", TypeStateChange, SessionCreated, t0),
		sev("e", TypeStateChange, SessionEnded, end),
	)
	_, _ = e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
	s, _ := e.store.session(testArn, streamOne)
	assert.Empty(t, s.Metrics, "CloudWatch may still be filling in the last minute")
	assert.Zero(t, e.ingest.calls, "no Stream Start: IVS has no configuration to give")
}

func TestGetStreamSessionErrors(t *testing.T) {
	t.Run("unknown session", func(t *testing.T) {
		e := newHealthEnv(t, t0)
		w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/st-nope")
		assert.Equal(t, http.StatusNotFound, w.Code)
		assert.Equal(t, "StreamSessionNotFoundException", body["__type"])
	})
	t.Run("events but no Session Created yet", func(t *testing.T) {
		e := newHealthEnv(t, t0)
		e.seedSession(t, testArn, streamOne, sev("s", TypeStateChange, StreamStart, t0))
		w, _ := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
		assert.Equal(t, http.StatusNotFound, w.Code)
	})
	t.Run("another channel's session id", func(t *testing.T) {
		e := newHealthEnv(t, t0)
		e.seedSession(t, otherArn, "st-bob", sev("c", TypeStateChange, SessionCreated, t0))
		w, _ := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/st-bob")
		assert.Equal(t, http.StatusNotFound, w.Code, "looked up on the caller's own channel only")
	})
	t.Run("ingest configuration failure degrades", func(t *testing.T) {
		e := newHealthEnv(t, t0.Add(time.Minute))
		e.ingest.raw, e.ingest.err = nil, onair.Wrap(onair.Throttled, "TooManyRequestsException", "slow", nil)
		e.seedSession(t, testArn, streamOne, sev("c", TypeStateChange, SessionCreated, t0), sev("s", TypeStateChange, StreamStart, t0))
		w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
		require.Equal(t, http.StatusOK, w.Code)
		assert.NotContains(t, body, "ingestConfiguration")
		s, _ := e.store.session(testArn, streamOne)
		assert.Empty(t, s.IngestConfiguration)
	})
	t.Run("metrics failure degrades", func(t *testing.T) {
		e := newHealthEnv(t, t0.Add(time.Minute))
		e.metrics.err = onair.Wrap(onair.Throttled, "TooManyRequestsException", "Too many requests; try again shortly.", errors.New("cw"))
		e.seedSession(t, testArn, streamOne, sev("c", TypeStateChange, SessionCreated, t0), sev("s", TypeStateChange, StreamStart, t0))
		w, body := e.get(t, ownerSub, "/metrics/AbCdEf123456/streamSessions/"+streamOne)
		require.Equal(t, http.StatusOK, w.Code, "the session is still shown")
		assert.Equal(t, true, body["metricsUnavailable"])
		assert.Empty(t, body["metrics"])
		assert.NotEmpty(t, body["truncatedEvents"])
	})
}
