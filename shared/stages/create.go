package stages

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/usernames"
)

// Opened is the result of OpenStage.
type Opened struct {
	Stage onair.Stage
	// Live is IVS's view of the stage (active session, endpoints).
	Live onair.RealTimeStage
	// Created is true when this call created (or adopted) the stage.
	Created bool
}

var (
	errHasStage  = errors.New("user already has a stage")
	errLostClaim = errors.New("stage creation claim lost")
)

// OpenStage returns the caller's open stage, creating it if they have none.
// A user has at most one: a second call returns the same stage, and
// concurrent calls are serialized by a claim on the user record (the loser
// gets 409 and retries). allowAnonymous, when set, is the stage's setting
// for signed-out viewers, also on an existing stage.
func (s *service) OpenStage(ctx context.Context, caller onair.Caller, allowAnonymous *bool) (Opened, error) {
	u, err := s.store.GetUser(ctx, caller.Sub)
	if err != nil {
		if errors.Is(err, onair.ErrNotFound) {
			return Opened{}, onair.Errorf(onair.NotFound, UserNotFoundType, "Your profile does not exist yet.")
		}
		return Opened{}, fmt.Errorf("get user: %w", err)
	}
	// Two rounds at most: a concurrent attempt may finish between our read
	// and our claim, and then its stage is ours to return.
	for range 2 {
		if u.StageID != "" {
			o, ok, err := s.existingStage(ctx, u, allowAnonymous)
			if err != nil || ok {
				return o, err
			}
		}
		o, err := s.createStage(ctx, u, allowAnonymous)
		if errors.Is(err, errHasStage) {
			if u, err = s.store.GetUser(ctx, caller.Sub); err != nil {
				return Opened{}, fmt.Errorf("get user: %w", err)
			}
			continue
		}
		return o, err
	}
	return Opened{}, onair.Errorf(onair.Conflict, StageBusyType, "Your stage is being created; try again in a moment.")
}

// existingStage returns the user's recorded stage if it still exists in the
// store and in IVS; otherwise it forgets it (ok false) so a new one is made.
func (s *service) existingStage(ctx context.Context, u onair.User, allowAnonymous *bool) (Opened, bool, error) {
	st, err := s.store.GetStage(ctx, u.StageID)
	if err != nil && !errors.Is(err, onair.ErrNotFound) {
		return Opened{}, false, fmt.Errorf("get stage: %w", err)
	}
	if err == nil && st.OwnerSub == u.Sub {
		live, err := s.ivs.GetStage(ctx, st.Arn)
		switch {
		case err == nil:
			if allowAnonymous != nil && *allowAnonymous != st.AllowAnonymous {
				st, err = s.store.UpdateStage(ctx, st.ID, func(x *onair.Stage) error {
					x.AllowAnonymous = *allowAnonymous
					return nil
				})
				if err != nil {
					return Opened{}, false, fmt.Errorf("update stage: %w", err)
				}
			}
			return Opened{Stage: st, Live: live}, true, nil
		case errors.Is(err, onair.ErrNotFound):
			// Deleted behind our back (console, make destroy): drop the record.
			telemetry.Logger(ctx).Warn("stage gone from IVS; forgetting it", "stageId", st.ID)
			if err := s.store.DeleteStage(ctx, st.ID); err != nil {
				return Opened{}, false, fmt.Errorf("delete stage record: %w", err)
			}
		default:
			return Opened{}, false, fmt.Errorf("ivs get stage: %w", err)
		}
	}
	if err := s.forgetStage(ctx, u.Sub, u.StageID); err != nil {
		return Opened{}, false, err
	}
	return Opened{}, false, nil
}

// forgetStage clears the user's StageID if it is still id.
func (s *service) forgetStage(ctx context.Context, sub, id string) error {
	_, err := s.store.UpdateUser(ctx, sub, func(u *onair.User) error {
		if u.StageID != id {
			return onair.ErrUnchanged
		}
		u.StageID = ""
		return nil
	})
	if err != nil && !errors.Is(err, onair.ErrNotFound) {
		return fmt.Errorf("clear user stage: %w", err)
	}
	return nil
}

