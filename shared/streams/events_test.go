package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

const (
	testArn   = "arn:aws:ivs:us-west-2:111122223333:channel/AbCdEf123456"
	otherArn  = "arn:aws:ivs:us-west-2:111122223333:channel/ZzZzZz999999"
	ownerSub  = "sub-alice"
	streamOne = "st-1AbCdEfGhIjKlMnOpQrStUv"
	streamTwo = "st-2AbCdEfGhIjKlMnOpQrStUv"
)

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

type evSpec struct {
	id, typ, name, stream string
	at                    time.Time
	arn                   string // "" = testArn; "-" = no resources
	extra                 map[string]any
}

func envelope(e evSpec) json.RawMessage {
	detail := map[string]any{"channel_name": "alice"}
	switch e.typ {
	case TypeLimitBreach:
		detail["limit_name"] = e.name
		detail["limit_value"] = 8500000
		detail["exceeded_by"] = 120000
		detail["limit_unit"] = "bits per second"
	case TypeRecordingChange:
		detail["recording_status"] = e.name
		detail["recording_status_reason"] = ""
		detail["recording_s3_bucket_name"] = "bucket"
	case TypeCloudTrail:
		detail["eventName"] = "PutMetadata"
	default:
		detail["event_name"] = e.name
	}
	if e.stream != "" {
		detail["stream_id"] = e.stream
	}
	for k, v := range e.extra {
		detail[k] = v
	}
	resources := []string{testArn}
	switch e.arn {
	case "":
	case "-":
		resources = []string{}
	default:
		resources = []string{e.arn}
	}
	b, err := json.Marshal(map[string]any{
		"version": "0", "id": e.id, "detail-type": e.typ, "source": "aws.ivs",
		"account": "111122223333", "time": e.at.Format(time.RFC3339), "region": "us-west-2",
		"resources": resources, "detail": detail,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func state(id, name, stream string, at time.Time) evSpec {
	return evSpec{id: id, typ: TypeStateChange, name: name, stream: stream, at: at}
}

func alice() onair.User {
	return onair.User{Sub: ownerSub, Username: "alice", ChannelArn: testArn}
}

func newProcessor(m *testStore, now time.Time) *Processor {
	return &Processor{Sessions: m, Users: m, Now: func() time.Time { return now }}
}

func handle(t *testing.T, p *Processor, specs ...evSpec) {
	t.Helper()
	for _, s := range specs {
		require.NoError(t, p.Handle(context.Background(), envelope(s)), "event %s", s.id)
	}
}

func TestIgnoredEvents(t *testing.T) {
	m := newTestStore(t, alice())
	p := newProcessor(m, t0)
	cases := []struct {
		name string
		raw  json.RawMessage
	}{
		{"cloudtrail", envelope(evSpec{id: "ct", typ: TypeCloudTrail, at: t0})},
		{"unknown detail-type", envelope(evSpec{id: "u", typ: "IVS Stage Update", name: "Participant Published", stream: streamOne, at: t0})},
		{"not json", json.RawMessage(`"hello"`)},
		{"no name", envelope(evSpec{id: "nn", typ: TypeStateChange, stream: streamOne, at: t0})},
		{"bad time", json.RawMessage(`{"id":"bt","detail-type":"IVS Stream State Change","time":"yesterday","resources":["` + testArn + `"],"detail":{"event_name":"Session Created","stream_id":"st-1"}}`)},
		{"detail not an object", json.RawMessage(`{"id":"bd","detail-type":"IVS Stream State Change","time":"2026-01-10T18:00:00Z","resources":["` + testArn + `"],"detail":[1]}`)},
		{"no resources", envelope(evSpec{id: "nr", typ: TypeStateChange, name: SessionCreated, stream: streamOne, at: t0, arn: "-"})},
		{"account-level breach", envelope(evSpec{id: "ab", typ: TypeLimitBreach, name: "Concurrent Broadcasts", at: t0, arn: "-"})},
		{"unknown channel", envelope(evSpec{id: "uc", typ: TypeStateChange, name: SessionCreated, stream: streamOne, at: t0, arn: otherArn})},
		{"no stream id", envelope(evSpec{id: "ns", typ: TypeStateChange, name: StreamStart, at: t0})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, p.Handle(context.Background(), tc.raw))
			assert.Zero(t, m.Calls("UpdateSession"), "nothing may be written")
		})
	}
}

func TestLifecycle(t *testing.T) {
	m := newTestStore(t, alice())
	p := newProcessor(m, t0.Add(time.Hour))
	ctx := context.Background()

	handle(t, p, state("e1", SessionCreated, streamOne, t0))
	s, ok := m.session(testArn, streamOne)
	require.True(t, ok)
	assert.Equal(t, ownerSub, s.OwnerSub)
	assert.True(t, s.StartTime.Equal(t0))
	assert.True(t, s.Open)
	assert.True(t, s.IsHealthy)
	assert.False(t, s.HasErrorEvent)
	u, _ := m.GetUser(ctx, ownerSub)
	assert.Nil(t, u.LiveSince, "not live before Stream Start")

	handle(t, p, state("e2", StreamStart, streamOne, t0.Add(3*time.Second)))
	u, _ = m.GetUser(ctx, ownerSub)
	require.NotNil(t, u.LiveSince)
	assert.True(t, u.LiveSince.Equal(t0))
	assert.Equal(t, streamOne, u.LiveStreamID)

	handle(t, p, evSpec{id: "e3", typ: TypeHealthChange, name: StarvationStart, stream: streamOne, at: t0.Add(time.Minute)})
	s, _ = m.session(testArn, streamOne)
	assert.False(t, s.IsHealthy)
	handle(t, p, evSpec{id: "e4", typ: TypeHealthChange, name: StarvationEnd, stream: streamOne, at: t0.Add(2 * time.Minute)})
	s, _ = m.session(testArn, streamOne)
	assert.True(t, s.IsHealthy)

	handle(t, p, evSpec{id: "e5", typ: TypeLimitBreach, name: "Ingest Bitrate", stream: streamOne, at: t0.Add(3 * time.Minute)})
	s, _ = m.session(testArn, streamOne)
	assert.True(t, s.HasErrorEvent)
	breach := s.Events[len(s.Events)-1]
	assert.Equal(t, map[string]string{"limit_value": "8500000", "exceeded_by": "120000", "limit_unit": "bits per second"}, breach.Detail)

	handle(t, p, evSpec{id: "e6", typ: TypeRecordingChange, name: "Recording Start", stream: streamOne, at: t0.Add(4 * time.Minute)})
	handle(t, p, state("e7", StreamEnd, streamOne, t0.Add(10*time.Minute)))
	u, _ = m.GetUser(ctx, ownerSub)
	assert.Nil(t, u.LiveSince, "Stream End ends the live state")
	assert.Empty(t, u.LiveStreamID)

	handle(t, p, state("e8", SessionEnded, streamOne, t0.Add(10*time.Minute)))
	s, _ = m.session(testArn, streamOne)
	assert.False(t, s.Open)
	assert.True(t, s.EndTime.Equal(t0.Add(10*time.Minute)))
	var names []string
	for _, e := range s.Events {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{SessionCreated, StreamStart, StarvationStart, StarvationEnd, "Ingest Bitrate", "Recording Start", StreamEnd, SessionEnded}, names)
}

func TestRedeliveryChangesNothing(t *testing.T) {
	m := newTestStore(t, alice())
	p := newProcessor(m, t0)
	handle(t, p, state("e1", SessionCreated, streamOne, t0), state("e2", StreamStart, streamOne, t0.Add(time.Second)))
	before, _ := m.session(testArn, streamOne)
	userBefore, _ := m.GetUser(context.Background(), ownerSub)
	handle(t, p, state("e2", StreamStart, streamOne, t0.Add(time.Second)), state("e1", SessionCreated, streamOne, t0))
	after, _ := m.session(testArn, streamOne)
	userAfter, _ := m.GetUser(context.Background(), ownerSub)
	assert.Equal(t, before, after, "a redelivered event must not write")
	assert.Equal(t, userBefore.Version, userAfter.Version)
}

func TestMetricsCountOnlyNewEvents(t *testing.T) {
	m := newTestStore(t, alice())
	p := newProcessor(m, t0)
	var out bytes.Buffer
	ctx := telemetry.WithMetrics(context.Background(), telemetry.NewMetrics(&out, "StreamEvents", nil))
	for _, s := range []evSpec{
		state("e1", SessionCreated, streamOne, t0),
		state("e2", StreamStart, streamOne, t0.Add(time.Second)),
		state("e2", StreamStart, streamOne, t0.Add(time.Second)),
		{id: "e3", typ: TypeLimitBreach, name: "Ingest Resolution", stream: streamOne, at: t0.Add(time.Minute)},
		state("e4", StreamEnd, streamOne, t0.Add(time.Hour)),
	} {
		require.NoError(t, p.Handle(ctx, envelope(s)))
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	var got []string
	for _, l := range lines {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(l, &doc))
		for _, k := range []string{"StreamStarts", "StreamEnds", "LimitBreaches"} {
			if _, ok := doc[k]; ok {
				got = append(got, k)
			}
		}
		if _, ok := doc["LimitBreaches"]; ok {
			assert.Equal(t, "Ingest Resolution", doc["Limit"])
		}
	}
	assert.Equal(t, []string{"StreamStarts", "LimitBreaches", "StreamEnds"}, got)
}

func TestNewSessionSupersedesOlder(t *testing.T) {
	for _, order := range []string{"older first", "newer first"} {
		t.Run(order, func(t *testing.T) {
			m := newTestStore(t, alice())
			p := newProcessor(m, t0.Add(time.Hour))
			older := []evSpec{state("a1", SessionCreated, streamOne, t0), state("a2", StreamStart, streamOne, t0.Add(time.Second))}
			newer := []evSpec{state("b1", SessionCreated, streamTwo, t0.Add(time.Minute)), state("b2", StreamStart, streamTwo, t0.Add(time.Minute+time.Second))}
			if order == "older first" {
				handle(t, p, append(older, newer...)...)
			} else {
				handle(t, p, append(newer, older...)...)
			}
			a, _ := m.session(testArn, streamOne)
			b, _ := m.session(testArn, streamTwo)
			assert.False(t, a.Open, "the older session is closed")
			assert.True(t, a.EndTime.IsZero(), "superseding does not invent an end time")
			assert.True(t, b.Open)
			u, _ := m.GetUser(context.Background(), ownerSub)
			assert.Equal(t, streamTwo, u.LiveStreamID)
			for _, e := range a.Events {
				if IsSynthetic(e) {
					return
				}
			}
			t.Fatal("the older session records that it was superseded")
		})
	}
}

func TestSupersededMarkerDroppedOnEnd(t *testing.T) {
	m := newTestStore(t, alice())
	p := newProcessor(m, t0.Add(time.Hour))
	handle(t, p,
		state("a1", SessionCreated, streamOne, t0),
		state("b1", SessionCreated, streamTwo, t0.Add(time.Minute)),
		state("a9", SessionEnded, streamOne, t0.Add(30*time.Second)),
	)
	a, _ := m.session(testArn, streamOne)
	assert.Len(t, a.Events, 2)
	for _, e := range a.Events {
		assert.False(t, IsSynthetic(e))
	}
}

func TestLimitBreachWithoutStreamID(t *testing.T) {
	setup := func(t *testing.T, now time.Time) (*testStore, *Processor) {
		m := newTestStore(t, alice())
		p := newProcessor(m, now)
		handle(t, p,
			state("a1", SessionCreated, streamOne, t0),
			state("a9", SessionEnded, streamOne, t0.Add(10*time.Minute)),
			state("b1", SessionCreated, streamTwo, t0.Add(20*time.Minute)),
		)
		return m, p
	}
	breach := func(at time.Time) json.RawMessage {
		return envelope(evSpec{id: "lb-" + at.Format("150405"), typ: TypeLimitBreach, name: "Ingest Bitrate", at: at})
	}
	hasBreach := func(m *testStore, stream string) bool {
		s, _ := m.session(testArn, stream)
		return s.HasErrorEvent
	}

	t.Run("during the first session", func(t *testing.T) {
		m, p := setup(t, t0.Add(time.Hour))
		require.NoError(t, p.Handle(context.Background(), breach(t0.Add(5*time.Minute))))
		assert.True(t, hasBreach(m, streamOne))
		assert.False(t, hasBreach(m, streamTwo))
	})
	t.Run("during the open session", func(t *testing.T) {
		m, p := setup(t, t0.Add(time.Hour))
		require.NoError(t, p.Handle(context.Background(), breach(t0.Add(25*time.Minute))))
		assert.True(t, hasBreach(m, streamTwo))
	})
	t.Run("between sessions is dropped", func(t *testing.T) {
		m, p := setup(t, t0.Add(time.Hour))
		require.NoError(t, p.Handle(context.Background(), breach(t0.Add(15*time.Minute))))
		assert.False(t, hasBreach(m, streamOne))
		assert.False(t, hasBreach(m, streamTwo))
	})
	t.Run("before any session, recent: retried", func(t *testing.T) {
		_, p := setup(t, t0.Add(time.Minute))
		err := p.Handle(context.Background(), breach(t0.Add(-time.Minute)))
		require.Error(t, err)
	})
	t.Run("before any session, old: dropped", func(t *testing.T) {
		m, p := setup(t, t0.Add(time.Hour))
		require.NoError(t, p.Handle(context.Background(), breach(t0.Add(-time.Minute))))
		assert.False(t, hasBreach(m, streamOne))
	})
	t.Run("superseded session without end ends at the next start", func(t *testing.T) {
		m := newTestStore(t, alice())
		p := newProcessor(m, t0.Add(time.Hour))
		handle(t, p,
			state("a1", SessionCreated, streamOne, t0),
			state("b1", SessionCreated, streamTwo, t0.Add(20*time.Minute)),
		)
		require.NoError(t, p.Handle(context.Background(), breach(t0.Add(5*time.Minute))))
		require.NoError(t, p.Handle(context.Background(), breach(t0.Add(25*time.Minute))))
		assert.True(t, hasBreach(m, streamOne))
		assert.True(t, hasBreach(m, streamTwo))
		a, _ := m.session(testArn, streamOne)
		b, _ := m.session(testArn, streamTwo)
		assert.Len(t, b.Events, 2, "the later breach goes to the newer session only")
		assert.Len(t, a.Events, 3, "created, superseded marker, breach")
	})
}

func TestTransientStoreErrorsAreReturned(t *testing.T) {
	throttled := onair.Wrap(onair.Throttled, "TooManyRequestsException", "slow down", nil)
	for _, method := range []string{"GetUserByChannelArn", "UpdateSession", "ListOpenSessions", "ListSessions", "GetSession", "UpdateUser"} {
		t.Run(method, func(t *testing.T) {
			m := newTestStore(t, alice())
			p := newProcessor(m, t0)
			m.Fail(method, throttled)
			err := p.Handle(context.Background(), envelope(state("e1", SessionCreated, streamOne, t0)))
			require.Error(t, err)
			assert.ErrorIs(t, err, throttled)
			// The retry (EventBridge/Lambda redelivery) completes the work.
			require.NoError(t, p.Handle(context.Background(), envelope(state("e1", SessionCreated, streamOne, t0))))
			s, ok := m.session(testArn, streamOne)
			require.True(t, ok)
			assert.True(t, s.Open)
		})
	}
}

func TestUserDeletedMidStream(t *testing.T) {
	m := newTestStore(t, alice())
	p := newProcessor(m, t0)
	handle(t, p, state("e1", SessionCreated, streamOne, t0))
	m.Fail("UpdateUser", onair.ErrNotFound)
	require.NoError(t, p.Handle(context.Background(), envelope(state("e2", StreamStart, streamOne, t0.Add(time.Second)))))
}

func TestSetLive(t *testing.T) {
	later := t0.Add(time.Hour)
	liveOn := func(id string, since time.Time) onair.User {
		return onair.User{Sub: ownerSub, LiveStreamID: id, LiveSince: &since}
	}
	sess := func(id string, start time.Time) onair.StreamSession {
		return onair.StreamSession{StreamID: id, StartTime: start}
	}
	cases := []struct {
		name      string
		user      onair.User
		session   onair.StreamSession
		live      bool
		wantID    string
		unchanged bool
	}{
		{"set when idle", onair.User{}, sess(streamOne, t0), true, streamOne, false},
		{"already set", liveOn(streamOne, t0), sess(streamOne, t0), true, streamOne, true},
		{"newer replaces older", liveOn(streamOne, t0), sess(streamTwo, later), true, streamTwo, false},
		{"older never replaces newer", liveOn(streamTwo, later), sess(streamOne, t0), true, streamTwo, true},
		{"clear own", liveOn(streamOne, t0), sess(streamOne, t0), false, "", false},
		{"never clear another", liveOn(streamTwo, later), sess(streamOne, t0), false, streamTwo, true},
		{"clear when idle is a no-op", onair.User{}, sess(streamOne, t0), false, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.user
			err := setLive(&u, tc.session, tc.live)
			if tc.unchanged {
				assert.ErrorIs(t, err, onair.ErrUnchanged)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantID, u.LiveStreamID)
			assert.Equal(t, tc.wantID != "", u.LiveSince != nil)
		})
	}
}

