// Package getfollowinglist builds GetFollowingList: the channels the caller follows.
package getfollowinglist

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/social"
)

// Function is GetFollowingList.
func Function() app.Function {
	return app.HTTP("GetFollowingList", app.Required, build, "GET /channel/followingList")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return social.GetFollowingList(db), nil
}
