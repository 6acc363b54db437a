package channels

import (
	"context"
	"errors"
	"net/http"

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

// Rename changes the caller's username. Cognito is the authority on
// uniqueness (its aliases are unique case-insensitively), so it changes first;
// if the profile then cannot follow, Cognito is put back.
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
	if err := s.Accounts.AdminUpdateUserAttributes(ctx, c.Username, map[string]string{"preferred_username": name}); err != nil {
		if onair.ErrorCode(err) == onair.Conflict {
			return "", errUsernameTaken()
		}
		return "", err
	}
	_, err = s.Store.UpdateUser(ctx, c.Sub, func(cur *onair.User) error {
		if cur.Provisioning != nil {
			return errProvisioningInProgress()
		}
		cur.Username = name
		return nil
	})
	if err != nil {
		s.restoreAlias(ctx, c, u.Username, name)
		if errors.Is(err, onair.ErrNotFound) {
			return "", errUserNotFound()
		}
		return "", err
	}
	return name, nil
}

// restoreAlias puts Cognito's preferred_username back to the profile's name
// after the profile refused the rename, so sign-in keeps matching the name
// shown everywhere.
func (s *service) restoreAlias(ctx context.Context, c onair.Caller, old, attempted string) {
	ctx = context.WithoutCancel(ctx)
	if err := s.Accounts.AdminUpdateUserAttributes(ctx, c.Username, map[string]string{"preferred_username": old}); err != nil {
		telemetry.Logger(ctx).Error("rename: could not restore preferred_username",
			"old", old, "attempted", attempted, "err", err.Error())
	}
}