func TestDerive(t *testing.T) {
	ev := func(typ, name string, sec int) onair.StreamEvent {
		return onair.StreamEvent{ID: fmt.Sprintf("%s-%d", name, sec), Type: typ, Name: name, Time: t0.Add(time.Duration(sec) * time.Second)}
	}
	cases := []struct {
		name string
		evs  []onair.StreamEvent
		want Derived
	}{
		{"nothing", nil, Derived{IsHealthy: true}},
		{"created", []onair.StreamEvent{ev(TypeStateChange, SessionCreated, 0)},
			Derived{StartTime: t0, Created: true, Open: true, IsHealthy: true}},
		{"live", []onair.StreamEvent{ev(TypeStateChange, StreamStart, 2), ev(TypeStateChange, SessionCreated, 0)},
			Derived{StartTime: t0, Created: true, Open: true, Started: true, IsHealthy: true}},
		{"ended before created arrives", []onair.StreamEvent{ev(TypeStateChange, SessionEnded, 9)},
			Derived{EndTime: t0.Add(9 * time.Second), Ended: true, IsHealthy: true}},
		{"starving: latest health event wins, in any order", []onair.StreamEvent{ev(TypeHealthChange, StarvationStart, 5), ev(TypeHealthChange, StarvationEnd, 3), ev(TypeHealthChange, StarvationStart, 1)},
			Derived{IsHealthy: false}},
		{"starvation start and end in the same second: end wins", []onair.StreamEvent{ev(TypeHealthChange, StarvationEnd, 4), ev(TypeHealthChange, StarvationStart, 4)},
			Derived{IsHealthy: true}},
		{"stream failure is an error", []onair.StreamEvent{ev(TypeStateChange, StreamFailure, 1)},
			Derived{IsHealthy: true, HasErrorEvent: true}},
		{"recording failure is not", []onair.StreamEvent{ev(TypeRecordingChange, "Recording Start Failure", 1)},
			Derived{IsHealthy: true}},
		{"superseded", []onair.StreamEvent{ev(TypeStateChange, SessionCreated, 0), supersededMarker()},
			Derived{StartTime: t0, Created: true, Superseded: true, IsHealthy: true}},
		{"ended wins over superseded", []onair.StreamEvent{ev(TypeStateChange, SessionCreated, 0), supersededMarker(), ev(TypeStateChange, SessionEnded, 9)},
			Derived{StartTime: t0, EndTime: t0.Add(9 * time.Second), Created: true, Ended: true, IsHealthy: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Derive(tc.evs))
		})
	}
	assert.True(t, Derive([]onair.StreamEvent{ev(TypeStateChange, SessionCreated, 0), ev(TypeStateChange, StreamStart, 1)}).Live())
	assert.False(t, Derive([]onair.StreamEvent{ev(TypeStateChange, SessionCreated, 0), ev(TypeStateChange, StreamStart, 1), ev(TypeStateChange, StreamEnd, 2)}).Live())
}

