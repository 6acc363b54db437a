package cognitoidp

import (
	"context"
	"slices"
	"time"
)

// Operations a signed-in user calls with an access token, and the password
// reset a signed-out user starts with ForgotPassword.

type getUserOutput struct {
	Username       string      `json:"Username"`
	UserAttributes []attribute `json:"UserAttributes"`
}

func (s *Service) getUser(_ context.Context, in *accessTokenInput) (any, error) {
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &getUserOutput{Username: u.Username, UserAttributes: attributeList(u, s.cfg.canRead)}, nil
}

type updateUserAttributesInput struct {
	AccessToken    string            `json:"AccessToken"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type updateUserAttributesOutput struct {
	CodeDeliveryDetailsList []codeDeliveryDetails `json:"CodeDeliveryDetailsList"`
}

func (s *Service) updateUserAttributes(ctx context.Context, in *updateUserAttributesInput) (any, error) {
	if in.UserAttributes == nil {
		return nil, validationErrors(nullValue("userAttributes"))
	}
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.checkAttributes(in.UserAttributes, u, byClient); err != nil {
		return nil, err
	}
	u, code, err := s.applyAttributes(u.Sub, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	out := &updateUserAttributesOutput{CodeDeliveryDetailsList: []codeDeliveryDetails{}}
	if code != "" {
		if err := s.sendCode(ctx, u, "CustomMessage_UpdateUserAttribute", code, in.ClientMetadata); err != nil {
			return nil, err
		}
		out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList, *emailDelivery(u.Attributes["email"]))
	}
	return out, nil
}

// applyAttributes writes attrs to the user with sub. A new email is
// unverified unless attrs verify it, and gets a code when the pool
// auto-verifies email (the code is returned for sending). Aliases must stay
// unique.
func (s *Service) applyAttributes(sub string, attrs []attribute) (*userRecord, string, error) {
	var u *userRecord
	var code string
	err := s.update(func(t *txn) error {
		var err error
		if u, err = t.userBySub(sub); err != nil {
			return err
		}
		if u == nil {
			return errUserNotFound()
		}
		changed := changedAttributes(u, attrs)
		if slices.Contains(changed, "email") && u.Attributes["email"] != "" && attrMap(attrs)["email_verified"] != "true" {
			u.Attributes["email_verified"] = "false"
			if s.cfg.autoVerifies("email") {
				code = s.setCode(u, purposeVerify("email"), "email", verifyCodeTTL)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		u.Modified = s.cfg.Now()
		if err := s.claimAliases(t, u, false); err != nil {
			return err
		}
		return t.putUser(u)
	})
	if err != nil {
		return nil, "", err
	}
	return u, code, nil
}

type attributeVerificationInput struct {
	AccessToken    string            `json:"AccessToken"`
	AttributeName  string            `json:"AttributeName"`
	Code           string            `json:"Code"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

func (s *Service) getUserAttributeVerificationCode(ctx context.Context, in *attributeVerificationInput) (any, error) {
	if err := required("accessToken", in.AccessToken, "attributeName", in.AttributeName); err != nil {
		return nil, err
	}
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	if in.AttributeName != "email" || u.Attributes["email"] == "" {
		return nil, invalidParameter("Invalid attribute name or the attribute has no value: %s", in.AttributeName)
	}
	var code string
	err = s.update(func(t *txn) error {
		cur, err := t.userBySub(u.Sub)
		if err != nil {
			return err
		}
		if cur == nil {
			return errUserNotFound()
		}
		u = cur
		code = s.setCode(u, purposeVerify("email"), "email", verifyCodeTTL)
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, u, "CustomMessage_VerifyUserAttribute", code, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &codeDeliveryOutput{CodeDeliveryDetails: emailDelivery(u.Attributes["email"])}, nil
}

func (s *Service) verifyUserAttribute(_ context.Context, in *attributeVerificationInput) (any, error) {
	if err := required("accessToken", in.AccessToken, "attributeName", in.AttributeName, "code", in.Code); err != nil {
		return nil, err
	}
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	err = s.update(func(t *txn) error {
		cur, err := t.userBySub(u.Sub)
		if err != nil {
			return err
		}
		if cur == nil {
			return errUserNotFound()
		}
		rec, e := s.consumeCode(cur, purposeVerify(in.AttributeName), in.Code)
		if e != nil {
			return e
		}
		if cur.Attributes[rec.Attribute] == "" {
			return invalidParameter("Invalid attribute name or the attribute has no value: %s", in.AttributeName)
		}
		cur.Attributes[rec.Attribute+"_verified"] = "true"
		cur.Modified = s.cfg.Now()
		if err := s.claimAliases(t, cur, false); err != nil {
			return err
		}
		return t.putUser(cur)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type changePasswordInput struct {
	AccessToken      string `json:"AccessToken"`
	PreviousPassword string `json:"PreviousPassword"`
	ProposedPassword string `json:"ProposedPassword"`
}

func (s *Service) changePassword(_ context.Context, in *changePasswordInput) (any, error) {
	if err := required("accessToken", in.AccessToken, "previousPassword", in.PreviousPassword, "proposedPassword", in.ProposedPassword); err != nil {
		return nil, err
	}
	if err := checkPasswordShape("proposedPassword", in.ProposedPassword); err != nil {
		return nil, err
	}
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	if s.cfg.Now().Before(u.LockedUntil) {
		return nil, newErr("LimitExceededException", "Attempt limit exceeded, please try after some time.")
	}
	if !passwordMatches(u.Password, in.PreviousPassword) {
		if err := s.recordFailedSignIn(u.Username); err != nil {
			return nil, err
		}
		return nil, errIncorrectCredentials()
	}
	if err := checkPasswordPolicy(s.cfg.PasswordPolicy, in.ProposedPassword); err != nil {
		return nil, err
	}
	if err := s.setPassword(u.Sub, in.ProposedPassword); err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito password changed", "username", u.Username)
	return struct{}{}, nil
}

// setPassword stores a new password for the user with sub and clears any
// lockout.
func (s *Service) setPassword(sub, password string) error {
	hash, err := hashPassword(password, s.cfg.PasswordHashIterations)
	if err != nil {
		return err
	}
	return s.update(func(t *txn) error {
		u, err := t.userBySub(sub)
		if err != nil {
			return err
		}
		if u == nil {
			return errUserNotFound()
		}
		u.Password = hash
		u.FailedSignIns, u.LockedUntil = 0, time.Time{}
		u.Modified = s.cfg.Now()
		return t.putUser(u)
	})
}

func (s *Service) deleteUser(_ context.Context, in *accessTokenInput) (any, error) {
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.update(func(t *txn) error { return t.deleteUser(u) }); err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user deleted itself", "username", u.Username)
	return struct{}{}, nil
}

// --- ForgotPassword / ConfirmForgotPassword ---

func (s *Service) forgotPassword(ctx context.Context, in *clientUserInput) (any, error) {
	out, u, err := s.sendUserCode(ctx, in, purposeReset, resetCodeTTL, "CustomMessage_ForgotPassword", func(u *userRecord) error {
		switch {
		case !u.Enabled:
			return errUserDisabled()
		case u.Attributes["email"] == "" || u.Attributes["email_verified"] != "true":
			return invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if u != nil {
		s.cfg.Logger.Info("cognito password reset requested", "username", u.Username)
	}
	return out, nil
}

type confirmForgotPasswordInput struct {
	ClientID         string            `json:"ClientId"`
	Username         string            `json:"Username"`
	ConfirmationCode string            `json:"ConfirmationCode"`
	Password         string            `json:"Password"`
	ClientMetadata   map[string]string `json:"ClientMetadata"`
}

func (s *Service) confirmForgotPassword(ctx context.Context, in *confirmForgotPasswordInput) (any, error) {
	if err := required("clientId", in.ClientID, "username", in.Username, "confirmationCode", in.ConfirmationCode, "password", in.Password); err != nil {
		return nil, err
	}
	if err := s.checkClient(in.ClientID); err != nil {
		return nil, err
	}
	if err := checkPasswordShape("password", in.Password); err != nil {
		return nil, err
	}
	if err := checkPasswordPolicy(s.cfg.PasswordPolicy, in.Password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password, s.cfg.PasswordHashIterations)
	if err != nil {
		return nil, err
	}
	var u *userRecord
	err = s.update(func(t *txn) error {
		var err error
		if u, err = t.resolve(in.Username, false); err != nil {
			return err
		}
		if u == nil {
			return s.unknownUserForCode()
		}
		if _, e := s.consumeCode(u, purposeReset, in.ConfirmationCode); e != nil {
			return e
		}
		u.Password = hash
		u.FailedSignIns, u.LockedUntil = 0, time.Time{}
		u.Modified = s.cfg.Now()
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito password reset", "username", u.Username)
	if err := s.postConfirmation(ctx, "PostConfirmation_ConfirmForgotPassword", u, in.ClientMetadata); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
