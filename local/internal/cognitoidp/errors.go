package cognitoidp

import (
	"fmt"
	"net/http"
)

// apiError is an error as Cognito reports it: the exception name (the JSON
// "__type") and a message, with HTTP 400 unless said otherwise.
type apiError struct {
	Type    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func newErr(typ, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Type: typ, Message: msg, Status: http.StatusBadRequest}
}

func invalidParameter(format string, args ...any) *apiError {
	return newErr("InvalidParameterException", format, args...)
}

func notAuthorized(format string, args ...any) *apiError {
	return newErr("NotAuthorizedException", format, args...)
}

// Messages Cognito uses verbatim; clients match some of them.
const (
	msgIncorrectCredentials = "Incorrect username or password."
	msgUserMissing          = "User does not exist."
	msgUserClientMissing    = "Username/client id combination not found."
	msgUserDisabled         = "User is disabled."
	msgUserNotConfirmed     = "User is not confirmed."
	msgCodeMismatch         = "Invalid verification code provided, please try again."
	msgCodeExpired          = "Invalid code provided, please request a code again."
	msgAttemptsExceeded     = "Password attempts exceeded"
	msgUnauthorizedAttr     = "A client attempted to write unauthorized attribute"
)

func errIncorrectCredentials() *apiError { return notAuthorized(msgIncorrectCredentials) }
func errUserNotFound() *apiError         { return newErr("UserNotFoundException", msgUserMissing) }
func errUserDisabled() *apiError         { return notAuthorized(msgUserDisabled) }
func errCodeMismatch() *apiError         { return newErr("CodeMismatchException", msgCodeMismatch) }
func errCodeExpired() *apiError          { return newErr("ExpiredCodeException", msgCodeExpired) }

func errInternal() *apiError {
	return &apiError{Type: "InternalErrorException", Message: "An internal error occurred.", Status: http.StatusInternalServerError}
}
