package cognitoidp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Admin operations: the backend calls them with AWS credentials (which the
// emulator does not check) and the pool id.

func (s *Service) checkPool(poolID string) *apiError {
	if poolID != s.cfg.PoolID {
		return newErr("ResourceNotFoundException", "User pool %s does not exist.", poolID)
	}
	return nil
}

type adminUserInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// adminUser resolves the user an admin call names (username, alias or sub).
func (s *Service) adminUser(in *adminUserInput) (*userRecord, error) {
	if err := required("userPoolId", in.UserPoolID, "username", in.Username); err != nil {
		return nil, err
	}
	if err := s.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	var u *userRecord
	if err := s.view(func(t *txn) error {
		var err error
		u, err = t.resolve(in.Username, true)
		return err
	}); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound()
	}
	return u, nil
}

// modifyUser applies fn to the current record of the user with sub.
func (s *Service) modifyUser(sub string, fn func(t *txn, u *userRecord) error) (*userRecord, error) {
	var u *userRecord
	err := s.update(func(t *txn) error {
		var err error
		if u, err = t.userBySub(sub); err != nil {
			return err
		}
		if u == nil {
			return errUserNotFound()
		}
		return fn(t, u)
	})
	return u, err
}

// epoch renders a time as the API does: seconds since the epoch.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}

type adminGetUserOutput struct {
	Username             string      `json:"Username"`
	UserAttributes       []attribute `json:"UserAttributes"`
	UserCreateDate       epoch       `json:"UserCreateDate"`
	UserLastModifiedDate epoch       `json:"UserLastModifiedDate"`
	Enabled              bool        `json:"Enabled"`
	UserStatus           string      `json:"UserStatus"`
}

func (s *Service) adminGetUser(_ context.Context, in *adminUserInput) (any, error) {
	u, err := s.adminUser(in)
	if err != nil {
		return nil, err
	}
	return &adminGetUserOutput{
		Username: u.Username, UserAttributes: attributeList(u, nil),
		UserCreateDate: epoch(u.Created), UserLastModifiedDate: epoch(u.Modified),
		Enabled: u.Enabled, UserStatus: u.Status,
	}, nil
}

type adminUpdateUserAttributesInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

