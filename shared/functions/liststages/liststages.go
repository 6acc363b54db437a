// Package liststages builds ListStages: the public list of open stages.
package liststages

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/stages"
)

// Function is ListStages (see stageconfig.Read for its environment).
func Function() app.Function { return app.HTTP("ListStages", app.Public, build, "GET /stages") }

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	cfg, err := stageconfig.Read(p.Env)
	if err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return stages.ListStages(db, cfg, p.Clock)
}
