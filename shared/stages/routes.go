package stages

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The constructors of the capability's functions: each takes exactly what
// its route uses, and fails when cfg is invalid (see Config.Validate).

// CreateStage serves POST /stages: opens the caller's stage and returns a
// host token.
func CreateStage(st Store, rt RealTime, m Minter, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, rt, m, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.CreateStageHandler(), nil
}

// ListStages serves GET /stages, the public list of open stages, from the
// store alone.
func ListStages(st Store, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, nil, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.ListStagesHandler(), nil
}

// GetStage serves GET /stages/{stageId} (login optional; the host also
// sees the participants).
func GetStage(st Store, rt RealTime, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, rt, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.GetStageHandler(), nil
}

// CreateStageToken serves POST /stages/{stageId}/tokens (login optional:
// anonymous viewers where the stage allows them).
func CreateStageToken(st Store, rt RealTime, m Minter, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, rt, m, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.CreateTokenHandler(), nil
}

// InviteToStage serves POST /stages/{stageId}/invites (host only).
func InviteToStage(st Store, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, nil, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.InviteHandler(), nil
}

// RevokeStageInvite serves DELETE /stages/{stageId}/invites/{username}
// (host only); a publishing invitee is disconnected.
func RevokeStageInvite(st Store, rt RealTime, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, rt, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.RevokeInviteHandler(), nil
}

// DisconnectStageParticipant serves
// DELETE /stages/{stageId}/participants/{participantId} (host only).
func DisconnectStageParticipant(st Store, rt RealTime, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, rt, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.DisconnectHandler(), nil
}

// DeleteStage serves DELETE /stages/{stageId} (host only).
func DeleteStage(st Store, rt RealTime, cfg Config, now func() time.Time) (http.Handler, error) {
	s, err := newService(st, rt, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.DeleteStageHandler(), nil
}

// StageEvents handles IVS Stage Update events (EventBridge), keeping who is
// publishing current in the store.
func StageEvents(st Store, cfg Config, now func() time.Time) (func(context.Context, events.EventBridgeEvent) error, error) {
	s, err := newService(st, nil, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.HandleEvent, nil
}

// CleanupStages deletes idle stages and orphaned IVS stages (scheduled).
func CleanupStages(st Store, rt RealTime, cfg Config, now func() time.Time) (func(context.Context) (CleanupReport, error), error) {
	s, err := newService(st, rt, nil, cfg, now)
	if err != nil {
		return nil, err
	}
	return s.Cleanup, nil
}
