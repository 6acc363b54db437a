package streams

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// SessionStore is the part of the store the event processor and the health
// routes use (store.Sessions).
type SessionStore interface {
	GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error)
	UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error)
	ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error)
	ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error)
}

// UserStore is the part of the store the event processor uses (store.Users).
type UserStore interface {
	GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error)
	UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error)
}

// detailKeys are the detail fields kept with an event, for the health page
// and the diagnoses. Everything else (channel name, S3 keys) is dropped to
// keep the session record small.
var detailKeys = []string{"code", "reason", "limit_value", "exceeded_by", "limit_unit", "recording_status_reason"}

// DefaultMatchWindow is how long a limit breach without a stream id that
// matches no known session keeps failing (so that Lambda retries it) before
// it is dropped: its session's Session Created may still be in flight.
const DefaultMatchWindow = 10 * time.Minute

// reconcileAttempts bounds the loop that brings the owner's live state in
// line with a session that keeps changing under it.
const reconcileAttempts = 5

// Processor applies IVS channel events to stream sessions and to the owner's
// live state. Processing is idempotent and order-independent: each session
// stores its set of events (keyed by EventBridge id) and every derived field
// is recomputed from the set on every write (see Derive and
// docs/stream-events.md).
type Processor struct {
	Sessions SessionStore
	Users    UserStore
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// MatchWindow: see DefaultMatchWindow (used when zero).
	MatchWindow time.Duration
	// Ingest, when set, is asked for the session's encoder configuration on
	// Stream Start, so the channel page knows the video size as soon as the
	// stream is live (not only once the streamer opens the health page).
	Ingest IngestConfigs
}

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// errRetry marks failures that a later delivery may not have; the handler
// returns them so that Lambda retries the event.
type errRetry struct{ msg string }

func (e errRetry) Error() string { return e.msg }

// Handle processes one EventBridge event. It returns an error only when a
// retry can succeed (store throttling or outage, a limit breach whose session
// is not known yet); events it can never apply are logged and dropped.
func (p *Processor) Handle(ctx context.Context, raw json.RawMessage) error {
	log := telemetry.Logger(ctx)
	var env events.EventBridgeEvent
	if err := json.Unmarshal(raw, &env); err != nil {
		log.Warn("stream event: not an EventBridge envelope; dropped", "err", err.Error())
		return nil
	}
	log = log.With("eventId", env.ID, "detailType", env.DetailType)
	ctx = telemetry.WithLogger(ctx, log)

	switch env.DetailType {
	case TypeStateChange, TypeHealthChange, TypeLimitBreach, TypeRecordingChange:
	case TypeCloudTrail:
		log.Debug("stream event: API call record ignored")
		return nil
	default:
		log.Debug("stream event: unknown detail-type ignored", "source", env.Source)
		return nil
	}
	ev, streamID, err := parseEvent(env, raw)
	if err != nil {
		log.Warn("stream event: dropped", "err", err.Error())
		return nil
	}
	if len(env.Resources) == 0 || env.Resources[0] == "" {
		if env.DetailType == TypeLimitBreach {
			log.Info("stream event: account-level limit breach", "limit", ev.Name, "detail", ev.Detail)
			return nil
		}
		log.Warn("stream event: no channel ARN in resources; dropped")
		return nil
	}
	channelArn := env.Resources[0]
	log = log.With("channelArn", channelArn)
	ctx = telemetry.WithLogger(ctx, log)

	owner, err := p.Users.GetUserByChannelArn(ctx, channelArn)
	if errors.Is(err, onair.ErrNotFound) {
		// A channel of another stack in the account, or of a deleted user:
		// retrying cannot help.
		log.Warn("stream event: no user owns this channel; dropped")
		return nil
	}
	if err != nil {
		return fmt.Errorf("owner of %s: %w", channelArn, err)
	}

	if streamID == "" {
		if env.DetailType != TypeLimitBreach {
			log.Warn("stream event: no stream_id; dropped")
			return nil
		}
		streamID, err = p.matchSession(ctx, channelArn, ev.Time)
		if err != nil {
			return err
		}
		if streamID == "" {
			log.Warn("stream event: limit breach matches no session; dropped", "eventTime", ev.Time)
			return nil
		}
	}
	log = log.With("streamId", streamID)
	ctx = telemetry.WithLogger(ctx, log)

	added, err := p.apply(ctx, channelArn, streamID, owner.Sub, ev)
	if err != nil {
		return err
	}
	if ev.Type == TypeStateChange && ev.Name == SessionCreated {
		// Run on redeliveries too: a crash after the write above must not
		// leave an older session open.
		if err := p.supersede(ctx, channelArn, streamID, owner.Sub); err != nil {
			return err
		}
	}
	// Only lifecycle events change whether a session is live. They reconcile
	// on redeliveries too, so a crash between the two writes heals on retry.
	if classify(ev) == classLifecycle {
		if err := p.reconcileLive(ctx, channelArn, streamID, owner.Sub); err != nil {
			return err
		}
	}
	if ev.Type == TypeStateChange && ev.Name == StreamStart && p.Ingest != nil {
		p.cacheIngest(ctx, channelArn, streamID)
	}
	if added {
		p.count(ctx, ev)
	}
	log.Debug("stream event applied", "name", ev.Name, "new", added)
	return nil
}