func TestCapKeepsWhatDerivationNeeds(t *testing.T) {
	var evs []onair.StreamEvent
	add := func(typ, name string, sec int) {
		evs = append(evs, onair.StreamEvent{ID: fmt.Sprintf("%s-%s-%d", typ, name, sec), Type: typ, Name: name, Time: t0.Add(time.Duration(sec) * time.Second)})
	}
	add(TypeStateChange, SessionCreated, 0)
	add(TypeStateChange, StreamStart, 1)
	add(TypeLimitBreach, "Ingest Bitrate", 2) // the only error, and an old one
	for i := range 300 {
		add(TypeHealthChange, StarvationStart, 10+2*i)
		add(TypeHealthChange, StarvationEnd, 11+2*i)
	}
	add(TypeHealthChange, StarvationStart, 5000) // the latest health event
	for i := range 400 {
		add(TypeRecordingChange, "Recording Start", 6000+i)
	}
	s := onair.StreamSession{Events: evs}
	full := Derive(evs)
	normalize(&s)
	assert.Len(t, s.Events, MaxEvents)
	assert.Equal(t, full, Derive(s.Events), "capping keeps every derived field")
	assert.False(t, s.IsHealthy)
	assert.True(t, s.HasErrorEvent)
	assert.True(t, s.StartTime.Equal(t0))

	// Monotone: capping in steps equals capping once.
	stepwise := onair.StreamSession{}
	for i := len(evs) - 1; i >= 0; i -= 37 {
		lo := max(0, i-36)
		stepwise.Events = append(stepwise.Events, evs[lo:i+1]...)
		normalize(&stepwise)
	}
	assert.Equal(t, s.Events, stepwise.Events)
}

