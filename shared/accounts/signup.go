package accounts

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/usernames"
)

// SignUpStore is what the sign-up rules read.
type SignUpStore interface {
	GetUserByEmail(ctx context.Context, email string) (onair.User, error)
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
}

// SignUp holds the sign-up rules (the PreSignUp trigger).
type SignUp struct {
	Store SignUpStore
	// AllowedDomains, when not empty, lists the email domains that may sign
	// up (compared without case).
	AllowedDomains []string
	// AutoVerify confirms new users and their email without a code
	// (ENABLE_USER_AUTO_VERIFY, for development stages).
	AutoVerify bool
}

// PreSignUp accepts or refuses a sign-up: the username must follow the
// rules and not be reserved or taken as someone's public name, the email
// must be of an allowed domain and not used by another profile.
func (s *SignUp) PreSignUp(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	log := telemetry.Logger(ctx).With("trigger", ev.TriggerSource)
	if err := usernames.Validate(ev.UserName); err != nil {
		if errors.Is(err, usernames.ErrReserved) {
			return ev, refuse(usernames.ReservedType, "This username is unavailable.")
		}
		return ev, refuse(onair.ErrorType(err), onair.ErrorMessage(err))
	}
	email := strings.TrimSpace(ev.Request.UserAttributes["email"])
	if email == "" {
		return ev, refuse("AccountRegistrationException", "An email address is required.")
	}
	if !s.domainAllowed(email) {
		return ev, refuse("AccountRegistrationException", "Sign-up is not open to this email domain.")
	}

	// Cognito keeps usernames unique among usernames; the public name of a
	// renamed user lives in preferred_username and the profile, so check
	// the profiles too.
	switch _, err := s.Store.GetUserByUsername(ctx, ev.UserName); {
	case err == nil:
		return ev, refuse("UsernameExistsException", "This username has been taken.")
	case !errors.Is(err, onair.ErrNotFound):
		log.Error("pre sign-up: username lookup", "err", err.Error())
		return ev, errUnavailable
	}
	switch _, err := s.Store.GetUserByEmail(ctx, email); {
	case err == nil:
		return ev, refuse("EmailExistsException", "This email has already been used.")
	case !errors.Is(err, onair.ErrNotFound):
		log.Error("pre sign-up: email lookup", "err", err.Error())
		return ev, errUnavailable
	}

	// Users an administrator creates are confirmed through their temporary
	// password; Cognito takes no auto-confirmation for them.
	if s.AutoVerify && ev.TriggerSource != "PreSignUp_AdminCreateUser" {
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
	}
	return ev, nil
}

func (s *SignUp) domainAllowed(email string) bool {
	if len(s.AllowedDomains) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	domain := email[at+1:]
	for _, d := range s.AllowedDomains {
		if strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(d), "@"), domain) {
			return true
		}
	}
	return false
}
