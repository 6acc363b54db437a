package chatreview_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
)

// ivsRooms is IVS Chat's rooms as the sweep sees them: ListRooms in pages
// of pageSize (with tags and handler, without the rate, as IVS lists them)
// and UpdateRoom. Faults are queued per operation.
type ivsRooms struct {
	mu       sync.Mutex
	pageSize int
	order    []string
	rooms    map[string]*ivsRoom
	fail     map[string][]error
	calls    map[string]int
	updates  []string
	// beforeUpdate runs before each UpdateRoom (a room deleted meanwhile).
	beforeUpdate func(arn string)
	// updatedLast lists an updated room last, as a listing ordered by
	// update time would: with positional cursors, the rooms after it move
	// up and a pass skips some.
	updatedLast bool
}

type ivsRoom struct {
	tags   map[string]string
	review onair.ChatRoomReview
}

func newIVSRooms(pageSize int) *ivsRooms {
	return &ivsRooms{pageSize: pageSize, rooms: map[string]*ivsRoom{}, fail: map[string][]error{}, calls: map[string]int{}}
}

func (f *ivsRooms) add(arn string, tags map[string]string, review onair.ChatRoomReview) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, arn)
	f.rooms[arn] = &ivsRoom{tags: tags, review: review}
}

func (f *ivsRooms) delete(arn string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.rooms, arn)
}

func (f *ivsRooms) failNext(op string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[op] = append(f.fail[op], errs...)
}

func (f *ivsRooms) enter(op string) error {
	f.calls[op]++
	if q := f.fail[op]; len(q) > 0 {
		f.fail[op] = q[1:]
		return q[0]
	}
	return nil
}

func (f *ivsRooms) review(arn string) onair.ChatRoomReview {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rooms[arn].review
}

func (f *ivsRooms) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// ListRooms pages by position; the cursor is the index of the page's
// first room, "bad" is a cursor IVS no longer takes.
func (f *ivsRooms) ListRooms(_ context.Context, cursor string) ([]onair.ChatRoomSummary, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("ListRooms"); err != nil {
		return nil, "", err
	}
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return nil, "", onair.Errorf(onair.Invalid, "", "bad token")
		}
		start = n
	}
	var live []string
	for _, arn := range f.order {
		if f.rooms[arn] != nil {
			live = append(live, arn)
		}
	}
	end := min(start+f.pageSize, len(live))
	var page []onair.ChatRoomSummary
	for _, arn := range live[min(start, len(live)):end] {
		r := f.rooms[arn]
		page = append(page, onair.ChatRoomSummary{Arn: arn, Tags: r.tags, HandlerURI: r.review.HandlerURI, FallbackResult: r.review.FallbackResult})
	}
	next := ""
	if end < len(live) {
		next = strconv.Itoa(end)
	}
	return page, next, nil
}

