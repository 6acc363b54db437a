// Package resetstreamkey builds ResetStreamKey: a new stream key for the
// caller's channel.
package resetstreamkey

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivs"
)

// Function is ResetStreamKey.
func Function() app.Function {
	return app.HTTP("ResetStreamKey", app.Required, build, "GET /channel/streamKey/reset", "POST /channel/streamKey/reset")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return channels.ResetStreamKey(db, ivs.New(p.AWS)), nil
}