// cacheIngest stores the session's ingest configuration from IVS if it has
// none yet. Best effort: the health page fetches it later otherwise, so a
// failure is logged and the event is not retried for it.
func (p *Processor) cacheIngest(ctx context.Context, channelArn, streamID string) {
	log := telemetry.Logger(ctx)
	s, err := p.Sessions.GetSession(ctx, channelArn, streamID)
	if err != nil || len(s.IngestConfiguration) > 0 {
		return
	}
	raw, err := p.Ingest.GetIngestConfiguration(ctx, channelArn, streamID)
	if err != nil {
		log.Info("ingest configuration not cached at Stream Start", "err", err.Error())
		return
	}
	_, err = p.Sessions.UpdateSession(ctx, channelArn, streamID, func(cur *onair.StreamSession) error {
		if cur.Version == 0 || len(cur.IngestConfiguration) > 0 {
			return onair.ErrUnchanged
		}
		cur.IngestConfiguration = raw
		return nil
	})
	if err != nil && !errors.Is(err, onair.ErrUnchanged) {
		log.Warn("ingest configuration: could not cache it", "err", err.Error())
	}
}

func (p *Processor) count(ctx context.Context, ev onair.StreamEvent) {
	m := telemetry.MetricsFrom(ctx)
	switch {
	case ev.Type == TypeStateChange && ev.Name == StreamStart:
		m.Count(ctx, "StreamStarts", 1)
	case ev.Type == TypeStateChange && ev.Name == StreamEnd:
		m.Count(ctx, "StreamEnds", 1)
	case ev.Type == TypeLimitBreach:
		m.Count(ctx, "LimitBreaches", 1, "Limit", ev.Name)
	}
}