func (f *ivsRooms) SetReview(_ context.Context, arn string, rv onair.ChatRoomReview) error {
	if f.beforeUpdate != nil {
		f.beforeUpdate(arn)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("UpdateRoom"); err != nil {
		return err
	}
	r := f.rooms[arn]
	if r == nil {
		return onair.Errorf(onair.NotFound, "", "room %s not found", arn)
	}
	r.review = rv
	f.updates = append(f.updates, arn)
	if f.updatedLast {
		for i, a := range f.order {
			if a == arn {
				f.order = append(append(f.order[:i:i], f.order[i+1:]...), arn)
				break
			}
		}
	}
	return nil
}

const (
	project    = "onair-test"
	oldHandler = "arn:aws:lambda:us-east-1:111122223333:function:onair-OldReview"
	newHandler = "arn:aws:lambda:us-east-1:111122223333:function:onair-ChatReview2"
)

func roomArn(name string) string { return "arn:aws:ivschat:us-east-1:111122223333:room/" + name }

func owned(sub string) map[string]string {
	return map[string]string{onair.TagProject: project, onair.TagOwner: sub}
}

func sweepConfig() chatreview.SweepConfig {
	return chatreview.SweepConfig{Project: project, HandlerARN: handler}
}

func newSweep(t *testing.T, st *storetest.Faults, rooms *ivsRooms, cfg chatreview.SweepConfig) *chatreview.Sweep {
	t.Helper()
	s, err := chatreview.NewSweep(st, rooms, cfg)
	require.NoError(t, err)
	return s
}

// TestSweep: which rooms a sweep sets up, and what it records.
func TestSweep(t *testing.T) {
	want := chatreview.Room(handler)
	old := chatreview.Room(oldHandler)
	oldRate := onair.ChatRoomReview{HandlerURI: handler, FallbackResult: chatreview.FallbackResult, MaxMessageRatePerSecond: 10}
	cases := []struct {
		name    string
		tags    map[string]string
		review  onair.ChatRoomReview // the room's, in IVS
		profile *onair.User          // its owner's, ChatRoomArn set to the room unless given
		updated bool
		marker  string // the owner's ChatReview after the sweep
	}{
		{"provisioned before the handler existed", owned("o1"), onair.ChatRoomReview{}, &onair.User{Sub: "o1"}, true, want.Marker()},
		{"an older handler", owned("o1"), old, &onair.User{Sub: "o1", ChatReview: old.Marker()}, true, want.Marker()},
		{"the handler with DENY's opposite", owned("o1"), onair.ChatRoomReview{HandlerURI: handler, FallbackResult: "ALLOW", MaxMessageRatePerSecond: 100},
			&onair.User{Sub: "o1", ChatReview: want.Marker()}, true, want.Marker()},
		{"the handler, an older rate (the profile says)", owned("o1"), oldRate, &onair.User{Sub: "o1", ChatReview: oldRate.Marker()}, true, want.Marker()},
		{"set up already", owned("o1"), want, &onair.User{Sub: "o1", ChatReview: want.Marker()}, false, want.Marker()},
		{"another stack's room", map[string]string{onair.TagProject: "onair-prod", onair.TagOwner: "o1"}, onair.ChatRoomReview{}, &onair.User{Sub: "o1"}, false, ""},
		{"an untagged room", nil, onair.ChatRoomReview{}, nil, false, ""},
		{"this stack's orphan room without the handler", owned("o1"), onair.ChatRoomReview{}, &onair.User{Sub: "o1", ChatRoomArn: roomArn("newer")}, true, ""},
		{"this stack's orphan room with the handler", owned("o1"), oldRate, &onair.User{Sub: "o1", ChatRoomArn: roomArn("newer")}, false, ""},
		{"an owner gone, no handler", owned("gone"), onair.ChatRoomReview{}, nil, true, ""},
		{"no owner tag, with the handler", map[string]string{onair.TagProject: project}, want, nil, false, ""},
		{"a listing without the fallback, the profile set up", owned("o1"), onair.ChatRoomReview{HandlerURI: handler, MaxMessageRatePerSecond: 100},
			&onair.User{Sub: "o1", ChatReview: want.Marker()}, false, want.Marker()},
		{"a listing without the fallback, the profile not set up", owned("o1"), onair.ChatRoomReview{HandlerURI: handler},
			&onair.User{Sub: "o1"}, true, want.Marker()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.WithFaults(openStore(t))
			arn := roomArn("r1")
			if tc.profile != nil {
				u := *tc.profile
				if u.ChatRoomArn == "" {
					u.ChatRoomArn = arn
				}
				require.NoError(t, st.CreateUser(t.Context(), u))
			}
			ivs := newIVSRooms(50)
			ivs.add(arn, tc.tags, tc.review)
			rep, err := newSweep(t, st, ivs, sweepConfig()).Run(t.Context())
			require.NoError(t, err)
			if tc.updated {
				assert.Equal(t, want, ivs.review(arn))
				assert.Equal(t, 1, rep.Updated)
				assert.Equal(t, 2, rep.Pages, "a pass that changed a room is checked by another")
			} else {
				assert.Equal(t, tc.review, ivs.review(arn), "untouched")
				assert.Zero(t, ivs.count("UpdateRoom"))
				assert.Equal(t, 1, rep.Pages)
			}
			assert.True(t, rep.Done)
			if tc.profile != nil {
				u, err := st.GetUser(t.Context(), tc.profile.Sub)
				require.NoError(t, err)
				if tc.marker != "" || tc.updated {
					assert.Equal(t, tc.marker, u.ChatReview)
				} else {
					assert.Equal(t, tc.profile.ChatReview, u.ChatReview)
				}
			}
		})
	}
}

