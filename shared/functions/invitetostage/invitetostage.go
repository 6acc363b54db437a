// Package invitetostage builds InviteToStage: the host invites a user to publish.
package invitetostage

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/stages"
)

// Function is InviteToStage (see stageconfig.Read for its environment).
func Function() app.Function {
	return app.HTTP("InviteToStage", app.Required, build, "POST /stages/{stageId}/invites")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	cfg, err := stageconfig.Read(p.Env)
	if err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return stages.InviteToStage(db, cfg, p.Clock)
}
