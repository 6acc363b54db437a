package stages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// StageUpdateDetail is the detail of an "IVS Stage Update" event.
type StageUpdateDetail struct {
	SessionID     string `json:"session_id"`
	EventName     string `json:"event_name"`
	EventTime     string `json:"event_time"`
	UserID        string `json:"user_id"`
	ParticipantID string `json:"participant_id"`
}

// IVS Stage Update event names this service acts on.
const (
	EventPublished    = "Participant Published"
	EventUnpublished  = "Participant Unpublished"
	EventPublishError = "Participant Publish Error"
)

// StageUpdateType is the detail-type of the events HandleEvent processes.
const StageUpdateType = "IVS Stage Update"

// maxEventIDs bounds the event ids kept per participant.
const maxEventIDs = 10

// maxPublishing bounds the participants kept per stage: beyond it, those
// that stopped publishing longest ago are dropped.
const maxPublishing = 200

// HandleEvent applies an IVS Stage Update event to the stage's record:
// Participant Published / Unpublished / Publish Error set whether the
// participant publishes. Processing is idempotent and order-independent:
// each participant keeps the state of its latest event by event_time (on a
// tie, "not publishing" wins, so any delivery order gives the same result),
// and applied event ids are recorded so a redelivery writes nothing.
// Events of stages this stack does not know are ignored. A malformed event
// is logged and dropped (retrying cannot fix it); storage errors are
// returned, so EventBridge/Lambda retry.
func (s *service) HandleEvent(ctx context.Context, ev events.EventBridgeEvent) error {
	log := telemetry.Logger(ctx).With("eventId", ev.ID)
	if ev.DetailType != StageUpdateType {
		log.Debug("ignoring event", "detailType", ev.DetailType)
		return nil
	}
	var d StageUpdateDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		log.Error("malformed stage event", "err", err.Error())
		return nil
	}
	var published bool
	switch d.EventName {
	case EventPublished:
		published = true
	case EventUnpublished, EventPublishError:
	default:
		log.Debug("ignoring stage event", "eventName", d.EventName)
		return nil
	}
	if len(ev.Resources) == 0 || d.ParticipantID == "" {
		log.Error("stage event without a stage or participant", "eventName", d.EventName)
		return nil
	}
	at, err := time.Parse(time.RFC3339Nano, d.EventTime)
	if err != nil {
		at = ev.Time
	}
	at = at.UTC()
	id := onair.ResourceID(ev.Resources[0])

	_, err = s.store.UpdateStage(ctx, id, func(st *onair.Stage) error {
		return applyEvent(st, ev.ID, d, at, published)
	})
	switch {
	case errors.Is(err, onair.ErrNotFound):
		log.Debug("stage event for an unknown stage", "stageId", id)
		return nil
	case err != nil:
		return fmt.Errorf("update stage %s: %w", id, err)
	}
	if d.EventName == EventPublishError {
		log.Warn("stage publish error", "stageId", id, "participantId", d.ParticipantID, "userId", d.UserID)
	}
	telemetry.MetricsFrom(ctx).Count(ctx, "StageEvents", 1, "Event", d.EventName)
	return nil
}

// applyEvent is the pure state change of HandleEvent; ErrUnchanged when the
// event changes nothing.
func applyEvent(st *onair.Stage, eventID string, d StageUpdateDetail, at time.Time, published bool) error {
	p, seen := st.Publishing[d.ParticipantID]
	// The event-time order below already makes a redelivery change nothing;
	// the recorded ids make that explicit and cheap, and show in the record
	// which events it reflects.
	if seen && slices.Contains(p.EventIDs, eventID) {
		return onair.ErrUnchanged
	}
	newer := !seen || at.After(p.EventTime) || at.Equal(p.EventTime) && p.Published && !published
	if !newer {
		// An older (or equally old and no stronger) event: the state stands.
		return onair.ErrUnchanged
	}
	p.ParticipantID = d.ParticipantID
	if d.UserID != "" {
		p.UserID = d.UserID
	}
	if d.SessionID != "" {
		p.SessionID = d.SessionID
	}
	p.Published = published
	p.EventTime = at
	p.EventIDs = append(p.EventIDs, eventID)
	if len(p.EventIDs) > maxEventIDs {
		p.EventIDs = p.EventIDs[len(p.EventIDs)-maxEventIDs:]
	}
	if st.Publishing == nil {
		st.Publishing = map[string]onair.StageParticipant{}
	}
	st.Publishing[d.ParticipantID] = p
	if at.After(st.LastActivity) {
		st.LastActivity = at
	}
	prunePublishing(st)
	return nil
}

// prunePublishing drops the participants that stopped publishing longest ago
// once the stage keeps more than maxPublishing.
func prunePublishing(st *onair.Stage) {
	if len(st.Publishing) <= maxPublishing {
		return
	}
	var idle []onair.StageParticipant
	for _, p := range st.Publishing {
		if !p.Published {
			idle = append(idle, p)
		}
	}
	slices.SortFunc(idle, func(a, b onair.StageParticipant) int { return a.EventTime.Compare(b.EventTime) })
	for _, p := range idle {
		if len(st.Publishing) <= maxPublishing {
			break
		}
		delete(st.Publishing, p.ParticipantID)
	}
}