// parseEvent builds the stored event and returns the stream id ("" if the
// detail has none).
func parseEvent(env events.EventBridgeEvent, raw json.RawMessage) (onair.StreamEvent, string, error) {
	t := env.Time
	if t.IsZero() {
		return onair.StreamEvent{}, "", fmt.Errorf("no time")
	}
	var d map[string]json.RawMessage
	if len(env.Detail) > 0 {
		if err := json.Unmarshal(env.Detail, &d); err != nil {
			return onair.StreamEvent{}, "", fmt.Errorf("detail is not an object: %w", err)
		}
	}
	var nameKey string
	switch env.DetailType {
	case TypeLimitBreach:
		nameKey = "limit_name"
	case TypeRecordingChange:
		nameKey = "recording_status"
	default:
		nameKey = "event_name"
	}
	name := detailString(d[nameKey])
	if name == "" {
		return onair.StreamEvent{}, "", fmt.Errorf("no %s in detail", nameKey)
	}
	id := env.ID
	if id == "" {
		// Not expected from EventBridge; a content hash keeps redeliveries
		// of the same payload idempotent.
		sum := sha256.Sum256(raw)
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	ev := onair.StreamEvent{ID: id, Time: t.UTC(), Type: env.DetailType, Name: name}
	for _, k := range detailKeys {
		if v := detailString(d[k]); v != "" {
			if ev.Detail == nil {
				ev.Detail = map[string]string{}
			}
			ev.Detail[k] = v
		}
	}
	return ev, detailString(d["stream_id"]), nil
}

// detailString returns a detail value as text: strings unquoted, numbers and
// booleans as written, anything else "".
func detailString(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		return n.String()
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return fmt.Sprint(b)
	}
	return ""
}

