package stages

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// DefaultDisconnectReason is what a removed participant is told when the
// host gives no reason.
const DefaultDisconnectReason = "Removed by the host"

// hostedStage returns the stage id if caller is its host: 404 if there is no
// such stage, 403 if it is someone else's.
func (s *service) hostedStage(ctx context.Context, id string, caller onair.Caller) (onair.Stage, error) {
	st, err := s.getStage(ctx, id)
	if err != nil {
		return onair.Stage{}, err
	}
	if st.OwnerSub != caller.Sub {
		return onair.Stage{}, forbidden("Only the stage's host can do this.")
	}
	return st, nil
}

// Invite lets the user named username publish on the caller's stage.
// Inviting again is harmless.
func (s *service) Invite(ctx context.Context, id string, caller onair.Caller, username string) (onair.Stage, onair.User, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return onair.Stage{}, onair.User{}, onair.Errorf(onair.Invalid, BadRequestType, "Say whom to invite (username).")
	}
	st, err := s.hostedStage(ctx, id, caller)
	if err != nil {
		return onair.Stage{}, onair.User{}, err
	}
	guest, err := s.userByName(ctx, username)
	if err != nil {
		return onair.Stage{}, onair.User{}, err
	}
	if guest.Sub == st.OwnerSub {
		return onair.Stage{}, onair.User{}, onair.Errorf(onair.Invalid, BadRequestType, "You host this stage; you need no invitation.")
	}
	now := s.clock()
	st, err = s.store.UpdateStage(ctx, st.ID, func(x *onair.Stage) error {
		if _, ok := x.Invited[guest.Sub]; ok {
			return onair.ErrUnchanged
		}
		if len(x.Invited) >= MaxInvites {
			return onair.Errorf(onair.Conflict, "TooManyInvitesException", "A stage can have at most %d invitations; withdraw some first.", MaxInvites)
		}
		if x.Invited == nil {
			x.Invited = map[string]time.Time{}
		}
		x.Invited[guest.Sub] = now
		return nil
	})
	if err != nil {
		if onair.ErrorType(err) == "TooManyInvitesException" {
			return onair.Stage{}, onair.User{}, err
		}
		return onair.Stage{}, onair.User{}, fmt.Errorf("record invitation: %w", err)
	}
	telemetry.Logger(ctx).Info("stage invitation", "stageId", st.ID, "invited", guest.Sub)
	return st, guest, nil
}

// RevokeInvite withdraws an invitation and disconnects the user's current
// participants: their token may still allow publishing, and disconnecting is
// the only way to take that back. They may join again as viewers.
func (s *service) RevokeInvite(ctx context.Context, id string, caller onair.Caller, username string) error {
	st, err := s.hostedStage(ctx, id, caller)
	if err != nil {
		return err
	}
	guest, err := s.userByName(ctx, username)
	if err != nil {
		return err
	}
	if _, ok := st.Invited[guest.Sub]; !ok {
		return onair.Errorf(onair.NotFound, InviteNotFoundType, "%s is not invited to this stage.", guest.Username)
	}
	_, err = s.store.UpdateStage(ctx, st.ID, func(x *onair.Stage) error {
		if _, ok := x.Invited[guest.Sub]; !ok {
			return onair.ErrUnchanged
		}
		delete(x.Invited, guest.Sub)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove invitation: %w", err)
	}
	live, err := s.liveStage(ctx, st)
	if errors.Is(err, onair.ErrNotFound) {
		return nil // the stage is gone, and everyone with it
	}
	if err != nil || live.ActiveSessionID == "" {
		return err
	}
	ps, err := s.sessionParticipants(ctx, onair.ParticipantQuery{StageArn: st.Arn, SessionID: live.ActiveSessionID, UserID: guest.Sub})
	if err != nil {
		return fmt.Errorf("ivs list participants: %w", err)
	}
	for _, p := range ps {
		if p.State != onair.ParticipantConnected {
			continue
		}
		err := s.ivs.DisconnectParticipant(ctx, st.Arn, p.ParticipantID, "The host withdrew your invitation to publish.")
		if err != nil && !errors.Is(err, onair.ErrNotFound) {
			return fmt.Errorf("ivs disconnect participant: %w", err)
		}
	}
	return nil
}

func (s *service) userByName(ctx context.Context, username string) (onair.User, error) {
	u, err := s.store.GetUserByUsername(ctx, strings.TrimSpace(username))
	if errors.Is(err, onair.ErrNotFound) {
		return onair.User{}, onair.Errorf(onair.NotFound, UserNotFoundType, "No user %q.", username)
	}
	if err != nil {
		return onair.User{}, fmt.Errorf("get user by username: %w", err)
	}
	return u, nil
}

// Disconnect removes a participant from the caller's stage, telling them
// reason (default DefaultDisconnectReason).
func (s *service) Disconnect(ctx context.Context, id string, caller onair.Caller, participantID, reason string) error {
	if !validParticipantID(participantID) {
		return onair.Errorf(onair.Invalid, BadRequestType, "Invalid participant id.")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = DefaultDisconnectReason
	}
	if len(reason) > MaxReasonLength {
		return onair.Errorf(onair.Invalid, BadRequestType, "A reason may have at most %d characters.", MaxReasonLength)
	}
	st, err := s.hostedStage(ctx, id, caller)
	if err != nil {
		return err
	}
	err = s.ivs.DisconnectParticipant(ctx, st.Arn, participantID, reason)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.Errorf(onair.NotFound, ParticipantNotFound, "No participant %q on this stage.", participantID)
	}
	if err != nil {
		return fmt.Errorf("ivs disconnect participant: %w", err)
	}
	telemetry.Logger(ctx).Info("stage participant disconnected", "stageId", st.ID, "participantId", participantID, "reason", reason)
	return nil
}

// End deletes the caller's stage (disconnecting everyone) and its record.
func (s *service) End(ctx context.Context, id string, caller onair.Caller) error {
	st, err := s.hostedStage(ctx, id, caller)
	if err != nil {
		return err
	}
	if err := s.deleteStage(ctx, st); err != nil {
		return err
	}
	telemetry.Logger(ctx).Info("stage ended by its host", "stageId", st.ID)
	return nil
}

// deleteStage deletes the IVS stage, its record and the owner's reference
// to it; each step tolerates the thing being gone already, so a retry after a
// partial failure finishes the job.
func (s *service) deleteStage(ctx context.Context, st onair.Stage) error {
	if err := s.ivs.DeleteStage(ctx, st.Arn); err != nil && !errors.Is(err, onair.ErrNotFound) {
		return fmt.Errorf("ivs delete stage: %w", err)
	}
	if err := s.store.DeleteStage(ctx, st.ID); err != nil {
		return fmt.Errorf("delete stage record: %w", err)
	}
	return s.forgetStage(ctx, st.OwnerSub, st.ID)
}
