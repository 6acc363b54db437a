package cognitoidp

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"
)

// Code lifetimes, as Cognito's.
const (
	signUpCodeTTL = 24 * time.Hour
	resetCodeTTL  = time.Hour
	verifyCodeTTL = 24 * time.Hour
)

func (s *Service) checkClient(clientID string) *apiError {
	if clientID != s.cfg.ClientID {
		return newErr("ResourceNotFoundException", "User pool client %s does not exist.", clientID)
	}
	return nil
}

func codeHash(sub, purpose, code string) string {
	sum := sha256.Sum256([]byte(sub + "\x00" + purpose + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

// setCode gives u a new code for purpose (replacing any earlier one) and
// returns it; only its hash is stored.
func (s *Service) setCode(u *userRecord, purpose, attr string, ttl time.Duration) string {
	code := newCode()
	if u.Codes == nil {
		u.Codes = map[string]codeRecord{}
	}
	u.Codes[purpose] = codeRecord{Hash: codeHash(u.Sub, purpose, code), Attribute: attr, Expires: s.cfg.Now().Add(ttl)}
	return code
}

// consumeCode checks code for purpose and, if it is right, uses it up.
func (s *Service) consumeCode(u *userRecord, purpose, code string) (codeRecord, *apiError) {
	rec, ok := u.Codes[purpose]
	if !ok {
		return codeRecord{}, errCodeExpired()
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(codeHash(u.Sub, purpose, code))) != 1 {
		return codeRecord{}, errCodeMismatch()
	}
	if s.cfg.Now().After(rec.Expires) {
		return codeRecord{}, errCodeExpired()
	}
	delete(u.Codes, purpose)
	return rec, nil
}

func attrMap(attrs []attribute) map[string]string {
	if attrs == nil {
		return nil
	}
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[a.Name] = a.Value
	}
	return m
}

func aliasExists(attr string) *apiError {
	return newErr("AliasExistsException", "An account with the %s already exists.", attr)
}

// --- SignUp ---

type signUpInput struct {
	ClientID       string            `json:"ClientId"`
	Username       string            `json:"Username"`
	Password       string            `json:"Password"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ValidationData []attribute       `json:"ValidationData"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type signUpOutput struct {
	UserConfirmed       bool                 `json:"UserConfirmed"`
	UserSub             string               `json:"UserSub"`
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

func (s *Service) signUp(ctx context.Context, in *signUpInput) (any, error) {
	if err := required("clientId", in.ClientID, "username", in.Username, "password", in.Password); err != nil {
		return nil, err
	}
	if err := s.checkClient(in.ClientID); err != nil {
		return nil, err
	}
	if err := checkUsernameShape(in.Username); err != nil {
		return nil, err
	}
	if s.cfg.isAlias("email") && emailPattern.MatchString(in.Username) {
		return nil, invalidParameter("Username cannot be of email format, since user pool is configured for email alias.")
	}
	if err := checkPasswordShape("password", in.Password); err != nil {
		return nil, err
	}
	if err := s.checkAttributes(in.UserAttributes, nil, byClient); err != nil {
		return nil, err
	}
	attrs := attrMap(in.UserAttributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	for k, v := range attrs {
		if v == "" {
			delete(attrs, k)
		}
	}
	if err := s.missingRequired(attrs); err != nil {
		return nil, err
	}
	if err := checkPasswordPolicy(s.cfg.PasswordPolicy, in.Password); err != nil {
		return nil, err
	}
	if err := s.view(func(t *txn) error { return s.usernameFree(t, in.Username) }); err != nil {
		return nil, err
	}

	var resp map[string]any
	if s.hasTrigger(TriggerPreSignUp) {
		ua := make(map[string]any, len(attrs))
		for k, v := range attrs {
			ua[k] = v
		}
		req := map[string]any{"userAttributes": ua, "validationData": metadata(attrMap(in.ValidationData))}
		if in.ClientMetadata != nil {
			req["clientMetadata"] = metadata(in.ClientMetadata)
		}
		var err error
		resp, err = s.invokeTrigger(ctx, TriggerPreSignUp, "PreSignUp_SignUp", in.Username, req,
			map[string]any{"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
		if err != nil {
			return nil, err
		}
	}

	hash, err := hashPassword(in.Password, s.cfg.PasswordHashIterations)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	u := &userRecord{
		Username: in.Username, Sub: newUUID(), Attributes: attrs, Status: statusUnconfirmed,
		Enabled: true, Password: hash, Created: now, Modified: now,
	}
	if truthy(resp["autoVerifyEmail"]) && attrs["email"] != "" {
		attrs["email_verified"] = "true"
	}
	if truthy(resp["autoVerifyPhone"]) && attrs["phone_number"] != "" {
		attrs["phone_number_verified"] = "true"
	}
	if truthy(resp["autoConfirmUser"]) {
		u.Status = statusConfirmed
	}
	var code string
	if u.Status == statusUnconfirmed && s.cfg.autoVerifies("email") && attrs["email"] != "" {
		code = s.setCode(u, purposeSignUp, "email", signUpCodeTTL)
	}
	err = s.update(func(t *txn) error {
		if err := s.usernameFree(t, in.Username); err != nil {
			return err
		}
		attr, err := t.aliasConflict(u)
		if err != nil {
			return err
		}
		if attr != "" {
			return aliasExists(attr)
		}
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user signed up", "username", u.Username, "sub", u.Sub, "confirmed", u.Status == statusConfirmed)

	out := &signUpOutput{UserConfirmed: u.Status == statusConfirmed, UserSub: u.Sub}
	if code != "" {
		if err := s.sendCode(ctx, u, "CustomMessage_SignUp", code, in.ClientMetadata); err != nil {
			return nil, err
		}
		out.CodeDeliveryDetails = emailDelivery(attrs["email"])
	}
	if u.Status == statusConfirmed {
		if err := s.postConfirmation(ctx, "PostConfirmation_ConfirmSignUp", u, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// usernameFree refuses a username that a user has, or that is another
// user's active alias.
func (s *Service) usernameFree(t *txn, username string) error {
	u, err := t.user(s.cfg.userKey(username))
	if err != nil {
		return err
	}
	if u != nil {
		return newErr("UsernameExistsException", "User already exists")
	}
	for _, attr := range s.cfg.AliasAttributes {
		if t.aliasOwner(attr, username) != "" {
			return newErr("UsernameExistsException", "User already exists")
		}
	}
	return nil
}

// --- ConfirmSignUp ---

type confirmSignUpInput struct {
	ClientID           string            `json:"ClientId"`
	Username           string            `json:"Username"`
	ConfirmationCode   string            `json:"ConfirmationCode"`
	ForceAliasCreation bool              `json:"ForceAliasCreation"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

func (s *Service) confirmSignUp(ctx context.Context, in *confirmSignUpInput) (any, error) {
	if err := required("clientId", in.ClientID, "username", in.Username, "confirmationCode", in.ConfirmationCode); err != nil {
		return nil, err
	}
	if err := s.checkClient(in.ClientID); err != nil {
		return nil, err
	}
	var u *userRecord
	err := s.update(func(t *txn) error {
		var err error
		if u, err = t.resolve(in.Username, false); err != nil {
			return err
		}
		if u == nil {
			return s.unknownUserForCode()
		}
		if u.Status != statusUnconfirmed {
			return notAuthorized("User cannot be confirmed. Current status is %s", u.Status)
		}
		rec, e := s.consumeCode(u, purposeSignUp, in.ConfirmationCode)
		if e != nil {
			return e
		}
		if rec.Attribute != "" {
			u.Attributes[rec.Attribute+"_verified"] = "true"
		}
		u.Status = statusConfirmed
		u.Modified = s.cfg.Now()
		if err := s.claimAliases(t, u, in.ForceAliasCreation); err != nil {
			return err
		}
		return t.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user confirmed", "username", u.Username)
	if err := s.postConfirmation(ctx, "PostConfirmation_ConfirmSignUp", u, in.ClientMetadata); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// claimAliases checks that u's active aliases are free; with force, it takes
// a verified email or phone number away from the user holding it.
func (s *Service) claimAliases(t *txn, u *userRecord, force bool) error {
	for {
		attr, err := t.aliasConflict(u)
		if err != nil {
			return err
		}
		if attr == "" {
			return nil
		}
		if !force || attr == "preferred_username" {
			return aliasExists(attr)
		}
		if err := t.releaseAlias(attr, u.Attributes[attr]); err != nil {
			return err
		}
	}
}

// unknownUserForCode is the error for a code sent for a user who does not
// exist: a code error when the client hides user existence.
func (s *Service) unknownUserForCode() *apiError {
	if s.cfg.PreventUserExistenceErrors {
		return errCodeMismatch()
	}
	return newErr("UserNotFoundException", msgUserClientMissing)
}

// simulatedDelivery is what Cognito answers for an unknown user when the
// client hides user existence.
func simulatedDelivery(username string) *codeDeliveryDetails {
	r := []rune(username)
	first := "u"
	if len(r) > 0 {
		first = string(r[:1])
	}
	return &codeDeliveryDetails{AttributeName: "email", DeliveryMedium: "EMAIL", Destination: first + "***@e***"}
}

// --- ResendConfirmationCode ---

type clientUserInput struct {
	ClientID       string            `json:"ClientId"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type codeDeliveryOutput struct {
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails"`
}

func (s *Service) resendConfirmationCode(ctx context.Context, in *clientUserInput) (any, error) {
	out, _, err := s.sendUserCode(ctx, in, purposeSignUp, signUpCodeTTL, "CustomMessage_ResendCode", func(u *userRecord) error {
		switch {
		case u.Status != statusUnconfirmed:
			return invalidParameter("User is already confirmed.")
		case !s.cfg.autoVerifies("email") || u.Attributes["email"] == "":
			return invalidParameter("Auto verification not turned on.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sendUserCode is what ResendConfirmationCode and ForgotPassword share: it
// finds the user (an unknown one gets a simulated delivery, and a nil user,
// when the client hides user existence), asks may whether they can get a
// code for purpose, sets one and sends it through the custom message trigger
// source.
func (s *Service) sendUserCode(ctx context.Context, in *clientUserInput, purpose string, ttl time.Duration, source string, may func(u *userRecord) error) (*codeDeliveryOutput, *userRecord, error) {
	if err := required("clientId", in.ClientID, "username", in.Username); err != nil {
		return nil, nil, err
	}
	if err := s.checkClient(in.ClientID); err != nil {
		return nil, nil, err
	}
	var u *userRecord
	var code string
	err := s.update(func(t *txn) error {
		var err error
		if u, err = t.resolve(in.Username, false); err != nil {
			return err
		}
		switch {
		case u == nil && s.cfg.PreventUserExistenceErrors:
			return nil
		case u == nil:
			return newErr("UserNotFoundException", msgUserClientMissing)
		}
		if err := may(u); err != nil {
			return err
		}
		code = s.setCode(u, purpose, "email", ttl)
		return t.putUser(u)
	})
	if err != nil {
		return nil, nil, err
	}
	if u == nil {
		return &codeDeliveryOutput{CodeDeliveryDetails: simulatedDelivery(in.Username)}, nil, nil
	}
	if err := s.sendCode(ctx, u, source, code, in.ClientMetadata); err != nil {
		return nil, nil, err
	}
	return &codeDeliveryOutput{CodeDeliveryDetails: emailDelivery(u.Attributes["email"])}, u, nil
}
