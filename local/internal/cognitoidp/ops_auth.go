package cognitoidp

import (
	"context"
	"strings"
	"time"
)

// Cognito locks a user out for one second after the fifth failed sign-in in
// a row, doubling with each further failure up to about 15 minutes.
const (
	freeSignInFailures = 5
	maxLockout         = 15 * time.Minute
)

type initiateAuthInput struct {
	AuthFlow       string            `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	ClientID       string            `json:"ClientId"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type authenticationResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	IDToken      string `json:"IdToken"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	TokenType    string `json:"TokenType"`
}

type initiateAuthOutput struct {
	AuthenticationResult *authenticationResult `json:"AuthenticationResult"`
	ChallengeParameters  map[string]string     `json:"ChallengeParameters"`
}

func (s *Service) initiateAuth(ctx context.Context, in *initiateAuthInput) (any, error) {
	if err := required("authFlow", in.AuthFlow, "clientId", in.ClientID); err != nil {
		return nil, err
	}
	if err := s.checkClient(in.ClientID); err != nil {
		return nil, err
	}
	params := in.AuthParameters
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH":
		if !s.cfg.flowAllowed("USER_PASSWORD_AUTH") {
			return nil, invalidParameter("USER_PASSWORD_AUTH flow not enabled for this client")
		}
		if params["USERNAME"] == "" {
			return nil, invalidParameter("Missing required parameter USERNAME")
		}
		if params["PASSWORD"] == "" {
			return nil, invalidParameter("Missing required parameter PASSWORD")
		}
		return s.passwordAuth(ctx, params["USERNAME"], params["PASSWORD"], in.ClientMetadata)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !s.cfg.flowAllowed("REFRESH_TOKEN_AUTH") {
			return nil, invalidParameter("REFRESH_TOKEN_AUTH flow not enabled for this client")
		}
		if params["REFRESH_TOKEN"] == "" {
			return nil, invalidParameter("Missing required parameter REFRESH_TOKEN")
		}
		return s.refreshAuth(params["REFRESH_TOKEN"])
	case "USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH":
		if !s.cfg.flowAllowed(in.AuthFlow) {
			return nil, invalidParameter("%s flow not enabled for this client", in.AuthFlow)
		}
		return nil, invalidParameter("%s is not supported by the local Cognito emulator; use USER_PASSWORD_AUTH", in.AuthFlow)
	case "ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH":
		return nil, invalidParameter("Initiate Auth method not supported.")
	default:
		return nil, validationErrors("Value '" + in.AuthFlow + "' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: " +
			"[USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]")
	}
}

// passwordAuth is USER_PASSWORD_AUTH: the pre authentication trigger (which
// receives ClientMetadata as validationData), the password, the status, the
// post authentication trigger, then a new session.
func (s *Service) passwordAuth(ctx context.Context, login, password string, clientMetadata map[string]string) (any, error) {
	var u *userRecord
	if err := s.view(func(t *txn) error {
		var err error
		u, err = t.resolve(login, false)
		return err
	}); err != nil {
		return nil, err
	}
	if u == nil {
		if !s.cfg.PreventUserExistenceErrors {
			return nil, errUserNotFound()
		}
		req := map[string]any{"userAttributes": map[string]any{}, "validationData": metadata(clientMetadata), "userNotFound": true}
		if _, err := s.invokeTrigger(ctx, TriggerPreAuthentication, "PreAuthentication_Authentication", login, req, nil); err != nil {
			return nil, err
		}
		return nil, errIncorrectCredentials()
	}
	if !u.Enabled {
		return nil, errUserDisabled()
	}
	if s.cfg.Now().Before(u.LockedUntil) {
		return nil, notAuthorized(msgAttemptsExceeded)
	}
	req := map[string]any{"userAttributes": s.eventAttributes(u), "validationData": metadata(clientMetadata)}
	if s.cfg.PreventUserExistenceErrors {
		req["userNotFound"] = false
	}
	if _, err := s.invokeTrigger(ctx, TriggerPreAuthentication, "PreAuthentication_Authentication", u.Username, req, nil); err != nil {
		return nil, err
	}
	if !passwordMatches(u.Password, password) {
		if err := s.recordFailedSignIn(u.Username); err != nil {
			return nil, err
		}
		return nil, errIncorrectCredentials()
	}
	if u.FailedSignIns > 0 {
		if err := s.update(func(t *txn) error {
			cur, err := t.user(s.cfg.userKey(u.Username))
			if err != nil || cur == nil || cur.Sub != u.Sub {
				return err
			}
			cur.FailedSignIns, cur.LockedUntil = 0, time.Time{}
			return t.putUser(cur)
		}); err != nil {
			return nil, err
		}
	}
	if u.Status == statusUnconfirmed {
		return nil, newErr("UserNotConfirmedException", msgUserNotConfirmed)
	}
	if s.hasTrigger(TriggerPostAuthentication) {
		req := map[string]any{"newDeviceUsed": false, "userAttributes": s.eventAttributes(u)}
		if clientMetadata != nil {
			req["clientMetadata"] = metadata(clientMetadata)
		}
		if _, err := s.invokeTrigger(ctx, TriggerPostAuthentication, "PostAuthentication_Authentication", u.Username, req, nil); err != nil {
			return nil, err
		}
	}
	return s.startSession(u)
}

func (s *Service) recordFailedSignIn(username string) error {
	return s.update(func(t *txn) error {
		u, err := t.user(s.cfg.userKey(username))
		if err != nil || u == nil {
			return err
		}
		u.FailedSignIns++
		if n := u.FailedSignIns - freeSignInFailures; n >= 0 {
			lock := maxLockout
			if n < 20 {
				lock = min(time.Second<<n, maxLockout)
			}
			u.LockedUntil = s.cfg.Now().Add(lock)
		}
		return t.putUser(u)
	})
}

// startSession records a new sign-in and returns its tokens.
func (s *Service) startSession(u *userRecord) (any, error) {
	now := s.cfg.Now()
	si := signIn{OriginJTI: newUUID(), EventID: newUUID(), AuthTime: now}
	refresh, refreshHash := newRefreshToken()
	err := s.update(func(t *txn) error {
		if err := t.purgeSessions(u.Sub, now); err != nil {
			return err
		}
		return t.putSession(si.OriginJTI, &sessionRecord{
			Sub: u.Sub, ClientID: s.cfg.ClientID, AuthTime: si.AuthTime, EventID: si.EventID,
			RefreshHash: refreshHash, Expires: now.Add(s.cfg.RefreshTokenValidity),
		})
	})
	if err != nil {
		return nil, err
	}
	access, id, err := s.mintTokens(u, si)
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user signed in", "username", u.Username)
	return &initiateAuthOutput{
		AuthenticationResult: &authenticationResult{
			AccessToken: access, IDToken: id, RefreshToken: refresh,
			ExpiresIn: int(s.cfg.AccessTokenValidity / time.Second), TokenType: "Bearer",
		},
		ChallengeParameters: map[string]string{},
	}, nil
}

// refreshAuth is REFRESH_TOKEN_AUTH: new access and ID tokens for the
// session, which keep its origin_jti and auth_time.
func (s *Service) refreshAuth(token string) (any, error) {
	var sess *sessionRecord
	var key string
	var u *userRecord
	err := s.view(func(t *txn) error {
		var err error
		key, sess, err = t.sessionByRefresh(hashRefresh(token))
		if err != nil || sess == nil {
			return err
		}
		u, err = t.userBySub(sess.Sub)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case sess == nil || sess.ClientID != s.cfg.ClientID:
		return nil, notAuthorized("Invalid Refresh Token")
	case sess.Revoked:
		return nil, notAuthorized("Refresh Token has been revoked")
	case s.cfg.Now().After(sess.Expires):
		return nil, notAuthorized("Refresh Token has expired")
	case u == nil:
		return nil, notAuthorized(msgUserMissing)
	case !u.Enabled:
		return nil, errUserDisabled()
	}
	_, originJTI, _ := strings.Cut(key, "/")
	access, id, err := s.mintTokens(u, signIn{OriginJTI: originJTI, EventID: sess.EventID, AuthTime: sess.AuthTime})
	if err != nil {
		return nil, err
	}
	return &initiateAuthOutput{
		AuthenticationResult: &authenticationResult{
			AccessToken: access, IDToken: id,
			ExpiresIn: int(s.cfg.AccessTokenValidity / time.Second), TokenType: "Bearer",
		},
		ChallengeParameters: map[string]string{},
	}, nil
}

// authorize verifies an access token and returns its user: the token must be
// valid, its session not revoked (GlobalSignOut, RevokeToken, disabling or
// deleting the user), and the user enabled.
func (s *Service) authorize(token string) (*userRecord, error) {
	if token == "" {
		return nil, required("accessToken", "")
	}
	claims, apiErr := s.parseAccessToken(token)
	if apiErr != nil {
		return nil, apiErr
	}
	var sess *sessionRecord
	var u *userRecord
	err := s.view(func(t *txn) error {
		var err error
		if sess, err = t.session(claims.Sub, claims.OriginJTI); err != nil {
			return err
		}
		u, err = t.userBySub(claims.Sub)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case u == nil:
		return nil, errUserNotFound()
	case sess == nil || sess.Revoked:
		return nil, notAuthorized("Access Token has been revoked")
	case !u.Enabled:
		return nil, errUserDisabled()
	}
	return u, nil
}

type accessTokenInput struct {
	AccessToken string `json:"AccessToken"`
}

func (s *Service) globalSignOut(_ context.Context, in *accessTokenInput) (any, error) {
	u, err := s.authorize(in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.update(func(t *txn) error { return t.revokeSessions(u.Sub, "") }); err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("cognito user signed out everywhere", "username", u.Username)
	return struct{}{}, nil
}

type revokeTokenInput struct {
	Token        string `json:"Token"`
	ClientID     string `json:"ClientId"`
	ClientSecret string `json:"ClientSecret"`
}

// revokeToken revokes a refresh token and the access tokens of its session
// (amazon-cognito-identity-js calls it on signOut).
func (s *Service) revokeToken(_ context.Context, in *revokeTokenInput) (any, error) {
	if err := required("token", in.Token, "clientId", in.ClientID); err != nil {
		return nil, err
	}
	if err := s.checkClient(in.ClientID); err != nil {
		return nil, err
	}
	if s.cfg.DisableTokenRevocation {
		return nil, newErr("UnsupportedOperationException", "Token revocation is not enabled for this client.")
	}
	if strings.Count(in.Token, ".") == 2 {
		return nil, newErr("UnsupportedTokenTypeException", "Unsupported token type.")
	}
	err := s.update(func(t *txn) error {
		key, sess, err := t.sessionByRefresh(hashRefresh(in.Token))
		if err != nil || sess == nil {
			return err
		}
		if sess.ClientID != in.ClientID {
			return newErr("UnauthorizedException", "The token was not issued to this client.")
		}
		_, originJTI, _ := strings.Cut(key, "/")
		return t.revokeSessions(sess.Sub, originJTI)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
