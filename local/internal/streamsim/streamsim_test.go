package streamsim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/ivsemu"
	"github.com/onair/onair/shared/clocktest"
)

type sink struct {
	mu     sync.Mutex
	events []eventbus.Event
}

func (s *sink) Publish(_ context.Context, ev eventbus.Event) (eventbus.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
	return ev, nil
}

// names lists "detail-type/name" of the events so far.
func (s *sink) names(t *testing.T) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.events {
		var d map[string]any
		require.NoError(t, json.Unmarshal(ev.Detail, &d))
		name, _ := d["event_name"].(string)
		if name == "" {
			name, _ = d["limit_name"].(string)
		}
		out = append(out, ev.DetailType+"/"+name)
	}
	return out
}

func (s *sink) last() eventbus.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events[len(s.events)-1]
}

type env struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	clock   *clocktest.Clock
	sink    *sink
	svc     *ivsemu.Service
	sim     *Sim
	channel *ivsemu.Channel
}

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), dir: t.TempDir(), clock: clocktest.New(t0), sink: &sink{}}
	e.open()
	srv := httptest.NewServer(e.svc.Handler())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/CreateChannel", "application/json", strings.NewReader(`{"name":"alice"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct{ Channel ivsemu.Channel }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	e.channel = &out.Channel
	return e
}

func (e *env) open() {
	svc, err := ivsemu.New(ivsemu.Config{DataDir: e.dir, Account: "111122223333", Now: e.clock.Now})
	require.NoError(e.t, err)
	e.svc = svc
	e.sim = New(Config{IVS: svc, Events: e.sink, Now: e.clock.Now, Seed: 42})
	e.t.Cleanup(func() { _ = svc.Close() })
}

func TestSimulatedStreamLifecycle(t *testing.T) {
	e := newEnv(t)
	arn := e.channel.Arn
	sess, err := e.sim.Start(e.ctx, arn)
	require.NoError(t, err)
	assert.Regexp(t, `^st-[a-zA-Z0-9]{23}$`, sess.StreamID)
	assert.Equal(t, []string{"IVS Stream State Change/Session Created", "IVS Stream State Change/Stream Start"}, e.sink.names(t))
	ev := e.sink.last()
	assert.Equal(t, "aws.ivs", ev.Source)
	assert.Equal(t, []string{arn}, ev.Resources)
	assert.JSONEq(t, `{"event_name":"Stream Start","channel_name":"alice","stream_id":"`+sess.StreamID+`"}`, string(ev.Detail))
	assert.Equal(t, "2026-01-10T18:00:00Z", ev.Time.Format(time.RFC3339))

	st, err := e.svc.LiveStream(e.ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "LIVE", st.State)
	assert.Equal(t, sess.StreamID, st.StreamID)
	_, err = e.sim.Start(e.ctx, arn)
	assert.True(t, errors.Is(err, ivsemu.ErrAlreadyLive))

	e.clock.Advance(60 * time.Second)
	e.sim.Sync(e.ctx)
	id := channelID(arn)
	times, values := e.sim.Metrics(id, IngestVideoBitrate, t0, t0.Add(time.Minute+time.Second), Resolution)
	require.Len(t, times, 12, "one point every 5 s")
	assert.Equal(t, t0.Add(5*time.Second), times[0])
	for _, v := range values {
		assert.InDelta(t, 3_500_000, v, 3_500_000*0.05+1)
	}
	times, values = e.sim.Metrics(id, IngestVideoBitrate, t0, t0.Add(2*time.Minute), time.Minute)
	require.Len(t, times, 2)
	assert.Equal(t, t0, times[0])
	assert.InDelta(t, 3_500_000, values[0], 3_500_000*0.05)
	_, fps := e.sim.Metrics(id, IngestFramerate, t0, t0.Add(time.Minute), Resolution)
	assert.InDelta(t, 30, fps[0], 0.2)
	_, kf := e.sim.Metrics(id, KeyframeInterval, t0, t0.Add(time.Minute), Resolution)
	assert.InDelta(t, 2, kf[0], 0.05)
	_, views := e.sim.Metrics(id, ConcurrentViews, t0, t0.Add(time.Minute+time.Second), Resolution)
	require.Len(t, views, 12)
	assert.Greater(t, views[11], views[0], "viewers ramp up")
	st, err = e.svc.LiveStream(e.ctx, arn)
	require.NoError(t, err)
	assert.EqualValues(t, views[11], st.ViewerCount)

	e.clock.Advance(2 * time.Second)
	require.NoError(t, e.sim.Stop(e.ctx, arn))
	assert.Equal(t, []string{
		"IVS Stream State Change/Session Created", "IVS Stream State Change/Stream Start",
		"IVS Stream State Change/Stream End", "IVS Stream State Change/Session Ended",
	}, e.sink.names(t))
	_, err = e.svc.LiveStream(e.ctx, arn)
	assert.True(t, errors.Is(err, ivsemu.ErrNotBroadcasting))
	full, err := e.svc.StreamSession(e.ctx, arn, sess.StreamID)
	require.NoError(t, err)
	require.NotNil(t, full.EndTime)
	assert.Equal(t, t0.Add(62*time.Second), full.EndTime.Time)
	assert.EqualValues(t, 1280, full.IngestConfiguration.Video.VideoWidth)
	assert.Equal(t, "obs-output module (libobs version 30.1.2)", full.IngestConfiguration.Video.Encoder)
	require.Len(t, full.TruncatedEvents, 4)
	assert.Equal(t, "Session Ended", full.TruncatedEvents[0].Name, "most recent first")
	assert.Equal(t, "IVS Stream State Change", full.TruncatedEvents[0].Type)
	assert.True(t, errors.Is(e.sim.Stop(e.ctx, arn), ErrNotSimulated))
}

