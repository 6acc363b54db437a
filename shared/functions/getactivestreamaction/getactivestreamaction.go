// Package getactivestreamaction builds GetActiveStreamAction: the overlay action on the caller's stream now.
package getactivestreamaction

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/overlays"
)

// Function is GetActiveStreamAction.
func Function() app.Function {
	return app.HTTP("GetActiveStreamAction", app.Required, build, "GET /channel/actions/active")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return overlays.GetActiveStreamAction(db, db, p.Clock), nil
}