func (s *Service) adminUpdateUserAttributes(ctx context.Context, in *adminUpdateUserAttributesInput) (any, error) {
	if in.UserAttributes == nil {
		return nil, validationErrors(nullValue("userAttributes"))
	}
	u, err := s.adminUser(&adminUserInput{UserPoolID: in.UserPoolID, Username: in.Username})
	if err != nil {
		return nil, err
	}
	if err := s.checkAttributes(in.UserAttributes, u, byAdmin); err != nil {
		return nil, err
	}
	u, code, err := s.applyAttributes(u.Sub, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	if code != "" {
		if err := s.sendCode(ctx, u, "CustomMessage_UpdateUserAttribute", code, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	return struct{}{}, nil
}

func (s *Service) adminDeleteUser(_ context.Context, in *adminUserInput) (any, error) {
	u, err := s.adminUser(in)
	if err != nil {
		return nil, err
	}
	if _, err := s.modifyUser(u.Sub, func(t *txn, u *userRecord) error { return t.deleteUser(u) }); err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user deleted", "username", u.Username)
	return struct{}{}, nil
}

// adminDisableUser disables the user and revokes their tokens.
func (s *Service) adminDisableUser(_ context.Context, in *adminUserInput) (any, error) {
	u, err := s.adminUser(in)
	if err != nil {
		return nil, err
	}
	_, err = s.modifyUser(u.Sub, func(t *txn, u *userRecord) error {
		u.Enabled = false
		u.Modified = s.cfg.Now()
		if err := t.revokeSessions(u.Sub, ""); err != nil {
			return err
		}
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) adminEnableUser(_ context.Context, in *adminUserInput) (any, error) {
	u, err := s.adminUser(in)
	if err != nil {
		return nil, err
	}
	_, err = s.modifyUser(u.Sub, func(t *txn, u *userRecord) error {
		u.Enabled = true
		u.Modified = s.cfg.Now()
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// adminConfirmSignUp confirms a user without a code (it does not verify the
// email) and runs PostConfirmation.
func (s *Service) adminConfirmSignUp(ctx context.Context, in *adminUserInput) (any, error) {
	u, err := s.adminUser(in)
	if err != nil {
		return nil, err
	}
	u, err = s.modifyUser(u.Sub, func(t *txn, u *userRecord) error {
		if u.Status != statusUnconfirmed {
			return notAuthorized("User cannot be confirmed. Current status is %s", u.Status)
		}
		u.Status = statusConfirmed
		delete(u.Codes, purposeSignUp)
		u.Modified = s.cfg.Now()
		if err := s.claimAliases(t, u, false); err != nil {
			return err
		}
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user confirmed by admin", "username", u.Username)
	if err := s.postConfirmation(ctx, "PostConfirmation_ConfirmSignUp", u, in.ClientMetadata); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) adminUserGlobalSignOut(_ context.Context, in *adminUserInput) (any, error) {
	u, err := s.adminUser(in)
	if err != nil {
		return nil, err
	}
	if err := s.update(func(t *txn) error { return t.revokeSessions(u.Sub, "") }); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// --- ListUsers ---

type listUsersInput struct {
	UserPoolID      string   `json:"UserPoolId"`
	AttributesToGet []string `json:"AttributesToGet"`
	Limit           *int     `json:"Limit"`
	PaginationToken string   `json:"PaginationToken"`
	Filter          string   `json:"Filter"`
}

type userType struct {
	Username             string      `json:"Username"`
	Attributes           []attribute `json:"Attributes"`
	UserCreateDate       epoch       `json:"UserCreateDate"`
	UserLastModifiedDate epoch       `json:"UserLastModifiedDate"`
	Enabled              bool        `json:"Enabled"`
	UserStatus           string      `json:"UserStatus"`
}

type listUsersOutput struct {
	Users           []userType `json:"Users"`
	PaginationToken string     `json:"PaginationToken,omitempty"`
}

// listUsers pages through the users in username order. The pagination token
// is the key of the last user returned.
func (s *Service) listUsers(_ context.Context, in *listUsersInput) (any, error) {
	if err := required("userPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	limit := 60
	if in.Limit != nil {
		limit = *in.Limit
		switch {
		case limit > 60:
			return nil, validationErrors(fmt.Sprintf("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", limit))
		case limit < 0:
			return nil, validationErrors(fmt.Sprintf("Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0", limit))
		case limit == 0:
			limit = 60
		}
	}
	if err := s.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	filter, apiErr := parseFilter(in.Filter)
	if apiErr != nil {
		return nil, apiErr
	}
	var after []byte
	if in.PaginationToken != "" {
		var err error
		if after, err = base64.RawURLEncoding.DecodeString(in.PaginationToken); err != nil {
			return nil, invalidParameter("Invalid pagination token.")
		}
	}
	var pick func(string) bool
	if in.AttributesToGet != nil {
		pick = func(name string) bool { return slices.Contains(in.AttributesToGet, name) }
	}
	out := &listUsersOutput{Users: []userType{}}
	err := s.view(func(t *txn) error {
		c := t.bucket(bucketUsers).Cursor()
		k, v := c.First()
		if after != nil {
			k, v = c.Seek(after)
			if k != nil && string(k) == string(after) {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			var u userRecord
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			if !filter.matches(&u, s.cfg.CaseSensitive) {
				continue
			}
			if len(out.Users) == limit {
				out.PaginationToken = base64.RawURLEncoding.EncodeToString([]byte(s.cfg.userKey(out.Users[len(out.Users)-1].Username)))
				return nil
			}
			out.Users = append(out.Users, userType{
				Username: u.Username, Attributes: attributeList(&u, pick),
				UserCreateDate: epoch(u.Created), UserLastModifiedDate: epoch(u.Modified),
				Enabled: u.Enabled, UserStatus: u.Status,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
