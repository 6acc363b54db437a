package sfu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/onair/onair/local/internal/ivsemu"
)

// Error codes in the JSON body of every refusal ({"code", "message"}), so a
// client can tell the user why.
const (
	codeUnauthorized   = "Unauthorized"             // 401: no token, or not a valid one
	codeTokenExpired   = "TokenExpired"             // 401: fetch a new token
	codeWrongStage     = "WrongStage"               // 403: the token is for another stage
	codeNoCapability   = "InsufficientCapabilities" // 403: e.g. publishing with a subscribe-only token
	codeDisconnected   = "ParticipantDisconnected"  // 403: DisconnectParticipant revoked this token
	codeStageFull      = "StageFull"                // 403: 12 publishers already
	codeTooManySubs    = "TooManySubscribers"       // 403
	codeStageNotFound  = "StageNotFound"            // 404
	codeNotPublishing  = "PublisherNotFound"        // 404: nobody publishes under that id
	codeAlreadyPublish = "AlreadyPublishing"        // 409: one WHIP session per participant
	codeBadRequest     = "BadRequest"               // 400
	codeUnsupported    = "UnsupportedMediaType"     // 415
	codeInternal       = "InternalError"            // 500
)

// apiError is a refusal with its HTTP status.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func refuse(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": message})
}

func writeAPIError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = refuse(http.StatusInternalServerError, codeInternal, "internal error")
	}
	writeError(w, e.status, e.code, e.message)
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authorize verifies a participant token for stageID as IVS does at join:
// signature, claims and expiry (by the emulator), then the stage named in
// the URL, then the capability the request needs (if any).
func (s *Server) authorize(ctx context.Context, token, stageID string, need func(ivsemu.TokenCapabilities) bool, what string) (*ivsemu.StageTokenClaims, error) {
	if token == "" {
		return nil, refuse(http.StatusUnauthorized, codeUnauthorized, "a participant token is required (Authorization: Bearer <token>)")
	}
	claims, err := s.cfg.Stages.VerifyStageToken(ctx, token)
	switch {
	case errors.Is(err, ivsemu.ErrStageTokenExpired):
		return nil, refuse(http.StatusUnauthorized, codeTokenExpired, "the participant token has expired: get a new one")
	case errors.Is(err, ivsemu.ErrStageNotFound):
		return nil, refuse(http.StatusNotFound, codeStageNotFound, "the stage does not exist (it may have ended)")
	case errors.Is(err, ivsemu.ErrStageTokenInvalid):
		return nil, refuse(http.StatusUnauthorized, codeUnauthorized, "invalid participant token: "+strings.TrimPrefix(err.Error(), ivsemu.ErrStageTokenInvalid.Error()+": "))
	case err != nil:
		return nil, err
	}
	if claims.Topic != stageID {
		return nil, refuse(http.StatusForbidden, codeWrongStage, "the participant token is for another stage")
	}
	if need != nil && !need(claims.Capabilities) {
		return nil, refuse(http.StatusForbidden, codeNoCapability, "the participant token does not allow "+what)
	}
	return claims, nil
}

func canPublish(c ivsemu.TokenCapabilities) bool   { return c.AllowPublish }
func canSubscribe(c ivsemu.TokenCapabilities) bool { return c.AllowSubscribe }

// joinError maps the emulator's Join refusals.
func joinError(err error) error {
	switch {
	case errors.Is(err, ivsemu.ErrStageTokenRevoked):
		return refuse(http.StatusForbidden, codeDisconnected, "this participant was disconnected from the stage; get a new token")
	case errors.Is(err, ivsemu.ErrStageTokenExpired):
		return refuse(http.StatusUnauthorized, codeTokenExpired, "the participant token has expired: get a new one")
	case errors.Is(err, ivsemu.ErrStageNotFound):
		return refuse(http.StatusNotFound, codeStageNotFound, "the stage does not exist (it may have ended)")
	case errors.Is(err, ivsemu.ErrStageTokenInvalid):
		return refuse(http.StatusUnauthorized, codeUnauthorized, err.Error())
	}
	return err
}
