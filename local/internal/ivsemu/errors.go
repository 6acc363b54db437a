package ivsemu

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an API error of one of the emulated services. The HTTP layer
// renders it in the service's shape: IVS and IVS Real-Time put the type in
// the x-amzn-ErrorType header and the text in "exceptionMessage"; IVS Chat
// uses "message" plus reason/fieldList or resourceId/resourceType/limit.
// In-process callers (streamsim, the offline program) get the same values and
// can match them with errors.As or errors.Is against the sentinels below.
type Error struct {
	Status  int
	Code    string // exception name, e.g. "ResourceNotFoundException"
	Message string

	// IVS Chat extras.
	Reason       string       // ValidationException: UNKNOWN_OPERATION | FIELD_VALIDATION_FAILED | OTHER
	Fields       []FieldError // ValidationException
	ResourceID   string       // ResourceNotFound, Conflict, ServiceQuotaExceeded, Throttling
	ResourceType string       // "ROOM"
	Limit        int          // ServiceQuotaExceeded, Throttling

	sentinel error
}

// FieldError names one invalid input field.
type FieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap lets errors.Is match the sentinel errors of in-process operations
// (and the cause of an internal error).
func (e *Error) Unwrap() error { return e.sentinel }

func newErr(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errValidation(format string, args ...any) *Error {
	return newErr(http.StatusBadRequest, "ValidationException", format, args...)
}

func errNotFound(format string, args ...any) *Error {
	return newErr(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

func errConflict(format string, args ...any) *Error {
	return newErr(http.StatusConflict, "ConflictException", format, args...)
}

func errQuota(format string, args ...any) *Error {
	return newErr(http.StatusPaymentRequired, "ServiceQuotaExceededException", format, args...)
}

func errThrottled(format string, args ...any) *Error {
	return newErr(http.StatusTooManyRequests, "ThrottlingException", format, args...)
}

func errNotBroadcasting(channelArn string) *Error {
	e := newErr(http.StatusNotFound, "ChannelNotBroadcasting", "Channel is not broadcasting: %s", channelArn)
	e.sentinel = ErrNotBroadcasting
	return e
}

// errInternal keeps err as the cause, so in-process callers can still match
// it (a cancelled context, a storage error).
func errInternal(err error) *Error {
	e := newErr(http.StatusInternalServerError, "InternalServerException", "Internal error: %v", err)
	e.sentinel = err
	return e
}

// Sentinels for in-process callers (matched with errors.Is).
var (
	// ErrNotBroadcasting: the channel has no live stream.
	ErrNotBroadcasting = errors.New("channel is not broadcasting")
	// ErrAlreadyLive: StartStream on a channel that is already live.
	ErrAlreadyLive = errors.New("channel is already live")

	// Chat token redemption (the messaging WebSocket).
	ErrChatTokenInvalid = errors.New("chat token is unknown or was already used")
	ErrChatTokenExpired = errors.New("chat token has expired")
	ErrChatRoomNotFound = errors.New("chat room not found")

	// Stage participants (Join / Publish / Leave and token verification).
	ErrStageTokenInvalid        = errors.New("stage token is invalid")
	ErrStageTokenExpired        = errors.New("stage token has expired")
	ErrStageTokenRevoked        = errors.New("participant was disconnected and its token revoked")
	ErrStageNotFound            = errors.New("stage not found")
	ErrParticipantNotConnected  = errors.New("participant is not connected to the stage")
	ErrInsufficientCapabilities = errors.New("token does not grant this capability")
	ErrPublisherLimit           = errors.New("stage already has the maximum number of publishers")
)

// asError converts any error to an *Error (internal errors become 500).
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return errInternal(err)
}
