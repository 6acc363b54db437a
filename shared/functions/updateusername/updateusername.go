// Package updateusername builds UpdateUsername: renaming the caller.
package updateusername

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/cognito"
	"github.com/onair/onair/shared/dynamo"
)

// Function is UpdateUsername (USER_POOL_ID).
func Function() app.Function {
	return app.HTTP("UpdateUsername", app.Required, build, "PUT /channel/username/update")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("USER_POOL_ID"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return channels.UpdateUsername(db, cognito.New(p.AWS, p.Env.String("USER_POOL_ID"))), nil
}
