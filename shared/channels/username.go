package channels

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/usernames"
)

// Exception names of renames, as the reference names them.
const (
	ChangeUsernameType = "ChangeUsernameException"
	AliasExistsType    = "AliasExistsException"
)

func errUsernameTaken() error {
	return onair.Errorf(onair.Conflict, AliasExistsType, "This username has been taken.")
}

// UpdateUsername serves PUT /channel/username/update {newUsername}: the
// caller's public name changes, in Cognito (preferred_username, the name they
// sign in with) and in their profile. 200 {username}.
func (s *service) UpdateUsername() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var body struct {
			NewUsername *string `json:"newUsername"`
		}
		if err := httpapi.Decode(r, &body); err != nil {
			return err
		}
		if body.NewUsername == nil {
			return onair.Errorf(onair.Invalid, "BadRequestException", "newUsername is required.")
		}
		name, err := s.Rename(r.Context(), c, *body.NewUsername)
		if err != nil {
			return as(err, ChangeUsernameType, "Could not change your username; try again.")
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"username": name})
	})
}

// RenameTTL is how long a rename's intent keeps a rename to another name
// out. It outlives any rename (the function's timeout is 10 s), so an older
// intent belongs to a request that crashed or timed out.
const RenameTTL = 20 * time.Second

func errRenameInProgress() error {
	return onair.Errorf(onair.Conflict, "ConflictException",
		"Your username is being changed by another request; try again in a moment.")
}

// Rename changes the caller's username in three recorded steps, so that an
// interruption anywhere (a crash, a Lambda timeout) converges on one name:
//
//  1. the intent {from, to} is written on the profile (a conditional write:
//     one rename at a time);
//  2. Cognito's preferred_username becomes the new name — Cognito is the
//     authority on uniqueness (its aliases are unique case-insensitively), so
//     a name taken there ends the rename, undone by dropping the intent;
//  3. the profile takes the new name and drops the intent in one write.
//
// A pending intent is settled (settleRename) by the next rename and by
// GET /channel: Cognito is set to the intent's new name again — the same
// write the interrupted request made or was about to make, so it is safe even
// while that request still runs — and the profile follows; if Cognito refuses
// the name, it kept the old one and the intent is dropped. Either way Cognito,
// the profile and the username index agree on one name afterwards.
func (s *service) Rename(ctx context.Context, c onair.Caller, name string) (string, error) {
	if err := usernames.Validate(name); err != nil {
		if errors.Is(err, usernames.ErrInvalid) {
			// The reference's exception name for a malformed new name.
			return "", onair.Errorf(onair.Invalid, ChangeUsernameType, "%s", onair.ErrorMessage(err))
		}
		return "", err
	}
	u, err := s.getUser(ctx, c.Sub)
	if err != nil {
		return "", err
	}
	if in := u.Rename; in != nil {
		// Finishing the pending rename is safe at any time; starting one to
		// another name is not while the pending one's request may still be
		// writing Cognito.
		if in.To != name && s.now().Sub(in.StartedAt) < RenameTTL {
			return "", errRenameInProgress()
		}
		if u, err = s.settleRename(ctx, c, u); err != nil {
			return "", err
		}
	}
	if u.Username == name {
		return name, nil
	}
	if u.Provisioning != nil {
		// Resources of an unfinished provisioning are found again by the
		// name they were made under: the name must not move until it ends.
		return "", errProvisioningInProgress()
	}
	other, err := s.Store.GetUserByUsername(ctx, name)
	switch {
	case err == nil && other.Sub != c.Sub:
		return "", errUsernameTaken()
	case err != nil && !errors.Is(err, onair.ErrNotFound):
		return "", err
	}

	// 1. The intent.
	token, now := s.newToken(), s.now()
	_, err = s.Store.UpdateUser(ctx, c.Sub, func(cur *onair.User) error {
		if cur.Provisioning != nil {
			return errProvisioningInProgress()
		}
		if cur.Rename != nil {
			return errRenameInProgress() // another request wrote its intent first
		}
		cur.Rename = &onair.RenameIntent{From: cur.Username, To: name, Token: token, StartedAt: now}
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		return "", errUserNotFound()
	}
	if err != nil {
		return "", err
	}

	// 2. Cognito.
	err = s.Accounts.AdminUpdateUserAttributes(ctx, c.Username, map[string]string{"preferred_username": name})
	if err != nil {
		switch onair.ErrorCode(err) {
		case onair.Conflict, onair.Throttled, onair.Invalid:
			// Cognito refused: it kept the name it had, so the rename is
			// undone by dropping the intent (or, if that write fails, by
			// the next call, which gets the same refusal).
			if _, derr := s.closeRename(ctx, c.Sub, token, false); derr != nil {
				telemetry.Logger(ctx).Warn("rename: could not drop the refused intent", "err", derr.Error())
			}
			if onair.ErrorCode(err) == onair.Conflict {
				return "", errUsernameTaken()
			}
			return "", err
		}
		// Whether Cognito applied it is unknown (a timeout, a 5xx): the
		// intent stays and the next call settles it.
		return "", err
	}

	// 3. The profile follows, and the intent goes.
	u, err = s.closeRename(ctx, c.Sub, token, true)
	if err != nil {
		return "", err // the intent stays: the next call finishes the rename
	}
	if u.Username != name {
		// Another call settled this intent first and Cognito refused it
		// there (the name was taken meanwhile).
		return "", errRenameInProgress()
	}
	return name, nil
}

// settleRename finishes the rename u.Rename records: Cognito gets the new
// name again (idempotent) and the profile follows; if Cognito refuses the
// name as taken, it still has the old one, and the intent is dropped. It
// returns the profile afterwards. Other Cognito errors leave the intent for
// a later call.
func (s *service) settleRename(ctx context.Context, c onair.Caller, u onair.User) (onair.User, error) {
	in := *u.Rename
	log := telemetry.Logger(ctx)
	err := s.Accounts.AdminUpdateUserAttributes(ctx, c.Username, map[string]string{"preferred_username": in.To})
	switch {
	case err == nil:
		log.Info("rename: finished an interrupted rename", "from", in.From, "to", in.To)
		return s.closeRename(ctx, c.Sub, in.Token, true)
	case onair.ErrorCode(err) == onair.Conflict:
		log.Info("rename: undid an interrupted rename to a name taken since", "from", in.From, "to", in.To)
		return s.closeRename(ctx, c.Sub, in.Token, false)
	default:
		return u, err
	}
}

// closeRename ends the rename whose intent carries token: with apply the
// profile takes the intent's new name, without it keeps its own; the intent
// goes either way. An intent already closed (by a concurrent settle) is left
// as it is. It returns the profile afterwards.
func (s *service) closeRename(ctx context.Context, sub, token string, apply bool) (onair.User, error) {
	u, err := s.Store.UpdateUser(ctx, sub, func(cur *onair.User) error {
		if cur.Rename == nil || cur.Rename.Token != token {
			return onair.ErrUnchanged
		}
		if apply {
			cur.Username = cur.Rename.To
		}
		cur.Rename = nil
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		return u, errUserNotFound()
	}
	return u, err
}
