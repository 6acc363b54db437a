// Package accounts holds the user pool's business rules, run by Cognito as
// triggers so that they hold whichever client talks to Cognito: who may sign
// up (PreSignUp), what the emails say (CustomMessage), which name signs in
// (PreAuthentication), the profile record (PostConfirmation), and the removal
// of sign-ups never confirmed (CleanupUnconfirmedUsers, scheduled).
package accounts

import "time"

// Refusal is a trigger's "no". Cognito fails the call with
// UserLambdaValidationException and the message "<Trigger> failed with error
// <Error()>.", so Error() starts with the reference's exception name, which
// clients look for, followed by a sentence for people.
type Refusal struct {
	Type    string
	Message string
}

func (r *Refusal) Error() string { return r.Type + ": " + r.Message }

// Expected reports whether the refusal is a rule doing its job (a reserved
// name, a wrong name at sign-in), logged at info, rather than a failure
// (errUnavailable), logged as an error.
func (r *Refusal) Expected() bool { return r.Type != unexpectedType }

func refuse(typ, msg string) error { return &Refusal{Type: typ, Message: msg} }

const unexpectedType = "UnexpectedException"

// errUnavailable is returned when a trigger cannot do its work (the store is
// down): the cause is logged, the caller gets a message that says nothing
// about the inside.
var errUnavailable = refuse(unexpectedType, "Something went wrong; please try again later.")

func nowOr(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