func TestStreamStartCachesIngestConfiguration(t *testing.T) {
	cfg := json.RawMessage(`{"video":{"videoWidth":1280,"videoHeight":720}}`)
	cases := []struct {
		name   string
		ingest *fakeIngest
		want   json.RawMessage
	}{
		{"known at Stream Start", &fakeIngest{raw: cfg}, cfg},
		{"IVS fails: the event still applies", &fakeIngest{err: errors.New("throttled")}, nil},
		{"not known yet", &fakeIngest{err: onair.ErrNotFound}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestStore(t, alice())
			p := newProcessor(m, t0.Add(time.Hour))
			p.Ingest = tc.ingest
			handle(t, p, state("e1", SessionCreated, streamOne, t0))
			assert.Zero(t, tc.ingest.calls, "asked only on Stream Start")
			handle(t, p, state("e2", StreamStart, streamOne, t0.Add(time.Second)))
			s, ok := m.session(testArn, streamOne)
			require.True(t, ok)
			assert.JSONEq(t, string(orNull(tc.want)), string(orNull(s.IngestConfiguration)))
			assert.Equal(t, 1, tc.ingest.calls)
			// A redelivery does not ask again once it is cached.
			handle(t, p, state("e2", StreamStart, streamOne, t0.Add(time.Second)))
			if tc.want != nil {
				assert.Equal(t, 1, tc.ingest.calls)
			}
		})
	}
}

func orNull(r json.RawMessage) json.RawMessage {
	if len(r) == 0 {
		return json.RawMessage("null")
	}
	return r
}
