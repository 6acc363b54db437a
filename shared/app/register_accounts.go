package app

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/accounts"
)

// addAccounts registers the functions of the accounts capability: the user
// pool's triggers and the cleanup of unconfirmed sign-ups.
func addAccounts(m map[string]Builder) {
	m["PreSignUp"] = PreSignUp
	m["CustomMessage"] = CustomMessage
	m["PreAuthentication"] = PreAuthentication
	m["PostConfirmation"] = PostConfirmation
	m["CleanupUnconfirmedUsers"] = CleanupUnconfirmedUsers
}

// PreSignUp is the pool's pre sign-up trigger (SIGN_UP_ALLOWED_DOMAINS,
// ENABLE_USER_AUTO_VERIFY).
func PreSignUp(ctx context.Context, d *Deps) (lambda.Handler, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	s := &accounts.SignUp{
		Store:          db,
		AllowedDomains: d.Env.List("SIGN_UP_ALLOWED_DOMAINS"),
		AutoVerify:     d.Env.Bool("ENABLE_USER_AUTO_VERIFY"),
	}
	return Event(s.PreSignUp), nil
}

// CustomMessage is the pool's custom message trigger (CLIENT_BASE_URL).
func CustomMessage(ctx context.Context, d *Deps) (lambda.Handler, error) {
	if err := d.Env.Required("CLIENT_BASE_URL"); err != nil {
		return nil, err
	}
	e := &accounts.Emails{ClientBaseURL: d.Env.String("CLIENT_BASE_URL")}
	return Event(e.CustomMessage), nil
}

// PreAuthentication is the pool's pre authentication trigger.
func PreAuthentication(ctx context.Context, d *Deps) (lambda.Handler, error) {
	return Event(accounts.PreAuthentication), nil
}

// PostConfirmation is the pool's post confirmation trigger.
func PostConfirmation(ctx context.Context, d *Deps) (lambda.Handler, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	p := &accounts.Profiles{Store: db, Now: d.Clock()}
	return Event(p.PostConfirmation), nil
}

// CleanupUnconfirmedUsers runs on a schedule (USER_POOL_ID).
func CleanupUnconfirmedUsers(ctx context.Context, d *Deps) (lambda.Handler, error) {
	pool, err := d.Cognito()
	if err != nil {
		return nil, err
	}
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	c := &accounts.Cleanup{Pool: pool, Store: db, Now: d.Clock()}
	return Event(c.Run), nil
}
