// Package presignup builds PreSignUp, the user pool's pre sign-up trigger.
package presignup

import (
	"context"

	"github.com/onair/onair/shared/accounts"
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
)

// Function is PreSignUp (SIGN_UP_ALLOWED_DOMAINS, ENABLE_USER_AUTO_VERIFY).
func Function() app.Function { return app.Event("PreSignUp", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	s := &accounts.SignUp{
		Store:          db,
		AllowedDomains: p.Env.List("SIGN_UP_ALLOWED_DOMAINS"),
		AutoVerify:     p.Env.Bool("ENABLE_USER_AUTO_VERIFY"),
	}
	return s.PreSignUp, nil
}