// apply adds ev to the session's event set and recomputes the session. It
// reports whether the event was new.
func (p *Processor) apply(ctx context.Context, channelArn, streamID, ownerSub string, ev onair.StreamEvent) (bool, error) {
	var added bool
	_, err := p.Sessions.UpdateSession(ctx, channelArn, streamID, func(s *onair.StreamSession) error {
		added = false
		before := *s
		before.Events = append([]onair.StreamEvent(nil), s.Events...)
		present := false
		for _, e := range s.Events {
			if e.ID == ev.ID {
				present = true
				break
			}
		}
		if !present {
			s.Events = append(s.Events, ev)
		}
		if s.OwnerSub == "" {
			s.OwnerSub = ownerSub
		}
		normalize(s)
		if sameState(before, *s) {
			return onair.ErrUnchanged
		}
		for _, e := range s.Events {
			if e.ID == ev.ID {
				added = !present
				break
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("update session %s: %w", streamID, err)
	}
	return added, nil
}

// matchSession finds the session a limit breach without a stream id belongs
// to: the newest session created at or before t, if t falls before its end.
// A session without a Session Ended ends, at the latest, when the next newer
// session was created. It returns "" when no session matches, or a retryable
// error while the breach is recent enough that its session may still appear.
func (p *Processor) matchSession(ctx context.Context, channelArn string, t time.Time) (string, error) {
	var newer *onair.StreamSession
	cursor := ""
	for {
		page, next, err := p.Sessions.ListSessions(ctx, channelArn, 25, cursor)
		if err != nil {
			return "", fmt.Errorf("list sessions: %w", err)
		}
		for i := range page {
			s := page[i]
			if s.StartTime.After(t) {
				newer = &page[i]
				continue
			}
			end := s.EndTime
			if end.IsZero() && newer != nil {
				end = newer.StartTime
			}
			if end.IsZero() || !end.Before(t) {
				return s.StreamID, nil
			}
			return "", nil // t is between two sessions
		}
		if next == "" {
			break
		}
		cursor = next
	}
	window := p.MatchWindow
	if window == 0 {
		window = DefaultMatchWindow
	}
	if p.now().Sub(t) < window {
		return "", errRetry{msg: fmt.Sprintf("limit breach at %s: no session of %s known yet", t.Format(time.RFC3339), channelArn)}
	}
	return "", nil
}

// supersede closes the channel's sessions that the session streamID
// replaced, and closes streamID itself if a newer session already exists.
// Both directions are needed for order independence: the newer session's
// Session Created may be processed before or after the older one's. Each
// side writes first and lists after, so of two concurrent Session Created
// at least one sees the other.
func (p *Processor) supersede(ctx context.Context, channelArn, streamID, ownerSub string) error {
	self, err := p.Sessions.GetSession(ctx, channelArn, streamID)
	if err != nil {
		return fmt.Errorf("get session %s: %w", streamID, err)
	}
	if self.StartTime.IsZero() {
		return nil
	}
	newest, _, err := p.Sessions.ListSessions(ctx, channelArn, 2, "")
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	open, err := p.Sessions.ListOpenSessions(ctx, channelArn)
	if err != nil {
		return fmt.Errorf("list open sessions: %w", err)
	}
	selfReplaced := false
	var older []string
	seen := map[string]bool{}
	for _, s := range append(newest, open...) {
		if s.StreamID == streamID || s.StartTime.IsZero() || seen[s.StreamID] {
			continue
		}
		seen[s.StreamID] = true
		if newerThan(s.StartTime, s.StreamID, self.StartTime, self.StreamID) {
			selfReplaced = true
		} else if s.Open {
			older = append(older, s.StreamID)
		}
	}
	if selfReplaced {
		older = append(older, streamID)
	}
	for _, id := range older {
		if err := p.markSuperseded(ctx, channelArn, id); err != nil {
			return err
		}
		if id != streamID {
			if err := p.reconcileLive(ctx, channelArn, id, ownerSub); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Processor) markSuperseded(ctx context.Context, channelArn, streamID string) error {
	changed := false
	_, err := p.Sessions.UpdateSession(ctx, channelArn, streamID, func(s *onair.StreamSession) error {
		changed = false
		d := Derive(s.Events)
		if !d.Created || d.Ended || d.Superseded {
			return onair.ErrUnchanged
		}
		s.Events = append(s.Events, supersededMarker())
		normalize(s)
		changed = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("close superseded session %s: %w", streamID, err)
	}
	if changed {
		telemetry.Logger(ctx).Info("stream session closed: a newer session replaced it", "supersededStreamId", streamID)
	}
	return nil
}

// reconcileLive brings the owner's live state in line with the session: set
// while the session is live (unless the user is live on a newer session),
// cleared when it stops being live (only if it is the one the user is live
// on). It rereads the session after writing the user and repeats if the
// session changed meanwhile, so a concurrent event's reconciliation can never
// be overwritten by a stale one.
func (p *Processor) reconcileLive(ctx context.Context, channelArn, streamID, ownerSub string) error {
	for range reconcileAttempts {
		s, err := p.Sessions.GetSession(ctx, channelArn, streamID)
		if errors.Is(err, onair.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("get session %s: %w", streamID, err)
		}
		live := Derive(s.Events).Live()
		_, err = p.Users.UpdateUser(ctx, ownerSub, func(u *onair.User) error {
			return setLive(u, s, live)
		})
		if errors.Is(err, onair.ErrNotFound) {
			telemetry.Logger(ctx).Warn("stream event: channel owner deleted; live state not kept", "owner", ownerSub)
			return nil
		}
		if err != nil {
			return fmt.Errorf("update live state of %s: %w", ownerSub, err)
		}
		again, err := p.Sessions.GetSession(ctx, channelArn, streamID)
		if err != nil {
			return fmt.Errorf("get session %s: %w", streamID, err)
		}
		if again.Version == s.Version {
			return nil
		}
	}
	return errRetry{msg: fmt.Sprintf("session %s kept changing while its live state was kept", streamID)}
}

// setLive is the user update of reconcileLive.
func setLive(u *onair.User, s onair.StreamSession, live bool) error {
	if !live {
		if u.LiveStreamID != s.StreamID {
			return onair.ErrUnchanged
		}
		u.LiveStreamID = ""
		u.LiveSince = nil
		return nil
	}
	if u.LiveStreamID == s.StreamID && u.LiveSince != nil && u.LiveSince.Equal(s.StartTime) {
		return onair.ErrUnchanged
	}
	if u.LiveStreamID != "" && u.LiveStreamID != s.StreamID && u.LiveSince != nil &&
		newerThan(*u.LiveSince, u.LiveStreamID, s.StartTime, s.StreamID) {
		return onair.ErrUnchanged
	}
	since := s.StartTime
	u.LiveSince = &since
	u.LiveStreamID = s.StreamID
	return nil
}
