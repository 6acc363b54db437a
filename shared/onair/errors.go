// Package onair holds the domain types shared by every capability and the one
// application error type. It has no dependencies on AWS or on HTTP.
package onair

import (
	"errors"
	"fmt"
)

// Code is the machine-readable class of an application error. The HTTP edge
// maps codes to statuses (httpapi); domain code never picks a status.
type Code string

const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooLarge     Code = "too_large"
	Throttled    Code = "throttled"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// Error is the application error. Type is the exception name clients see in
// the "__type" field (the reference's contract, e.g. "UserNotFoundException");
// Message is safe to show to users. Err, when set, carries the cause for logs.
type Error struct {
	Code    Code
	Type    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Type != "" {
		msg += " " + e.Type
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is match on Code and Type, so a sentinel such as ErrNotFound
// matches any not-found error of the same type regardless of message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Type == "" || t.Type == e.Type) && t.Message == "" && t.Err == nil
}

// Errorf builds an application error with a formatted user-safe message.
func Errorf(code Code, typ, format string, args ...any) *Error {
	return &Error{Code: code, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an application error around a cause that is logged, never shown.
func Wrap(code Code, typ, message string, cause error) *Error {
	return &Error{Code: code, Type: typ, Message: message, Err: cause}
}

// Sentinels that adapters return; compare with errors.Is. They carry no Type,
// so they match any error of their code.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = &Error{Code: NotFound}
	// ErrConflict: a conditional write failed (the record changed, or exists).
	ErrConflict = &Error{Code: Conflict}
)

// ErrorCode returns the code of err, or Internal for errors that are not
// application errors (their details must not reach clients).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// defaultTypes are the exception names used when an error carries no Type.
var defaultTypes = map[Code]string{
	Invalid:      "BadRequestException",
	Unauthorized: "UnauthorizedException",
	Forbidden:    "ForbiddenException",
	NotFound:     "ResourceNotFoundException",
	Conflict:     "ConflictException",
	TooLarge:     "PayloadTooLargeException",
	Throttled:    "TooManyRequestsException",
	Unavailable:  "ServiceUnavailableException",
	Internal:     "UnexpectedException",
}

// ErrorType returns the exception name for err.
func ErrorType(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Type != "" {
			return e.Type
		}
		return defaultTypes[e.Code]
	}
	return defaultTypes[Internal]
}

// ErrorMessage returns the user-safe message for err. Messages of application
// errors are written for users; any other error gets a generic message, since
// its details belong in the log.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if ErrorCode(err) == NotFound {
		return "Not found."
	}
	return "An unexpected error occurred."
}

// ErrUnchanged is returned by an update function to say that the record needs
// no write (for example a redelivered event). The store then writes nothing
// and returns the current record without error.
var ErrUnchanged = errors.New("unchanged")
