// Package getstage builds GetStage: a stage; login is optional (the host also sees the participants).
package getstage

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/stages"
)

// Function is GetStage (see stageconfig.Read for its environment).
func Function() app.Function {
	return app.HTTP("GetStage", app.Optional, build, "GET /stages/{stageId}")
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
	return stages.GetStage(db, ivsrealtime.New(p.AWS), cfg, p.Clock)
}
