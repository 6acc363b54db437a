// Package deletestage builds DeleteStage: the host ends their stage.
package deletestage

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/stages"
)

// Function is DeleteStage (see stageconfig.Read for its environment).
func Function() app.Function {
	return app.HTTP("DeleteStage", app.Required, build, "DELETE /stages/{stageId}")
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
	return stages.DeleteStage(db, ivsrealtime.New(p.AWS), cfg, p.Clock)
}
