package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/onair"
)

// eventStore is what the property and concurrency tests need of a store.
type eventStore interface {
	SessionStore
	UserStore
	CreateUser(ctx context.Context, u onair.User) error
	GetUser(ctx context.Context, sub string) (onair.User, error)
}

// storeCase opens a fresh, empty store for one run.
type storeCase struct {
	name string
	open func(t *testing.T) eventStore
	runs int // how many random scenarios to try
}

// runsFor scales a store's number of random scenarios by
// ONAIR_PROPERTY_RUNS_FACTOR (default 1), for longer soak runs.
func runsFor(sc storeCase) int {
	if f, err := strconv.Atoi(os.Getenv("ONAIR_PROPERTY_RUNS_FACTOR")); err == nil && f > 1 {
		return sc.runs * f
	}
	return sc.runs
}

// scenario is a realistic history of IVS events for a few channels.
type scenario struct {
	channels []scenarioChannel
	events   []scenarioEvent // in the order IVS emitted them
	end      time.Time
}

type scenarioChannel struct {
	arn, owner string
	streams    []string
}

type scenarioEvent struct {
	raw json.RawMessage
	at  time.Time
	// needs is the id of an event that must be delivered before this one
	// (a limit breach without stream_id needs its session's Session Created).
	needs string
	id    string
}

// genScenario builds 1–2 channels with 1–4 sessions each: lifecycle events
// (a session's Session Ended may be lost, so that the next session has to
// supersede it; the last session may still be live), starvation periods,
// limit breaches with and without stream_id, stream failures, recording
// events, and noise (CloudTrail, unknown types, unknown channels).
func genScenario(r *rand.Rand) scenario {
	sc := scenario{}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seq := 0
	add := func(spec evSpec, needs string) string {
		seq++
		spec.id = fmt.Sprintf("ev-%03d-%08x", seq, r.Uint32())
		sc.events = append(sc.events, scenarioEvent{raw: envelope(spec), at: spec.at, needs: needs, id: spec.id})
		return spec.id
	}
	nChannels := 1 + r.IntN(2)
	for c := range nChannels {
		ch := scenarioChannel{
			arn:   fmt.Sprintf("arn:aws:ivs:us-west-2:111122223333:channel/Chan%07d", c),
			owner: fmt.Sprintf("sub-owner-%d", c),
		}
		t := base.Add(time.Duration(r.IntN(600)) * time.Second)
		nSessions := 1 + r.IntN(4)
		for i := range nSessions {
			stream := fmt.Sprintf("st-%d%d%020d", c, i, r.Uint64()%1e18)
			ch.streams = append(ch.streams, stream)
			last := i == nSessions-1
			st := func(name string, at time.Time) string {
				return add(evSpec{typ: TypeStateChange, name: name, stream: stream, at: at, arn: ch.arn}, "")
			}
			start := t
			created := st(SessionCreated, start)
			st(StreamStart, start.Add(time.Duration(r.IntN(3))*time.Second))
			dur := time.Duration(120+r.IntN(1800)) * time.Second
			at := func() time.Time { return start.Add(time.Duration(5+r.IntN(int(dur/time.Second)-10)) * time.Second) }
			for range r.IntN(4) {
				s := at()
				add(evSpec{typ: TypeHealthChange, name: StarvationStart, stream: stream, at: s, arn: ch.arn}, "")
				if r.IntN(5) > 0 { // sometimes still starving at the end
					add(evSpec{typ: TypeHealthChange, name: StarvationEnd, stream: stream, at: s.Add(time.Duration(r.IntN(20)) * time.Second), arn: ch.arn}, "")
				}
			}
			for range r.IntN(3) {
				limit := []string{"Ingest Bitrate", "Ingest Resolution", "Concurrent Viewers"}[r.IntN(3)]
				if r.IntN(3) == 0 {
					add(evSpec{typ: TypeLimitBreach, name: limit, at: at(), arn: ch.arn}, created)
				} else {
					add(evSpec{typ: TypeLimitBreach, name: limit, stream: stream, at: at(), arn: ch.arn}, "")
				}
			}
			if r.IntN(6) == 0 {
				add(evSpec{typ: TypeStateChange, name: StreamFailure, stream: stream, at: at(), arn: ch.arn, extra: map[string]any{"reason": "processing capacity exceeded"}}, "")
			}
			if r.IntN(2) == 0 {
				add(evSpec{typ: TypeRecordingChange, name: "Recording Start", stream: stream, at: start.Add(2 * time.Second), arn: ch.arn}, "")
			}
			end := start.Add(dur)
			if !last || r.IntN(2) == 0 {
				st(StreamEnd, end)
				if r.IntN(2) == 0 {
					add(evSpec{typ: TypeRecordingChange, name: "Recording End", stream: stream, at: end.Add(time.Second), arn: ch.arn}, "")
				}
				if last || r.IntN(5) > 0 { // an older session's Session Ended may be lost
					st(SessionEnded, end.Add(time.Duration(r.IntN(2))*time.Second))
				}
			}
			t = end.Add(time.Duration(30+r.IntN(600)) * time.Second)
			if t.After(sc.end) {
				sc.end = t
			}
		}
		sc.channels = append(sc.channels, ch)
	}
	for range r.IntN(4) {
		at := base.Add(time.Duration(r.IntN(3600)) * time.Second)
		switch r.IntN(3) {
		case 0:
			add(evSpec{typ: TypeCloudTrail, at: at}, "")
		case 1:
			add(evSpec{typ: "IVS Stage Update", name: "Participant Published", stream: "st-x", at: at}, "")
		default:
			add(evSpec{typ: TypeStateChange, name: SessionCreated, stream: "st-stranger", at: at, arn: "arn:aws:ivs:us-west-2:999:channel/Stranger"}, "")
		}
	}
	slices.SortStableFunc(sc.events, func(a, b scenarioEvent) int { return a.at.Compare(b.at) })
	return sc
}