// createStage takes the claim, creates (or adopts) the IVS stage, records it
// and commits it to the user.
func (s *service) createStage(ctx context.Context, u onair.User, allowAnonymous *bool) (Opened, error) {
	now := s.clock()
	token := randomID()
	var stale bool
	claimed, err := s.store.UpdateUser(ctx, u.Sub, func(x *onair.User) error {
		if x.StageID != "" {
			return errHasStage
		}
		if c := x.StageClaim; c != nil {
			if now.Sub(c.StartedAt) < s.cfg.ClaimTTL {
				return onair.Errorf(onair.Conflict, StageBusyType, "Your stage is being created; try again in a moment.")
			}
			stale = true
		}
		x.StageClaim = &onair.Claim{Token: token, StartedAt: now}
		return nil
	})
	if err != nil {
		if errors.Is(err, errHasStage) || onair.ErrorCode(err) == onair.Conflict {
			return Opened{}, err
		}
		return Opened{}, fmt.Errorf("claim stage creation: %w", err)
	}

	o, leftStage, err := s.provision(ctx, claimed, stale, allowAnonymous)
	if err != nil {
		// If an IVS stage exists, leave the claim stale so that the retry
		// adopts that stage instead of creating a second one.
		s.releaseClaim(ctx, u.Sub, token, leftStage)
		return Opened{}, err
	}

	_, err = s.store.UpdateUser(ctx, u.Sub, func(x *onair.User) error {
		if x.StageClaim == nil || x.StageClaim.Token != token {
			return errLostClaim
		}
		x.StageID = o.Stage.ID
		x.StageClaim = nil
		return nil
	})
	if errors.Is(err, errLostClaim) {
		return s.lostClaim(ctx, u.Sub, o)
	}
	if err != nil {
		return Opened{}, fmt.Errorf("commit stage to user: %w", err)
	}
	telemetry.Logger(ctx).Info("stage opened", "stageId", o.Stage.ID, "adopted", !o.Created)
	o.Created = true
	return o, nil
}

// lostClaim handles an attempt that outlived its claim (another attempt took
// it over). If the user ended up with our stage (the other attempt adopted
// it), all is well. If they ended up with another, ours is an orphan and is
// deleted. If nothing is committed yet, the other attempt may still adopt
// ours, so it stays and the caller retries.
func (s *service) lostClaim(ctx context.Context, sub string, o Opened) (Opened, error) {
	u, err := s.store.GetUser(ctx, sub)
	if err != nil {
		return Opened{}, fmt.Errorf("get user: %w", err)
	}
	switch u.StageID {
	case o.Stage.ID:
		o.Created = true
		return o, nil
	case "":
		return Opened{}, onair.Errorf(onair.Conflict, StageBusyType, "Your stage is being created; try again in a moment.")
	}
	s.discard(ctx, o.Stage)
	return Opened{}, errHasStage
}

// discard deletes a stage nobody refers to, best effort (the cleanup reaps
// what is left).
func (s *service) discard(ctx context.Context, st onair.Stage) {
	log := telemetry.Logger(ctx)
	if err := s.ivs.DeleteStage(ctx, st.Arn); err != nil && !errors.Is(err, onair.ErrNotFound) {
		log.Warn("could not delete a surplus stage", "stageId", st.ID, "err", err.Error())
		return
	}
	if err := s.store.DeleteStage(ctx, st.ID); err != nil {
		log.Warn("could not delete a surplus stage record", "stageId", st.ID, "err", err.Error())
	}
}

// releaseClaim drops our claim, or, when keepStale, turns it into a stale
// claim (StartedAt zero) that the next attempt takes over at once and that
// tells it to look for our IVS stage.
func (s *service) releaseClaim(ctx context.Context, sub, token string, keepStale bool) {
	_, err := s.store.UpdateUser(ctx, sub, func(x *onair.User) error {
		if x.StageClaim == nil || x.StageClaim.Token != token {
			return onair.ErrUnchanged
		}
		if keepStale {
			x.StageClaim = &onair.Claim{Token: token}
		} else {
			x.StageClaim = nil
		}
		return nil
	})
	if err != nil {
		telemetry.Logger(ctx).Warn("could not release the stage claim", "err", err.Error())
	}
}

