package accounts

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// PreAuthentication lets a user sign in only under their current public
// name: the sign-in form passes the name typed as ClientMetadata
// submittedUsername (Cognito hands it over as validationData), and once a
// user was renamed (preferred_username) only that exact name is accepted —
// not the old username, not the email, although both are pool aliases.
// This is the reference's rule (§6.3); the error names UserNotFoundException
// so clients show "Incorrect username or password".
func PreAuthentication(ctx context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
	submitted := strings.TrimSpace(ev.Request.ValidationData["submittedUsername"])
	if submitted == "" {
		return ev, refuse("UserNotFoundException", "Incorrect username or password.")
	}
	if preferred := ev.Request.UserAttributes["preferred_username"]; preferred != "" && submitted != preferred {
		return ev, refuse("UserNotFoundException", "Incorrect username or password.")
	}
	return ev, nil
}
