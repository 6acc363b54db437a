package streams

import (
	"slices"
	"strings"
	"time"

	"github.com/onair/onair/shared/onair"
)

// EventBridge detail-types of IVS channel events.
const (
	TypeStateChange     = "IVS Stream State Change"
	TypeHealthChange    = "IVS Stream Health Change"
	TypeLimitBreach     = "IVS Limit Breach"
	TypeRecordingChange = "IVS Recording State Change"
	TypeCloudTrail      = "AWS API Call via CloudTrail"
)

// Event names the derivation reads.
const (
	SessionCreated  = "Session Created"
	SessionEnded    = "Session Ended"
	StreamStart     = "Stream Start"
	StreamEnd       = "Stream End"
	StreamFailure   = "Stream Failure"
	StarvationStart = "Starvation Start"
	StarvationEnd   = "Starvation End"
)

// typeSuperseded marks a session that a newer session of the same channel
// replaced before it ended (IVS allows one stream per channel, so the older
// session's Session Ended was lost or is late). It is stored in the event set,
// like IVS events, so that the open flag stays a pure function of the set and
// converges whatever the delivery order. It has a fixed id, so marking twice
// changes nothing, and it is never shown to clients.
const (
	typeSuperseded = "onair Session Superseded"
	supersededID   = "onair:superseded"
)

// MaxEvents bounds the events kept per session, as IVS does for its own
// truncatedEvents. Quotas per class keep what the derived fields need.
const (
	MaxEvents       = 500
	maxErrorEvents  = 100
	maxHealthEvents = 100
)

func supersededMarker() onair.StreamEvent {
	return onair.StreamEvent{ID: supersededID, Type: typeSuperseded, Name: "Superseded"}
}

// IsSynthetic reports whether e was recorded by onair rather than IVS.
func IsSynthetic(e onair.StreamEvent) bool { return strings.HasPrefix(e.Type, "onair ") }

type eventClass int

const (
	classLifecycle eventClass = iota // Session Created/Ended, Stream Start/End, marker
	classError                       // limit breaches, Stream Failure
	classHealth                      // starvation start/end
	classOther                       // recording, takeover, anything else
)

func classify(e onair.StreamEvent) eventClass {
	switch {
	case e.Type == typeSuperseded:
		return classLifecycle
	case e.Type == TypeStateChange && (e.Name == SessionCreated || e.Name == SessionEnded || e.Name == StreamStart || e.Name == StreamEnd):
		return classLifecycle
	case isErrorEvent(e):
		return classError
	case e.Type == TypeHealthChange:
		return classHealth
	}
	return classOther
}

func isErrorEvent(e onair.StreamEvent) bool {
	return e.Type == TypeLimitBreach || (e.Type == TypeStateChange && e.Name == StreamFailure)
}

// nameRank orders events that share a timestamp (EventBridge times have
// one-second precision) in the order IVS emits them, so ties resolve the same
// way on every delivery order.
var nameRank = map[string]int{
	SessionCreated:  0,
	StreamStart:     1,
	StarvationStart: 2,
	StarvationEnd:   3,
	StreamFailure:   4,
	StreamEnd:       5,
	SessionEnded:    6,
}

func rank(e onair.StreamEvent) int {
	if r, ok := nameRank[e.Name]; ok {
		return r
	}
	return 3 // between the starvation pair and the end events
}

// eventLess is the total order of a session's events: time, then lifecycle
// rank, then id.
func eventLess(a, b onair.StreamEvent) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	return strings.Compare(a.ID, b.ID)
}

// capEvents keeps at most MaxEvents of evs (sorted with eventLess): every
// lifecycle event, the newest maxErrorEvents errors, the newest
// maxHealthEvents health events, then the newest of the rest. Each quota
// keeps the top of a fixed order, so capping is monotone: capping a set, then
// adding events and capping again, equals capping the union. Redelivery and
// reordering therefore converge to the same stored set.
func capEvents(evs []onair.StreamEvent) []onair.StreamEvent {
	if len(evs) <= MaxEvents {
		return evs
	}
	keep := make([]bool, len(evs))
	kept := 0
	newest := func(class eventClass, quota int) {
		n := 0
		for i := len(evs) - 1; i >= 0 && n < quota; i-- {
			if !keep[i] && classify(evs[i]) == class {
				keep[i] = true
				n++
				kept++
			}
		}
	}
	newest(classLifecycle, MaxEvents)
	newest(classError, maxErrorEvents)
	newest(classHealth, maxHealthEvents)
	newest(classOther, max(0, MaxEvents-kept))
	out := make([]onair.StreamEvent, 0, kept)
	for i, e := range evs {
		if keep[i] {
			out = append(out, e)
		}
	}
	return out
}

