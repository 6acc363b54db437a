package stages

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// AnonymousPrefix starts the user id of signed-out viewers' tokens.
const AnonymousPrefix = "anonymous-"

// Issued is a minted token and the role it carries.
type Issued struct {
	Token onair.ParticipantToken
	Role  Role
}

// IssueToken mints a token for caller (nil: anonymous) on the stage id. The
// role is the highest caller may have, or requested if lower; see MaxRole and
// GrantRole. Tokens that may publish are refused with StageFullException when
// the stage has no publisher slot left for the caller.
func (s *service) IssueToken(ctx context.Context, stageID string, caller *onair.Caller, requested Role) (Issued, onair.Stage, error) {
	st, err := s.getStage(ctx, stageID)
	if err != nil {
		return Issued{}, onair.Stage{}, err
	}
	top, err := MaxRole(st, caller)
	if err != nil {
		return Issued{}, st, err
	}
	role, err := GrantRole(top, requested)
	if err != nil {
		return Issued{}, st, err
	}
	if caller != nil && top != RoleHost {
		if err := s.checkNotBanned(ctx, st.OwnerSub, caller.Sub); err != nil {
			return Issued{}, st, err
		}
	}
	var live *onair.RealTimeStage
	if role.CanPublish() {
		l, err := s.liveStage(ctx, st)
		if err != nil {
			return Issued{}, st, err
		}
		live = &l
	}
	iss, err := s.mint(ctx, st, live, caller, role)
	return iss, st, err
}

// getStage reads a stage record; a missing one is StageNotFoundException.
func (s *service) getStage(ctx context.Context, id string) (onair.Stage, error) {
	if !validStageID(id) {
		return onair.Stage{}, onair.Errorf(onair.Invalid, BadRequestType, "Invalid stage id.")
	}
	st, err := s.store.GetStage(ctx, id)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.Stage{}, stageNotFound(id)
	}
	if err != nil {
		return onair.Stage{}, fmt.Errorf("get stage: %w", err)
	}
	return st, nil
}

// liveStage is IVS's current view of a recorded stage; a stage deleted from
// IVS is not found.
func (s *service) liveStage(ctx context.Context, st onair.Stage) (onair.RealTimeStage, error) {
	live, err := s.ivs.GetStage(ctx, st.Arn)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.RealTimeStage{}, stageNotFound(st.ID)
	}
	if err != nil {
		return onair.RealTimeStage{}, fmt.Errorf("ivs get stage: %w", err)
	}
	return live, nil
}

func (s *service) checkNotBanned(ctx context.Context, ownerSub, sub string) error {
	_, err := s.store.GetBan(ctx, ownerSub, sub)
	switch {
	case err == nil:
		return forbidden("The host has banned you from their channel.")
	case errors.Is(err, onair.ErrNotFound):
		return nil
	}
	return fmt.Errorf("get ban: %w", err)
}

// mint checks capacity (for publishing roles; live is then set), builds the
// request, mints, and records the issue: a log line without the token, a
// metric by role, and the stage's last activity.
func (s *service) mint(ctx context.Context, st onair.Stage, live *onair.RealTimeStage, caller *onair.Caller, role Role) (Issued, error) {
	if s.minter == nil {
		return Issued{}, errors.New("stages: no token minter configured")
	}
	if role.CanPublish() {
		if live == nil {
			return Issued{}, errors.New("stages: publisher capacity needs the live stage")
		}
		if err := s.checkCapacity(ctx, st, *live, role); err != nil {
			return Issued{}, err
		}
	}
	st, err := s.ensureEndpoints(ctx, st, live)
	if err != nil {
		return Issued{}, err
	}
	req := onair.ParticipantTokenRequest{
		StageArn:     st.Arn,
		Capabilities: role.Capabilities(),
		Duration:     s.cfg.TokenDuration,
	}
	var username string
	if caller == nil {
		req.UserID = AnonymousPrefix + randomID()
		req.Attributes = FitAttributes(map[string]string{"role": string(role)})
	} else {
		req.UserID = caller.Sub
		u, err := s.store.GetUser(ctx, caller.Sub)
		switch {
		case err == nil:
			username = u.Username
		case errors.Is(err, onair.ErrNotFound):
			u = onair.User{Username: caller.Username}
			username = caller.Username
		default:
			return Issued{}, fmt.Errorf("get user: %w", err)
		}
		req.Attributes = FitAttributes(userAttributes(u, role))
	}
	tok, err := s.minter.Mint(ctx, st, req)
	if err != nil {
		return Issued{}, fmt.Errorf("mint participant token: %w", err)
	}
	// The audit record of every token: who, what, where, until when. Never
	// the token itself, which is a credential.
	telemetry.Logger(ctx).Info("stage token issued",
		"stageId", st.ID,
		"userId", req.UserID,
		"username", username,
		"anonymous", caller == nil,
		"role", string(role),
		"capabilities", tok.Capabilities,
		"participantId", tok.ParticipantID,
		"expirationTime", tok.ExpirationTime.UTC().Format(time.RFC3339),
		"signing", s.cfg.SigningMode,
	)
	telemetry.MetricsFrom(ctx).Count(ctx, "StageTokensIssued", 1, "Role", string(role))
	s.touch(ctx, st.ID)
	return Issued{Token: tok, Role: role}, nil
}

