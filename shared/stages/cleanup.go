package stages

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/wait"
)

// CleanupReport counts what a cleanup run did.
type CleanupReport struct {
	Checked  int `json:"checked"`
	Active   int `json:"active"`
	Deleted  int `json:"deleted"`
	Orphans  int `json:"orphans"`
	Failures int `json:"failures"`
}

// maxCleanupStages bounds the stages one run reads (IVS's default quota is
// 1,000 stages per region).
const maxCleanupStages = 1000

// Cleanup deletes the stages nobody has used for longer than IdleAfter: no
// participant connected (per IVS) and no activity recorded (events, tokens)
// in that time. A stage with connected participants is marked active now,
// so it is deleted IdleAfter after the last of them is seen. Stages are read
// from the store's index of open stages (no scan). It also deletes this
// stack's IVS stages that have no record (left by a creation that failed
// half-way) once they are older than IdleAfter. Failures are logged and
// counted and the run goes on; the error joins them.
func (s *service) Cleanup(ctx context.Context) (CleanupReport, error) {
	var rep CleanupReport
	var errs []error
	log := telemetry.Logger(ctx)
	list, err := s.store.ListStages(ctx, maxCleanupStages)
	if err != nil {
		return rep, fmt.Errorf("list stages: %w", err)
	}
	for _, st := range list {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		rep.Checked++
		if s.clock().Sub(st.LastActivity) < s.cfg.IdleAfter {
			rep.Active++
			continue
		}
		deleted, err := s.cleanupStage(ctx, st)
		switch {
		case err != nil:
			rep.Failures++
			errs = append(errs, fmt.Errorf("stage %s: %w", st.ID, err))
			log.Error("stage cleanup failed", "stageId", st.ID, "err", err.Error())
		case deleted:
			rep.Deleted++
			log.Info("idle stage deleted", "stageId", st.ID, "lastActivity", st.LastActivity)
		default:
			rep.Active++
		}
	}
	n, err := s.cleanupOrphans(ctx)
	rep.Orphans = n
	if err != nil {
		rep.Failures++
		errs = append(errs, err)
		log.Error("orphaned stage cleanup failed", "err", err.Error())
	}
	if n := rep.Deleted + rep.Orphans; n > 0 {
		// Only when there is something to count: a metric sent every run
		// is billed all month on an idle stack.
		telemetry.MetricsFrom(ctx).Count(ctx, "StagesDeleted", float64(n))
	}
	log.Info("stage cleanup done", "checked", rep.Checked, "active", rep.Active, "deleted", rep.Deleted, "orphans", rep.Orphans, "failures", rep.Failures)
	return rep, errors.Join(errs...)
}

// cleanupStage deletes st if IVS shows nobody connected, or marks it active.
func (s *service) cleanupStage(ctx context.Context, st onair.Stage) (bool, error) {
	s.pace(ctx)
	live, err := s.ivs.GetStage(ctx, st.Arn)
	if errors.Is(err, onair.ErrNotFound) {
		return true, s.deleteStage(ctx, st)
	}
	if err != nil {
		return false, fmt.Errorf("ivs get stage: %w", err)
	}
	if live.ActiveSessionID != "" {
		s.pace(ctx)
		ps, err := s.sessionParticipants(ctx, onair.ParticipantQuery{
			StageArn: st.Arn, SessionID: live.ActiveSessionID, State: onair.ParticipantConnected, Max: 1,
		})
		if err != nil {
			return false, fmt.Errorf("ivs list participants: %w", err)
		}
		if len(ps) > 0 {
			now := s.clock()
			_, err := s.store.UpdateStage(ctx, st.ID, func(x *onair.Stage) error {
				if !now.After(x.LastActivity) {
					return onair.ErrUnchanged
				}
				x.LastActivity = now
				return nil
			})
			if err != nil && !errors.Is(err, onair.ErrNotFound) {
				return false, fmt.Errorf("mark stage active: %w", err)
			}
			return false, nil
		}
	}
	// Re-read just before deleting: a token issued since the listing
	// (touch) or an event means someone is about to use the stage.
	cur, err := s.store.GetStage(ctx, st.ID)
	if errors.Is(err, onair.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get stage: %w", err)
	}
	if s.clock().Sub(cur.LastActivity) < s.cfg.IdleAfter {
		return false, nil
	}
	s.pace(ctx)
	return true, s.deleteStage(ctx, cur)
}

// cleanupOrphans deletes this stack's IVS stages that have no record and
// were created longer than IdleAfter ago (younger ones may belong to a
// creation in progress, which records them in a moment).
func (s *service) cleanupOrphans(ctx context.Context) (int, error) {
	s.pace(ctx)
	tagged, err := s.ivs.ListStagesTagged(ctx, map[string]string{TagProject: s.cfg.Project})
	if err != nil {
		return 0, fmt.Errorf("ivs list stages: %w", err)
	}
	n := 0
	var errs []error
	for _, live := range tagged {
		if live.Tags[TagOwner] == "" || live.ActiveSessionID != "" {
			continue
		}
		created, err := time.Parse(time.RFC3339Nano, live.Tags[TagCreatedAt])
		if err != nil || s.clock().Sub(created) < s.cfg.IdleAfter {
			continue
		}
		_, err = s.store.GetStage(ctx, live.ID())
		if err == nil {
			continue
		}
		if !errors.Is(err, onair.ErrNotFound) {
			errs = append(errs, fmt.Errorf("get stage %s: %w", live.ID(), err))
			continue
		}
		// A retry of the failed creation would have adopted it by now; if
		// one comes later, it creates a new stage.
		s.pace(ctx)
		if err := s.ivs.DeleteStage(ctx, live.Arn); err != nil && !errors.Is(err, onair.ErrNotFound) {
			errs = append(errs, fmt.Errorf("ivs delete orphaned stage %s: %w", live.ID(), err))
			continue
		}
		telemetry.Logger(ctx).Info("orphaned stage deleted", "stageId", live.ID(), "owner", live.Tags[TagOwner])
		n++
	}
	return n, errors.Join(errs...)
}

// pace waits Config.Pace between IVS calls.
func (s *service) pace(ctx context.Context) {
	_ = wait.Sleep(ctx, s.cfg.Pace) // an ended context is the caller's to see
}