// provision makes the IVS stage and its record. After a stale claim (an
// earlier attempt died or failed half-way) it first looks for that attempt's
// IVS stage by its tags and adopts it instead of creating a second one.
// leftStage reports, on error, that an IVS stage exists for a retry to adopt.
func (s *service) provision(ctx context.Context, u onair.User, stale bool, allowAnonymous *bool) (o Opened, leftStage bool, err error) {
	now := s.clock()
	var live onair.RealTimeStage
	var created time.Time
	adopted := false
	if stale {
		found, err := s.adoptOrphan(ctx, u.Sub)
		if err != nil {
			return Opened{}, true, err
		}
		if found != nil {
			live, adopted = *found, true
			created, _ = time.Parse(time.RFC3339Nano, live.Tags[TagCreatedAt])
		}
	}
	if !adopted {
		created = now
		var err error
		live, err = s.ivs.CreateStage(ctx, stageName(u), map[string]string{
			TagProject:   s.cfg.Project,
			TagOwner:     u.Sub,
			TagCreatedAt: now.Format(time.RFC3339Nano),
		})
		if err != nil {
			return Opened{}, false, fmt.Errorf("ivs create stage: %w", err)
		}
	}
	if created.IsZero() {
		created = now
	}
	st := onair.Stage{
		ID:           live.ID(),
		Arn:          live.Arn,
		Name:         live.Name,
		OwnerSub:     u.Sub,
		CreatedAt:    created,
		Endpoints:    live.Endpoints,
		LastActivity: now,
	}
	if allowAnonymous != nil {
		st.AllowAnonymous = *allowAnonymous
	}
	err = s.store.PutStage(ctx, st)
	if errors.Is(err, onair.ErrConflict) {
		// An earlier attempt recorded this (adopted) stage before it died.
		prev, gerr := s.store.GetStage(ctx, st.ID)
		if gerr != nil {
			// Wrapped, so that a throttled read stays a 429 for the client.
			return Opened{}, true, fmt.Errorf("read stage %s after a conflicting put: %w", st.ID, gerr)
		}
		if prev.OwnerSub != u.Sub {
			return Opened{}, true, fmt.Errorf("stage %s exists with another owner", st.ID)
		}
		st = prev
		err = nil
	}
	if err != nil {
		// Leave the IVS stage for the next attempt to adopt (the claim goes
		// stale) or for the cleanup to delete.
		return Opened{}, true, fmt.Errorf("put stage: %w", err)
	}
	return Opened{Stage: st, Live: live, Created: !adopted}, false, nil
}

// adoptOrphan finds the user's IVS stages left by earlier attempts (tags
// project and onair:owner), keeps the newest and deletes the others.
func (s *service) adoptOrphan(ctx context.Context, sub string) (*onair.RealTimeStage, error) {
	found, err := s.ivs.ListStagesTagged(ctx, map[string]string{TagProject: s.cfg.Project, TagOwner: sub})
	if err != nil {
		return nil, fmt.Errorf("ivs list stages: %w", err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Tags[TagCreatedAt] > found[j].Tags[TagCreatedAt] })
	for _, extra := range found[1:] {
		if err := s.ivs.DeleteStage(ctx, extra.Arn); err != nil && !errors.Is(err, onair.ErrNotFound) {
			telemetry.Logger(ctx).Warn("could not delete a surplus orphaned stage", "stageArn", extra.Arn, "err", err.Error())
		}
	}
	// The summary IVS lists has no endpoints.
	live, err := s.ivs.GetStage(ctx, found[0].Arn)
	if err != nil {
		return nil, fmt.Errorf("ivs get stage: %w", err)
	}
	if live.Tags == nil {
		live.Tags = found[0].Tags
	}
	return &live, nil
}

// stageName is the IVS stage name: the username in IVS's name alphabet.
func stageName(u onair.User) string {
	n := usernames.Clean(u.Username)
	if n == "" {
		n = "user"
	}
	return n + "-stage"
}
