package chatreview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/wait"
)

// RoomList is the IVS Chat adapter's part the sweep uses: the account's
// rooms a page at a time, and UpdateRoom.
type RoomList interface {
	Rooms
	ListRooms(ctx context.Context, cursor string) (rooms []onair.ChatRoomSummary, next string, err error)
}

// SweepStore is the store's part the sweep uses: the owners' profiles and
// the document that holds the sweep's progress.
type SweepStore interface {
	Profiles
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error)
	PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error
}

// The sweep's progress is a document of the store (Documents, which are
// keyed by a user's sub): under a sub no Cognito user can have (subs are
// UUIDs), so no account holds it or deletes it.
const (
	sweepOwner    = "_stack"
	sweepDocument = "chatRoomSweep"
)

// SweepConfig is how the sweep runs.
type SweepConfig struct {
	// Project is the "project" tag of this stack's rooms (PROJECT_TAG):
	// the account's other rooms are left alone.
	Project string
	// HandlerARN is the ChatReview function's ARN: rooms are set up with
	// Room(HandlerARN).
	HandlerARN string
	// Pace is the wait before each UpdateRoom: IVS Chat allows 5 a second
	// per account, shared with the routes that set up a room (Ensure) and
	// provisioning, so the sweep takes only part of it.
	Pace time.Duration
	// Reserve is how long before the invocation's deadline the sweep stops
	// starting work, to save its progress with time to spare.
	Reserve time.Duration
	// MaxPages bounds the ListRooms pages one run reads (0: only the
	// deadline bounds it).
	MaxPages int
}

// SweepReport counts what a run did.
type SweepReport struct {
	// Pages of ListRooms read, and this stack's rooms on them.
	Pages int `json:"pages"`
	Rooms int `json:"rooms"`
	// Updated rooms (UpdateRoom); Gone: deleted since they were listed.
	Updated int `json:"updated"`
	Gone    int `json:"gone"`
	// Failures: rooms that could not be checked or updated (logged).
	Failures int `json:"failures"`
	// Throttled: IVS Chat refused a call for its rate (after the SDK's
	// retries); the run stopped and the next one goes on from there.
	Throttled bool `json:"throttled,omitempty"`
	// Done: a full pass found every room set up with the current setting;
	// the following runs read the progress and nothing else.
	Done bool `json:"done"`
}

// sweepState is the stored progress.
type sweepState struct {
	// Marker is the setting (ChatRoomReview.Marker) the pass applies: a
	// new handler ARN, fallback or rate starts a new pass.
	Marker string `json:"marker"`
	// Cursor is the ListRooms cursor of the next page to read ("" the
	// first): a run that stops goes on from there.
	Cursor string `json:"cursor,omitempty"`
	// Dirty: this pass updated a room or failed to check one, so the pass
	// after it checks again before the sweep is done. Besides rooms made
	// meanwhile by an older deployment's instances, this covers the
	// listing's order: IVS does not document it, and should updating a
	// room move it past the cursor, rooms it displaced would be skipped;
	// a pass that updates nothing moves nothing, so it sees every room.
	Dirty bool `json:"dirty,omitempty"`
	// Done: a full pass found nothing to change.
	Done bool `json:"done,omitempty"`
	// Passes counts the passes finished for Marker (for the logs).
	Passes int `json:"passes,omitempty"`
}

// Sweep sets every room of the stack up with the review handler (the
// SetUpChatRooms function, scheduled): the rooms made before the handler
// existed, or with an earlier setting, which Ensure would otherwise set up
// only when someone asks for a token to the room. It pages through IVS
// Chat's ListRooms, a bounded number of pages per run, saving where it
// stopped; once a full pass finds nothing to change, it records that, and
// its later runs cost one read until the setting changes.
type Sweep struct {
	store SweepStore
	rooms RoomList
	cfg   SweepConfig
	want  onair.ChatRoomReview
}

// NewSweep returns the sweep; Project and HandlerARN are required.
func NewSweep(st SweepStore, rooms RoomList, cfg SweepConfig) (*Sweep, error) {
	if cfg.Project == "" || cfg.HandlerARN == "" {
		return nil, fmt.Errorf("chatreview: the sweep needs the project tag and the handler's ARN")
	}
	return &Sweep{store: st, rooms: rooms, cfg: cfg, want: Room(cfg.HandlerARN)}, nil
}