// runUntilDone runs the sweep until it is done (at most limit runs) and returns
// the reports.
func runUntilDone(t *testing.T, s *chatreview.Sweep, limit int) []chatreview.SweepReport {
	t.Helper()
	var reps []chatreview.SweepReport
	for range limit {
		rep, err := s.Run(t.Context())
		require.NoError(t, err)
		reps = append(reps, rep)
		if rep.Done {
			return reps
		}
	}
	t.Fatalf("not done after %d runs: %+v", limit, reps)
	return nil
}

// TestSweepPagesAcrossRuns: a run reads at most MaxPages pages and the
// next goes on from where it stopped; a pass that changed rooms is
// followed by one that checks; once done, a run reads the progress only.
func TestSweepPagesAcrossRuns(t *testing.T) {
	st := storetest.WithFaults(openStore(t))
	ivs := newIVSRooms(2)
	var legacy []string
	for i := range 5 {
		sub := fmt.Sprintf("o%d", i)
		arn := roomArn(sub)
		require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: sub, ChatRoomArn: arn}))
		ivs.add(arn, owned(sub), onair.ChatRoomReview{})
		legacy = append(legacy, arn)
		ivs.add(roomArn("prod"+sub), map[string]string{onair.TagProject: "onair-prod"}, onair.ChatRoomReview{})
	}
	cfg := sweepConfig()
	cfg.MaxPages = 2
	s := newSweep(t, st, ivs, cfg)
	reps := runUntilDone(t, s, 20)
	// 10 rooms in pages of 2: 5 pages a pass, 2 a run; the first pass
	// updates, the second finds nothing and the sweep is done.
	require.Len(t, reps, 5)
	pages := 0
	updated := 0
	for _, r := range reps {
		assert.LessOrEqual(t, r.Pages, 2)
		pages += r.Pages
		updated += r.Updated
	}
	assert.Equal(t, 10, pages)
	assert.Equal(t, 5, updated)
	sort.Strings(ivs.updates)
	sort.Strings(legacy)
	assert.Equal(t, legacy, ivs.updates, "each of this stack's rooms once, no other stack's")
	for i := range 5 {
		u, err := st.GetUser(t.Context(), fmt.Sprintf("o%d", i))
		require.NoError(t, err)
		assert.Equal(t, chatreview.Room(handler).Marker(), u.ChatReview)
		assert.Empty(t, ivs.review(roomArn(fmt.Sprintf("prodo%d", i))).HandlerURI)
	}

	// Done: the next runs read the progress and nothing else.
	lists, reads, writes, docs := ivs.count("ListRooms"), st.Calls("GetUser"), st.Calls("UpdateUser"), st.Calls("GetDocument")
	for range 3 {
		rep, err := s.Run(t.Context())
		require.NoError(t, err)
		assert.Equal(t, chatreview.SweepReport{Done: true}, rep)
	}
	assert.Equal(t, lists, ivs.count("ListRooms"), "no ListRooms once done")
	assert.Equal(t, docs+3, st.Calls("GetDocument"), "one read a run")
	assert.Equal(t, reads, st.Calls("GetUser"))
	assert.Equal(t, writes, st.Calls("UpdateUser"))

	// A new handler: a new pass sets every room up again.
	cfg.HandlerARN = newHandler
	s2 := newSweep(t, st, ivs, cfg)
	reps = runUntilDone(t, s2, 20)
	updated = 0
	for _, r := range reps {
		updated += r.Updated
	}
	assert.Equal(t, 5, updated)
	for _, arn := range legacy {
		assert.Equal(t, chatreview.Room(newHandler), ivs.review(arn))
	}
	u, err := st.GetUser(t.Context(), "o0")
	require.NoError(t, err)
	assert.Equal(t, chatreview.Room(newHandler).Marker(), u.ChatReview)
}

