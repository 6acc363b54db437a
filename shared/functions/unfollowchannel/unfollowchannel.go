// Package unfollowchannel builds UnfollowChannel: the caller stops following a channel.
package unfollowchannel

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/social"
)

// Function is UnfollowChannel.
func Function() app.Function {
	return app.HTTP("UnfollowChannel", app.Required, build, "PUT /channel/followingList/remove")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return social.UnfollowChannel(db), nil
}
