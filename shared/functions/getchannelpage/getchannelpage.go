// Package getchannelpage builds GetChannelPage: a channel's public page; login is optional.
package getchannelpage

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/directory"
	"github.com/onair/onair/shared/dynamo"
)

// Function is GetChannelPage.
func Function() app.Function {
	return app.HTTP("GetChannelPage", app.Optional, build, "GET /channels/{username}")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return directory.GetChannelPage(db), nil
}