// TestSweepRoomDeletedMidSweep: a room listed, then deleted before its
// UpdateRoom, is counted gone, not an error, and does not hold the sweep.
func TestSweepRoomDeletedMidSweep(t *testing.T) {
	st := storetest.WithFaults(openStore(t))
	ivs := newIVSRooms(50)
	for _, sub := range []string{"a", "b", "c"} {
		require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: sub, ChatRoomArn: roomArn(sub)}))
		ivs.add(roomArn(sub), owned(sub), onair.ChatRoomReview{})
	}
	ivs.beforeUpdate = func(arn string) {
		if arn == roomArn("b") {
			ivs.delete(arn)
		}
	}
	s := newSweep(t, st, ivs, sweepConfig())
	rep, err := s.Run(t.Context())
	require.NoError(t, err)
	// The pass that updated a and c, and the one that found them set up.
	assert.Equal(t, chatreview.SweepReport{Pages: 2, Rooms: 5, Updated: 2, Gone: 1, Done: true}, rep)
	assert.Equal(t, chatreview.Room(handler), ivs.review(roomArn("a")))
	assert.Equal(t, chatreview.Room(handler), ivs.review(roomArn("c")))
}

// TestSweepFailures: throttling stops the run without an error and the
// next run goes on from the same page; a store or IVS failure on a room is
// an error and keeps the pass from counting as clean; a cursor IVS no
// longer takes starts the pass over.
func TestSweepFailures(t *testing.T) {
	throttled := onair.Errorf(onair.Throttled, "", "Rate exceeded")
	setup := func(t *testing.T) (*storetest.Faults, *ivsRooms) {
		st := storetest.WithFaults(openStore(t))
		ivs := newIVSRooms(2)
		for _, sub := range []string{"a", "b", "c", "d"} {
			require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: sub, ChatRoomArn: roomArn(sub)}))
			ivs.add(roomArn(sub), owned(sub), onair.ChatRoomReview{})
		}
		return st, ivs
	}
	cases := []struct {
		name    string
		inject  func(st *storetest.Faults, ivs *ivsRooms)
		first   chatreview.SweepReport
		wantErr bool
	}{
		{"ListRooms throttled", func(_ *storetest.Faults, ivs *ivsRooms) { ivs.failNext("ListRooms", throttled) },
			chatreview.SweepReport{Throttled: true}, false},
		{"UpdateRoom throttled on the second page", func(_ *storetest.Faults, ivs *ivsRooms) { ivs.failNext("UpdateRoom", nil, nil, throttled) },
			chatreview.SweepReport{Pages: 2, Rooms: 3, Updated: 2, Throttled: true}, false},
		{"UpdateRoom refused", func(_ *storetest.Faults, ivs *ivsRooms) {
			ivs.failNext("UpdateRoom", onair.Errorf(onair.Internal, "", "AccessDeniedException"))
		}, chatreview.SweepReport{Pages: 2, Rooms: 4, Updated: 3, Failures: 1}, true},
		{"owner's profile unreadable", func(st *storetest.Faults, ivs *ivsRooms) {
			ivs.rooms[roomArn("a")].review = chatreview.Room(handler)
			st.Fail("GetUser", errors.New("dynamodb down"))
		}, chatreview.SweepReport{Pages: 2, Rooms: 4, Updated: 3, Failures: 1}, true},
		{"owner's profile not written", func(st *storetest.Faults, _ *ivsRooms) { st.Fail("UpdateUser", errors.New("dynamodb down")) },
			chatreview.SweepReport{Pages: 2, Rooms: 4, Updated: 4, Failures: 1}, true},
		{"progress not saved", func(st *storetest.Faults, _ *ivsRooms) { st.Fail("PutDocument", errors.New("dynamodb down")) },
			chatreview.SweepReport{Pages: 1, Rooms: 2, Updated: 2}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, ivs := setup(t)
			tc.inject(st, ivs)
			s := newSweep(t, st, ivs, sweepConfig())
			rep, err := s.Run(t.Context())
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.first, rep)
			// Nothing failing any more: the sweep gets every room set up,
			// and done.
			runUntilDone(t, s, 5)
			for _, sub := range []string{"a", "b", "c", "d"} {
				assert.Equal(t, chatreview.Room(handler), ivs.review(roomArn(sub)), sub)
				u, err := st.GetUser(t.Context(), sub)
				require.NoError(t, err)
				assert.Equal(t, chatreview.Room(handler).Marker(), u.ChatReview, sub)
			}
		})
	}
}