// ensureEndpoints fills in the stage's endpoints when its record has none
// (self-signed tokens need them), from live or from IVS, and keeps them.
func (s *service) ensureEndpoints(ctx context.Context, st onair.Stage, live *onair.RealTimeStage) (onair.Stage, error) {
	if st.Endpoints.Events != "" && st.Endpoints.Whip != "" {
		return st, nil
	}
	var l onair.RealTimeStage
	if live != nil {
		l = *live
	} else {
		var err error
		if l, err = s.liveStage(ctx, st); err != nil {
			return onair.Stage{}, err
		}
	}
	updated, err := s.store.UpdateStage(ctx, st.ID, func(x *onair.Stage) error {
		x.Endpoints = l.Endpoints
		return nil
	})
	if err != nil {
		return onair.Stage{}, fmt.Errorf("record stage endpoints: %w", err)
	}
	return updated, nil
}

// touchEvery bounds how often token issues write LastActivity, so a crowd of
// viewers joining does not turn into a crowd of writes.
const touchEvery = time.Minute

// touch marks the stage as used now, so the cleanup does not delete a stage
// someone is about to join. Best effort.
func (s *service) touch(ctx context.Context, id string) {
	now := s.clock()
	_, err := s.store.UpdateStage(ctx, id, func(x *onair.Stage) error {
		if now.Sub(x.LastActivity) < touchEvery {
			return onair.ErrUnchanged
		}
		x.LastActivity = now
		return nil
	})
	if err != nil {
		telemetry.Logger(ctx).Warn("could not record stage activity", "stageId", id, "err", err.Error())
	}
}

// checkCapacity refuses a publishing token when the stage's publishers are
// at IVS's limit. Publishers are counted from IVS (participants of the active
// session that published and are connected), less those our IVS Stage Update
// events show as having stopped publishing. One slot is kept for the host:
// while the host is not among them, invited publishers may take 11.
//
// Tokens minted but not yet used are not counted: IVS itself refuses a 13th
// publisher at publish time (a Participant Publish Error), so this check
// gives the clear, early error and IVS settles races between two callers.
func (s *service) checkCapacity(ctx context.Context, st onair.Stage, live onair.RealTimeStage, role Role) error {
	if live.ActiveSessionID == "" {
		return nil // nobody is on the stage
	}
	ps, err := s.sessionParticipants(ctx, onair.ParticipantQuery{StageArn: st.Arn, SessionID: live.ActiveSessionID, Published: true})
	if err != nil {
		return fmt.Errorf("ivs list participants: %w", err)
	}
	n, hostIn := 0, false
	for _, p := range ps {
		if p.State != onair.ParticipantConnected {
			continue
		}
		if known, ok := st.Publishing[p.ParticipantID]; ok && !known.Published {
			continue
		}
		n++
		if p.UserID == st.OwnerSub {
			hostIn = true
		}
	}
	limit := MaxPublishers
	if role != RoleHost && !hostIn {
		limit--
	}
	if n >= limit {
		msg := fmt.Sprintf("This stage already has %d publishers, the most IVS allows.", n)
		if limit < MaxPublishers {
			msg = fmt.Sprintf("This stage already has %d guest publishers; the last of IVS's %d places is kept for the host.", n, MaxPublishers)
		}
		return onair.Errorf(onair.Conflict, StageFullType, "%s", msg)
	}
	return nil
}

// sessionParticipants is ListParticipants for a session that may have ended
// since GetStage named it: a session IVS no longer knows has nobody in it.
func (s *service) sessionParticipants(ctx context.Context, q onair.ParticipantQuery) ([]onair.RealTimeParticipant, error) {
	ps, err := s.ivs.ListParticipants(ctx, q)
	if errors.Is(err, onair.ErrNotFound) {
		return nil, nil
	}
	return ps, err
}

// userAttributes are the token attributes of a signed-in user: what other
// participants show next to their video.
func userAttributes(u onair.User, role Role) map[string]string {
	a := map[string]string{"username": u.Username, "role": string(role)}
	if u.Avatar != "" {
		a["avatar"] = u.Avatar
	}
	if as, ok := u.ChannelAssets["avatar"]; ok && as.URL != "" && u.Avatar == "custom" {
		a["avatarUrl"] = as.URL
	}
	return a
}

// FitAttributes keeps attributes within IVS's 1 KB (keys and values, in
// bytes), dropping the optional ones (avatarUrl, then avatar) and, as a last
// resort, shortening the username.
func FitAttributes(a map[string]string) map[string]string {
	size := func() int {
		n := 0
		for k, v := range a {
			n += len(k) + len(v)
		}
		return n
	}
	for _, k := range []string{"avatarUrl", "avatar"} {
		if size() <= MaxAttributesBytes {
			return a
		}
		delete(a, k)
	}
	if over := size() - MaxAttributesBytes; over > 0 {
		u := a["username"]
		a["username"] = u[:max(0, len(u)-over)]
	}
	return a
}

// validStageID: IVS stage ids are [a-zA-Z0-9-]+ (12 characters in practice).
func validStageID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validParticipantID: IVS participant ids are [a-zA-Z0-9-_]{1,64}.
func validParticipantID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
