// Package followchannel builds FollowChannel: the caller follows a channel.
package followchannel

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/social"
)

// Function is FollowChannel.
func Function() app.Function {
	return app.HTTP("FollowChannel", app.Required, build, "PUT /channel/followingList/add")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return social.FollowChannel(db, p.Clock), nil
}
