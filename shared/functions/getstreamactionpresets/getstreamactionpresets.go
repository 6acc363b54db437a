// Package getstreamactionpresets builds GetStreamActionPresets: the caller's saved overlay presets.
package getstreamactionpresets

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/overlays"
)

// Function is GetStreamActionPresets.
func Function() app.Function {
	return app.HTTP("GetStreamActionPresets", app.Required, build, "GET /channel/actions/presets")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return overlays.GetStreamActionPresets(db, db), nil
}
