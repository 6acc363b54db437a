package accounts

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// MissingSubmittedUsername is the refusal of a renamed user's sign-in that
// does not say which name was typed.
const MissingSubmittedUsername = "MissingSubmittedUsernameException"

// PreAuthentication lets a user sign in only under their current public
// name: the sign-in form passes the name typed as ClientMetadata
// submittedUsername (Cognito hands it over as validationData), and once a
// user was renamed (preferred_username) only that name is accepted — not the
// old username, not the email, although both are pool aliases. Names are
// unique regardless of case and the pool matches them so, so the comparison
// ignores case too: one rule before and after a rename. A wrong name names
// UserNotFoundException so clients show "Incorrect username or password";
// a renamed user's sign-in without submittedUsername (awscli and boto3 send
// no ClientMetadata by default) is told what is missing instead.
func PreAuthentication(ctx context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
	preferred := ev.Request.UserAttributes["preferred_username"]
	if preferred == "" {
		return ev, nil // never renamed: the pool's own username and aliases apply
	}
	submitted := strings.TrimSpace(ev.Request.ValidationData["submittedUsername"])
	if submitted == "" {
		return ev, refuse(MissingSubmittedUsername,
			"This account signs in with its current username, and this sign-in did not say which name was typed: "+
				"pass it as ClientMetadata submittedUsername (the web app does; with the AWS CLI add --client-metadata submittedUsername=<name>).")
	}
	if !strings.EqualFold(submitted, preferred) {
		return ev, refuse("UserNotFoundException", "Incorrect username or password.")
	}
	return ev, nil
}
