// Package getchannel builds GetChannel: the caller's own channel.
package getchannel

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/cognito"
	"github.com/onair/onair/shared/dynamo"
)

// Function is GetChannel (USER_POOL_ID: an interrupted rename is finished in
// Cognito).
func Function() app.Function { return app.HTTP("GetChannel", app.Required, build, "GET /channel") }

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("USER_POOL_ID"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return channels.GetChannel(db, cognito.New(p.AWS, p.Env.String("USER_POOL_ID"))), nil
}