// Run is one scheduled run. It returns the errors of the rooms it could
// not check or update (the pass is then not clean, so the sweep goes on
// at the next run); a room deleted meanwhile is not an error, nor is
// IVS Chat's throttling (the run stops and the next one goes on).
func (s *Sweep) Run(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	log := telemetry.Logger(ctx)
	marker := s.want.Marker()
	st, err := s.load(ctx)
	if err != nil {
		return rep, err
	}
	if st.Marker != marker {
		st = sweepState{Marker: marker}
	}
	if st.Done {
		rep.Done = true
		return rep, nil
	}
	var errs []error
	saved, restarted := st, false
	for !s.stop(ctx, rep.Pages) {
		list, next, err := s.rooms.ListRooms(ctx, st.Cursor)
		if onair.ErrorCode(err) == onair.Invalid && st.Cursor != "" && !restarted {
			// IVS Chat no longer takes the cursor saved by an earlier run:
			// start the pass again (what it changed is already done).
			log.Warn("chat room sweep: cursor refused, starting over", "err", err.Error())
			st, restarted = sweepState{Marker: marker, Passes: st.Passes}, true
			continue
		}
		if onair.ErrorCode(err) == onair.Throttled {
			rep.Throttled = true
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("list rooms: %w", err))
			break
		}
		rep.Pages++
		complete, dirty, err := s.page(ctx, list, &rep)
		st.Dirty = st.Dirty || dirty
		errs = append(errs, err)
		if !complete {
			break // the page is read again next run: what it updated is skipped then
		}
		st.Cursor = next
		if next == "" {
			st.Passes++
			if !st.Dirty {
				st.Done = true
			} else {
				st.Dirty = false // the next pass checks again
			}
		}
		if err := s.save(ctx, st); err != nil {
			return rep, errors.Join(append(errs, err)...)
		}
		saved = st
		if st.Done || (next == "" && rep.Failures > 0) {
			// A failure that persists is retried at the next run, not pass
			// after pass within this one.
			break
		}
	}
	if st != saved {
		// Stopped within a page: the cursor stays, the pass is marked dirty.
		errs = append(errs, s.save(ctx, st))
	}
	rep.Done = st.Done
	if rep.Updated > 0 {
		// Only when there is something to count: a metric sent every run
		// is billed all month.
		telemetry.MetricsFrom(ctx).Count(ctx, "ChatRoomsSetUp", float64(rep.Updated))
	}
	log.Info("chat room sweep done", "pages", rep.Pages, "rooms", rep.Rooms, "updated", rep.Updated, "gone", rep.Gone,
		"failures", rep.Failures, "throttled", rep.Throttled, "passes", st.Passes, "done", rep.Done)
	return rep, errors.Join(errs...)
}

// page sets up this stack's rooms of one ListRooms page. complete is false
// when the run must stop before the page's end (throttled, out of time);
// dirty when a room was updated or could not be checked.
func (s *Sweep) page(ctx context.Context, list []onair.ChatRoomSummary, rep *SweepReport) (complete, dirty bool, err error) {
	var errs []error
	for _, r := range list {
		if r.Tags[onair.TagProject] != s.cfg.Project {
			continue // another stack's, or not onair's
		}
		if s.outOfTime(ctx) {
			return false, dirty, errors.Join(errs...)
		}
		rep.Rooms++
		updated, err := s.room(ctx, r, rep)
		if updated {
			rep.Updated++
			dirty = true
		}
		switch {
		case onair.ErrorCode(err) == onair.Throttled:
			rep.Throttled = true
			return false, true, errors.Join(errs...)
		case err != nil:
			rep.Failures++
			dirty = true
			errs = append(errs, fmt.Errorf("room %s: %w", r.Arn, err))
			telemetry.Logger(ctx).Error("chat room sweep: room not fully set up", "roomArn", r.Arn, "err", err.Error())
		}
	}
	return true, dirty, errors.Join(errs...)
}

// room sets r up with the setting unless it has it, and records that on
// its owner's profile (the onair:owner tag names them), so that Ensure
// does not update the room again.
func (s *Sweep) room(ctx context.Context, r onair.ChatRoomSummary, rep *SweepReport) (bool, error) {
	marker := s.want.Marker()
	owner := r.Tags[onair.TagOwner]
	if r.HandlerURI == s.want.HandlerURI && (r.FallbackResult == s.want.FallbackResult || r.FallbackResult == "") {
		// The summary shows the handler but not the room's message rate
		// (nor, should IVS leave it out, the fallback); the owner's profile
		// records the whole setting the room was last given (provisioning,
		// Ensure and this sweep set all three in one call), so it decides.
		// Judging a room by a field the listing does not carry would update
		// it on every pass, and the sweep would never be done. A room no
		// profile holds (an orphan of a failed
		// provisioning, which provisioning adopts and sets up) has the
		// handler, which is what reviews its messages, and no one can get
		// a token to it.
		if owner == "" {
			return false, nil
		}
		u, err := s.store.GetUser(ctx, owner)
		if errors.Is(err, onair.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read owner: %w", err)
		}
		if u.ChatRoomArn != r.Arn || u.ChatReview == marker {
			return false, nil
		}
	}
	s.pace(ctx)
	err := s.rooms.SetReview(ctx, r.Arn, s.want)
	if errors.Is(err, onair.ErrNotFound) {
		rep.Gone++
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if owner != "" {
		if err := record(ctx, s.store, owner, r.Arn, marker); err != nil {
			// The room is set up; the next pass sees the profile lacking
			// the marker and updates the room again (harmless), then records.
			return true, fmt.Errorf("record on the owner's profile: %w", err)
		}
	}
	return true, nil
}

// stop reports whether the run must not read another page.
func (s *Sweep) stop(ctx context.Context, pages int) bool {
	return (s.cfg.MaxPages > 0 && pages >= s.cfg.MaxPages) || s.outOfTime(ctx)
}

// outOfTime reports whether the invocation is within Reserve of its
// deadline (the context's deadline is on the wall clock, so this is too).
func (s *Sweep) outOfTime(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < s.cfg.Reserve
}

func (s *Sweep) pace(ctx context.Context) {
	_ = wait.Sleep(ctx, s.cfg.Pace) // an ended context is the caller's to see
}

func (s *Sweep) load(ctx context.Context) (sweepState, error) {
	var st sweepState
	raw, err := s.store.GetDocument(ctx, sweepOwner, sweepDocument)
	if errors.Is(err, onair.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read the sweep's progress: %w", err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		// A document this version cannot read: start over (a pass is
		// idempotent).
		return sweepState{}, nil
	}
	return st, nil
}

func (s *Sweep) save(ctx context.Context, st sweepState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := s.store.PutDocument(ctx, sweepOwner, sweepDocument, raw); err != nil {
		return fmt.Errorf("save the sweep's progress: %w", err)
	}
	return nil
}