func TestStarvationAndLimitBreach(t *testing.T) {
	e := newEnv(t)
	arn := e.channel.Arn
	sess, err := e.sim.Start(e.ctx, arn, WithStarvation(20*time.Second, 10*time.Second),
		WithLimitBreach(40*time.Second, LimitIngestBitrate))
	require.NoError(t, err)
	e.clock.Advance(25 * time.Second)
	e.sim.Sync(e.ctx)
	st, err := e.svc.LiveStream(e.ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "STARVING", st.Health)

	e.clock.Advance(35 * time.Second)
	e.sim.Sync(e.ctx)
	assert.Equal(t, []string{
		"IVS Stream State Change/Session Created", "IVS Stream State Change/Stream Start",
		"IVS Stream Health Change/Starvation Start", "IVS Stream Health Change/Starvation End",
		"IVS Limit Breach/Ingest Bitrate",
	}, e.sink.names(t))
	breach := e.sink.last()
	assert.Equal(t, "2026-01-10T18:00:40Z", breach.Time.Format(time.RFC3339))
	assert.JSONEq(t, `{"limit_name":"Ingest Bitrate","limit_value":8500000,"exceeded_by":2550000,
		"limit_unit":"bits per second","channel_name":"alice","stream_id":"`+sess.StreamID+`"}`, string(breach.Detail))
	st, err = e.svc.LiveStream(e.ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "HEALTHY", st.Health)

	times, values := e.sim.Metrics(channelID(arn), IngestVideoBitrate, t0, t0.Add(time.Minute+time.Second), Resolution)
	require.Len(t, times, 12)
	byTime := map[time.Duration]float64{}
	for i, tm := range times {
		byTime[tm.Sub(t0)] = values[i]
	}
	assert.Zero(t, byTime[20*time.Second], "no data sent while starving")
	assert.Zero(t, byTime[25*time.Second])
	assert.Greater(t, byTime[30*time.Second], 3e6, "back after the episode")
	assert.Greater(t, byTime[40*time.Second], 8_500_000.0, "the breach shows in the metrics")

	// Inject at runtime, too.
	require.NoError(t, e.sim.Starve(e.ctx, arn, 5*time.Second))
	require.NoError(t, e.sim.BreachLimit(e.ctx, arn, LimitIngestResolution))
	assert.True(t, errors.Is(e.sim.BreachLimit(e.ctx, arn, "Nope"), ErrUnsupportedLimit))
	names := e.sink.names(t)
	assert.Equal(t, []string{"IVS Stream Health Change/Starvation Start", "IVS Limit Breach/Ingest Resolution"}, names[len(names)-2:])
	e.clock.Advance(10 * time.Second)
	e.sim.Sync(e.ctx)
	assert.Equal(t, "IVS Stream Health Change/Starvation End", e.sink.names(t)[len(e.sink.names(t))-1])

	full, err := e.svc.StreamSession(e.ctx, arn, "")
	require.NoError(t, err)
	sessions, err := json.Marshal(full.TruncatedEvents)
	require.NoError(t, err)
	assert.Contains(t, string(sessions), "Ingest Resolution")
}

func TestStopStreamAPIEndsTheSimulation(t *testing.T) {
	e := newEnv(t)
	_, err := e.sim.Start(e.ctx, e.channel.Arn)
	require.NoError(t, err)
	srv := httptest.NewServer(e.svc.Handler())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/StopStream", "application/json", strings.NewReader(`{"channelArn":"`+e.channel.Arn+`"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.False(t, e.sim.Live(e.channel.Arn))
	names := e.sink.names(t)
	assert.Equal(t, []string{"IVS Stream State Change/Stream End", "IVS Stream State Change/Session Ended"}, names[len(names)-2:])
}