// TestSweepStaleCursor: a saved cursor IVS refuses starts the pass over.
func TestSweepStaleCursor(t *testing.T) {
	st := storetest.WithFaults(openStore(t))
	ivs := newIVSRooms(1)
	ivs.add(roomArn("a"), owned("a"), onair.ChatRoomReview{})
	ivs.add(roomArn("b"), owned("b"), onair.ChatRoomReview{})
	cfg := sweepConfig()
	cfg.MaxPages = 1
	s := newSweep(t, st, ivs, cfg)
	_, err := s.Run(t.Context())
	require.NoError(t, err)
	// IVS no longer takes the cursor the first run saved.
	ivs.failNext("ListRooms", onair.Errorf(onair.Invalid, "", "bad token"))
	rep, err := s.Run(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Pages)
	assert.Equal(t, 0, rep.Updated, "started over: room a, set up already")
	runUntilDone(t, s, 6)
	assert.Equal(t, chatreview.Room(handler), ivs.review(roomArn("b")))
}

// TestSweepOutOfTime: a run that starts within Reserve of its deadline
// reads nothing and saves nothing.
func TestSweepOutOfTime(t *testing.T) {
	st := storetest.WithFaults(openStore(t))
	ivs := newIVSRooms(50)
	ivs.add(roomArn("a"), owned("a"), onair.ChatRoomReview{})
	cfg := sweepConfig()
	cfg.Reserve = time.Hour
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rep, err := newSweep(t, st, ivs, cfg).Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, chatreview.SweepReport{}, rep)
	assert.Zero(t, ivs.count("ListRooms"))
	assert.Zero(t, st.Calls("PutDocument"))
}

func TestNewSweepNeedsProjectAndHandler(t *testing.T) {
	st := storetest.WithFaults(openStore(t))
	for _, cfg := range []chatreview.SweepConfig{{Project: project}, {HandlerARN: handler}} {
		_, err := chatreview.NewSweep(st, newIVSRooms(1), cfg)
		assert.Error(t, err)
	}
}

// TestSweepListingReorderedByUpdates: when an update moves a room to the
// end of the listing, a pass skips the rooms that moved up past its
// cursor; the pass after it, which updates those, and a last one that
// updates nothing leave every room set up before the sweep is done.
func TestSweepListingReorderedByUpdates(t *testing.T) {
	st := storetest.WithFaults(openStore(t))
	ivs := newIVSRooms(2)
	ivs.updatedLast = true
	subs := []string{"a", "b", "c", "d", "e"}
	for _, sub := range subs {
		require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: sub, ChatRoomArn: roomArn(sub)}))
		ivs.add(roomArn(sub), owned(sub), onair.ChatRoomReview{})
	}
	s := newSweep(t, st, ivs, sweepConfig())
	rep, err := s.Run(t.Context())
	require.NoError(t, err)
	assert.True(t, rep.Done)
	assert.Equal(t, len(subs), rep.Updated)
	assert.Greater(t, rep.Pages, 6, "more than two passes of 3 pages: the first skipped rooms")
	for _, sub := range subs {
		assert.Equal(t, chatreview.Room(handler), ivs.review(roomArn(sub)), sub)
	}
}
