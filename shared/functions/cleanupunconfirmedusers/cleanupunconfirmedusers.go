// Package cleanupunconfirmedusers builds CleanupUnconfirmedUsers, the
// scheduled deletion of sign-ups never confirmed.
package cleanupunconfirmedusers

import (
	"context"

	"github.com/onair/onair/shared/accounts"
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/cognito"
	"github.com/onair/onair/shared/dynamo"
)

// Function is CleanupUnconfirmedUsers (USER_POOL_ID).
func Function() app.Function { return app.Event("CleanupUnconfirmedUsers", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	if err := p.Env.Required("USER_POOL_ID"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	c := &accounts.Cleanup{Pool: cognito.New(p.AWS, p.Env.String("USER_POOL_ID")), Store: db, Now: p.Clock}
	return c.Run, nil
}