func TestEndToEndThroughTheEventBus(t *testing.T) {
	e := newEnv(t)
	inv := &recordingInvoker{}
	bus, err := eventbus.New(eventbus.Config{Account: "111122223333", Invoker: inv, Now: e.clock.Now,
		Rules: []eventbus.Rule{{Name: "IVSEvents", Function: "StreamEvents",
			Pattern: json.RawMessage(`{"source":["aws.ivs"],"detail-type":["IVS Stream State Change"]}`)}}})
	require.NoError(t, err)
	defer bus.Close()
	sim := New(Config{IVS: e.svc, Events: bus, Now: e.clock.Now})
	_, err = sim.Start(e.ctx, e.channel.Arn)
	require.NoError(t, err)
	require.NoError(t, sim.Stop(e.ctx, e.channel.Arn))
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, bus.Wait(ctx))
	assert.Equal(t, []string{"Session Created", "Stream Start", "Stream End", "Session Ended"}, inv.names())
}

type recordingInvoker struct {
	mu     sync.Mutex
	events []eventbus.Event
}

func (r *recordingInvoker) Invoke(_ context.Context, _ string, payload []byte) ([]byte, error) {
	var ev eventbus.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	return nil, nil
}

func (r *recordingInvoker) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		var d map[string]string
		_ = json.Unmarshal(ev.Detail, &d)
		out = append(out, d["event_name"])
	}
	return out
}

func TestHTTPControls(t *testing.T) {
	e := newEnv(t)
	resolve := func(_ context.Context, username string) (string, error) {
		if username == "alice" {
			return e.channel.Arn, nil
		}
		return "", errors.New("no such user")
	}
	mux := http.NewServeMux()
	mux.Handle(PathPrefix, e.sim.Handler(resolve))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path, body string) (int, map[string]any) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}

	status, m := post("/_local/streams/alice/start", `{"profile":{"Width":1920,"Height":1080,"VideoBitrate":6000000},
		"starvations":[{"afterSeconds":10,"durationSeconds":5}]}`)
	require.Equal(t, 200, status, m)
	assert.Equal(t, e.channel.Arn, m["channelArn"])
	assert.Equal(t, true, m["simulated"])
	full, err := e.svc.StreamSession(e.ctx, e.channel.Arn, "")
	require.NoError(t, err)
	assert.EqualValues(t, 1920, full.IngestConfiguration.Video.VideoWidth)
	assert.EqualValues(t, 6_000_000, full.IngestConfiguration.Video.TargetBitrate)

	status, _ = post("/_local/streams/alice/start", ``)
	assert.Equal(t, 409, status)
	status, _ = post("/_local/streams/bob/start", ``)
	assert.Equal(t, 404, status)
	escaped := url.PathEscape(e.channel.Arn)
	status, m = post("/_local/streams/"+escaped+"/breach", `{"limit":"Concurrent Viewers"}`)
	assert.Equal(t, 200, status, m)
	status, _ = post("/_local/streams/"+escaped+"/breach", `{"limit":"Bogus"}`)
	assert.Equal(t, 400, status)
	status, _ = post("/_local/streams/alice/starve", `{"seconds":3}`)
	assert.Equal(t, 200, status)
	status, m = post("/_local/streams/"+escaped+"/stop", ``)
	assert.Equal(t, 200, status, m)
	assert.Equal(t, "OFFLINE", m["state"])
	status, _ = post("/_local/streams/alice/stop", ``)
	assert.Equal(t, 409, status)
	status, _ = post("/_local/streams/alice/start", `{not json`)
	assert.Equal(t, 400, status)
}

func TestResumeAfterRestart(t *testing.T) {
	e := newEnv(t)
	sess, err := e.sim.Start(e.ctx, e.channel.Arn)
	require.NoError(t, err)
	e.clock.Advance(30 * time.Second)
	e.sim.Sync(e.ctx)
	require.NoError(t, e.svc.Close())

	e.clock.Advance(30 * time.Second)
	e.open()
	require.NoError(t, e.sim.Resume(e.ctx))
	assert.True(t, e.sim.Live(e.channel.Arn))
	e.sim.Sync(e.ctx)
	times, _ := e.sim.Metrics(channelID(e.channel.Arn), IngestVideoBitrate, t0, t0.Add(2*time.Minute), Resolution)
	assert.Len(t, times, 12, "metrics continue from the last stored point")
	require.NoError(t, e.sim.Stop(e.ctx, e.channel.Arn))
	full, err := e.svc.StreamSession(e.ctx, e.channel.Arn, sess.StreamID)
	require.NoError(t, err)
	assert.NotNil(t, full.EndTime)
}

func TestStreamsEndAfter48Hours(t *testing.T) {
	e := newEnv(t)
	_, err := e.sim.Start(e.ctx, e.channel.Arn)
	require.NoError(t, err)
	e.clock.Advance(48*time.Hour + time.Minute)
	e.sim.Sync(e.ctx)
	assert.False(t, e.sim.Live(e.channel.Arn))
	names := e.sink.names(t)
	assert.Equal(t, "IVS Stream State Change/Session Ended", names[len(names)-1])
}
