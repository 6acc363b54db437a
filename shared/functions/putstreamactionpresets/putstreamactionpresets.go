// Package putstreamactionpresets builds PutStreamActionPresets: saving the caller's overlay presets.
package putstreamactionpresets

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/overlays"
)

// Function is PutStreamActionPresets.
func Function() app.Function {
	return app.HTTP("PutStreamActionPresets", app.Required, build, "PUT /channel/actions/presets")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return overlays.PutStreamActionPresets(db, db), nil
}