// Derived is what a session's event set says about it.
type Derived struct {
	StartTime     time.Time // Session Created
	EndTime       time.Time // Session Ended
	Created       bool
	Ended         bool
	Superseded    bool
	Open          bool // created, not ended, not superseded
	Started       bool // Stream Start seen
	StreamEnded   bool // Stream End seen
	IsHealthy     bool // the latest health event is not Starvation Start
	HasErrorEvent bool // any limit breach or Stream Failure
}

// Live reports whether viewers can watch the session: it is open, its
// stream started and has not ended.
func (d Derived) Live() bool { return d.Open && d.Started && !d.StreamEnded }

// Derive computes the derived fields from evs, in any order.
func Derive(evs []onair.StreamEvent) Derived {
	d := Derived{IsHealthy: true}
	var lastHealth *onair.StreamEvent
	for i := range evs {
		e := evs[i]
		switch {
		case e.Type == typeSuperseded:
			d.Superseded = true
		case e.Type == TypeStateChange && e.Name == SessionCreated:
			if !d.Created || e.Time.Before(d.StartTime) {
				d.StartTime = e.Time
			}
			d.Created = true
		case e.Type == TypeStateChange && e.Name == SessionEnded:
			if !d.Ended || e.Time.Before(d.EndTime) {
				d.EndTime = e.Time
			}
			d.Ended = true
		case e.Type == TypeStateChange && e.Name == StreamStart:
			d.Started = true
		case e.Type == TypeStateChange && e.Name == StreamEnd:
			d.StreamEnded = true
		case e.Type == TypeHealthChange:
			if lastHealth == nil || eventLess(*lastHealth, e) < 0 {
				lastHealth = &evs[i]
			}
		}
		if isErrorEvent(e) {
			d.HasErrorEvent = true
		}
	}
	if lastHealth != nil {
		d.IsHealthy = lastHealth.Name != StarvationStart
	}
	// A session that ended is closed by its own end; whether a newer session
	// replaced it no longer matters, so the marker is dropped (normalize), and
	// every delivery order stores the same set.
	if d.Ended {
		d.Superseded = false
	}
	d.Open = d.Created && !d.Ended && !d.Superseded
	return d
}

// normalize sorts, deduplicates (by id), drops markers that no longer apply,
// caps the events and recomputes every derived field of s from them.
func normalize(s *onair.StreamSession) Derived {
	evs := slices.Clone(s.Events)
	slices.SortFunc(evs, eventLess)
	seen := make(map[string]bool, len(evs))
	evs = slices.DeleteFunc(evs, func(e onair.StreamEvent) bool {
		dup := seen[e.ID]
		seen[e.ID] = true
		return dup
	})
	d := Derive(evs)
	if d.Ended {
		evs = slices.DeleteFunc(evs, func(e onair.StreamEvent) bool { return e.Type == typeSuperseded })
	}
	evs = capEvents(evs)
	d = Derive(evs)
	s.Events = evs
	s.StartTime = d.StartTime
	s.EndTime = d.EndTime
	s.Open = d.Open
	s.IsHealthy = d.IsHealthy
	s.HasErrorEvent = d.HasErrorEvent
	return d
}

// sameState reports whether a and b store the same events and derived fields.
func sameState(a, b onair.StreamSession) bool {
	if a.OwnerSub != b.OwnerSub || !a.StartTime.Equal(b.StartTime) || !a.EndTime.Equal(b.EndTime) ||
		a.Open != b.Open || a.IsHealthy != b.IsHealthy || a.HasErrorEvent != b.HasErrorEvent ||
		len(a.Events) != len(b.Events) {
		return false
	}
	for i := range a.Events {
		if !sameEvent(a.Events[i], b.Events[i]) {
			return false
		}
	}
	return true
}

func sameEvent(a, b onair.StreamEvent) bool {
	if a.ID != b.ID || a.Type != b.Type || a.Name != b.Name || !a.Time.Equal(b.Time) || len(a.Detail) != len(b.Detail) {
		return false
	}
	for k, v := range a.Detail {
		if b.Detail[k] != v {
			return false
		}
	}
	return true
}

// newerThan orders sessions of a channel by creation: start time, then id.
func newerThan(aStart time.Time, aID string, bStart time.Time, bID string) bool {
	if c := aStart.Compare(bStart); c != 0 {
		return c > 0
	}
	return aID > bID
}
