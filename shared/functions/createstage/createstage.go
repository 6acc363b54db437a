// Package createstage builds CreateStage: opens the caller's stage and returns a host token.
package createstage

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/functions/internal/stagetokens"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/stages"
)

// Function is CreateStage (see stageconfig.Read and stagetokens.Minter for its
// environment).
func Function() app.Function { return app.HTTP("CreateStage", app.Required, build, "POST /stages") }

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	cfg, err := stageconfig.Read(p.Env)
	if err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	rt := ivsrealtime.New(p.AWS)
	minter, err := stagetokens.Minter(p, rt, cfg)
	if err != nil {
		return nil, err
	}
	return stages.CreateStage(db, rt, minter, cfg, p.Clock)
}
