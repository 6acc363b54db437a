// Package sendstreamaction builds SendStreamAction: an overlay action sent
// to the caller's live stream as timed metadata (docs/overlays.md).
package sendstreamaction

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivs"
	"github.com/onair/onair/shared/overlays"
)

// Function is SendStreamAction.
func Function() app.Function {
	return app.HTTP("SendStreamAction", app.Required, build, "POST /channel/actions/send")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return overlays.SendStreamAction(db, db, ivs.New(p.AWS), p.Clock), nil
}
