// Package unbanuser builds UnbanUser: lifting a ban from the caller's channel.
package unbanuser

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/social"
)

// Function is UnbanUser.
func Function() app.Function {
	return app.HTTP("UnbanUser", app.Required, build, "POST /channel/unban")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return social.UnbanUser(db), nil
}
