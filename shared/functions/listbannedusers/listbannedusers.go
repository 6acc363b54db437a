// Package listbannedusers builds ListBannedUsers: the users the caller banned.
package listbannedusers

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/social"
)

// Function is ListBannedUsers.
func Function() app.Function {
	return app.HTTP("ListBannedUsers", app.Required, build, "GET /channel/bans")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return social.ListBannedUsers(db), nil
}