// shuffled returns a delivery order of sc's events with each event delivered
// one to three times, in random order. A limit breach without stream_id is
// held back until its session's Session Created has been delivered: such a
// breach is attributed using the sessions known when it is processed (see
// docs/stream-events.md), and IVS raises limit breaches while the stream is
// live, long after the session was created.
func shuffled(r *rand.Rand, sc scenario) []scenarioEvent {
	var out []scenarioEvent
	for _, e := range sc.events {
		for range 1 + r.IntN(3) {
			out = append(out, e)
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	delivered := map[string]bool{}
	var ordered, held []scenarioEvent
	for _, e := range out {
		if e.needs != "" && !delivered[e.needs] {
			held = append(held, e)
			continue
		}
		ordered = append(ordered, e)
		delivered[e.id] = true
		var still []scenarioEvent
		for _, h := range held {
			if delivered[h.needs] {
				ordered = append(ordered, h)
			} else {
				still = append(still, h)
			}
		}
		held = still
	}
	return append(ordered, held...)
}

// deliver processes the events in order; an event whose processing fails is
// redelivered later, as Lambda's asynchronous retries would.
func deliver(t *testing.T, p *Processor, evs []scenarioEvent) {
	t.Helper()
	queue := slices.Clone(evs)
	attempts := map[int]int{}
	for i := 0; i < len(queue); i++ {
		if err := p.Handle(context.Background(), queue[i].raw); err != nil {
			attempts[i]++
			require.Less(t, attempts[i], 3, "event %s keeps failing: %v", queue[i].id, err)
			queue = append(queue, queue[i])
		}
	}
}

// canonical is what must converge: the session fields and events, without
// store bookkeeping (Version) or representation details.
type canonicalSession struct {
	Found         bool
	OwnerSub      string
	StartTime     string
	EndTime       string
	Open          bool
	IsHealthy     bool
	HasErrorEvent bool
	Events        []string
}

func canonical(s onair.StreamSession, found bool) canonicalSession {
	c := canonicalSession{Found: found, OwnerSub: s.OwnerSub, Open: s.Open, IsHealthy: s.IsHealthy, HasErrorEvent: s.HasErrorEvent}
	if !s.StartTime.IsZero() {
		c.StartTime = s.StartTime.UTC().Format(time.RFC3339Nano)
	}
	if !s.EndTime.IsZero() {
		c.EndTime = s.EndTime.UTC().Format(time.RFC3339Nano)
	}
	for _, e := range s.Events {
		keys := make([]string, 0, len(e.Detail))
		for k := range e.Detail {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d := ""
		for _, k := range keys {
			d += k + "=" + e.Detail[k] + ";"
		}
		c.Events = append(c.Events, fmt.Sprintf("%s|%s|%s|%s|%s", e.ID, e.Time.UTC().Format(time.RFC3339Nano), e.Type, e.Name, d))
	}
	return c
}

type finalState struct {
	Sessions map[string]canonicalSession
	Live     map[string]string // owner → "streamId@since"
}

func snapshot(t *testing.T, st eventStore, sc scenario) finalState {
	t.Helper()
	ctx := context.Background()
	f := finalState{Sessions: map[string]canonicalSession{}, Live: map[string]string{}}
	for _, ch := range sc.channels {
		for _, id := range ch.streams {
			s, err := st.GetSession(ctx, ch.arn, id)
			if err != nil {
				require.ErrorIs(t, err, onair.ErrNotFound)
			}
			f.Sessions[id] = canonical(s, err == nil)
		}
		u, err := st.GetUser(ctx, ch.owner)
		require.NoError(t, err)
		live := u.LiveStreamID
		if u.LiveSince != nil {
			live += "@" + u.LiveSince.UTC().Format(time.RFC3339Nano)
		}
		f.Live[ch.owner] = live
	}
	return f
}

func seedUsers(t *testing.T, st eventStore, sc scenario) {
	t.Helper()
	for _, ch := range sc.channels {
		require.NoError(t, st.CreateUser(context.Background(), onair.User{
			Sub: ch.owner, Username: ch.owner, Email: ch.owner + "@example.com", ChannelArn: ch.arn,
		}))
	}
}

// checkInvariants states what in-order delivery must produce, so that the
// property cannot pass with processing that is wrong the same way in every
// order.
func checkInvariants(t *testing.T, sc scenario, f finalState) {
	t.Helper()
	for _, ch := range sc.channels {
		var liveWant string
		for i, id := range ch.streams {
			s := f.Sessions[id]
			require.True(t, s.Found, "session %s exists", id)
			assert.Equal(t, ch.owner, s.OwnerSub)
			assert.NotEmpty(t, s.StartTime)
			last := i == len(ch.streams)-1
			if !last {
				assert.False(t, s.Open, "older session %s is closed", id)
				continue
			}
			assert.Equal(t, s.EndTime == "", s.Open, "the newest session is open until it ends")
			ended := slices.ContainsFunc(s.Events, func(e string) bool { return containsName(e, StreamEnd) })
			if s.Open && !ended {
				liveWant = id + "@" + s.StartTime
			}
		}
		assert.Equal(t, liveWant, f.Live[ch.owner], "owner %s live state", ch.owner)
	}
}

func containsName(canonicalEvent, name string) bool {
	return len(canonicalEvent) > 0 && slices.Contains(splitFields(canonicalEvent), name)
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// storeCases are the stores the property and concurrency tests run
// against: bbolt on a temporary file, and DynamoDB on moto_server
// (dynamotest: started when on PATH, required in CI; without it the
// dynamodb subtest is skipped with the reason).
func storeCases(t *testing.T) []storeCase {
	cases := []storeCase{{name: "bolt", runs: 24, open: func(t *testing.T) eventStore { return bolttest.New(t) }}}
	cfg, skip := dynamotest.Endpoint(t)
	return append(cases, storeCase{name: "dynamodb", runs: 1, open: func(t *testing.T) eventStore {
		if skip != "" {
			t.Skip(skip)
		}
		return dynamotest.Open(t, cfg)
	}})
}

// TestDeliveryOrderDoesNotMatter: for random realistic histories, delivering
// the events shuffled and duplicated gives the same sessions and live state
// as delivering them once, in order.
func TestDeliveryOrderDoesNotMatter(t *testing.T) {
	for _, sc := range storeCases(t) {
		t.Run(sc.name, func(t *testing.T) {
			for run := range runsFor(sc) {
				seed := uint64(run)*7919 + 17
				r := rand.New(rand.NewPCG(seed, seed^0x5eed))
				scen := genScenario(r)
				now := scen.end.Add(time.Minute)

				inOrder := sc.open(t)
				seedUsers(t, inOrder, scen)
				deliver(t, &Processor{Sessions: inOrder, Users: inOrder, Now: func() time.Time { return now }}, scen.events)
				want := snapshot(t, inOrder, scen)
				checkInvariants(t, scen, want)

				for shuffle := range 2 {
					st := sc.open(t)
					seedUsers(t, st, scen)
					deliver(t, &Processor{Sessions: st, Users: st, Now: func() time.Time { return now }}, shuffled(r, scen))
					got := snapshot(t, st, scen)
					if !assert.Equal(t, want, got, "seed %d shuffle %d", seed, shuffle) {
						return
					}
				}
			}
		})
	}
}

// TestConcurrentDelivery delivers the events of one channel from many
// goroutines at once (each event twice): the store's conditional writes must
// keep every event and the result must equal in-order delivery.
func TestConcurrentDelivery(t *testing.T) {
	for _, sc := range storeCases(t) {
		t.Run(sc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(42, 4242))
			var scen scenario
			for {
				scen = genScenario(r)
				if len(scen.channels) == 1 && len(scen.channels[0].streams) >= 2 && len(scen.events) >= 12 {
					break
				}
			}
			now := scen.end.Add(time.Minute)
			inOrder := sc.open(t)
			seedUsers(t, inOrder, scen)
			deliver(t, &Processor{Sessions: inOrder, Users: inOrder, Now: func() time.Time { return now }}, scen.events)
			want := snapshot(t, inOrder, scen)

			st := sc.open(t)
			seedUsers(t, st, scen)
			// Everything at once, twice; then the limit breaches without
			// stream_id, which need their session to be known (see shuffled).
			var first, second []scenarioEvent
			for _, e := range scen.events {
				if e.needs == "" {
					first = append(first, e)
				} else {
					second = append(second, e)
				}
			}
			for _, wave := range [][]scenarioEvent{first, second} {
				var wg sync.WaitGroup
				errs := make(chan error, 2*len(wave))
				for copyN := range 2 {
					for i, e := range wave {
						wg.Add(1)
						go func() {
							defer wg.Done()
							p := &Processor{Sessions: st, Users: st, Now: func() time.Time { return now }}
							// Retry like Lambda would; conflicts are absorbed
							// by the store, so failures are unexpected.
							var err error
							for range 3 {
								if err = p.Handle(context.Background(), e.raw); err == nil {
									return
								}
								time.Sleep(time.Duration(10*(1+i+copyN)) * time.Millisecond)
							}
							errs <- err
						}()
					}
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					require.NoError(t, err)
				}
			}
			assert.Equal(t, want, snapshot(t, st, scen))
		})
	}
}
