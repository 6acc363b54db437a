// Package listchannels builds ListChannels: the public directory of live channels.
package listchannels

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/directory"
	"github.com/onair/onair/shared/dynamo"
)

// Function is ListChannels.
func Function() app.Function { return app.HTTP("ListChannels", app.Public, build, "GET /channels") }

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return directory.ListChannels(db), nil
}
