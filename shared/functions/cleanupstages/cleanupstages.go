// Package cleanupstages builds CleanupStages, the scheduled deletion of idle
// stages.
package cleanupstages

import (
	"context"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/stages"
)

// Function is CleanupStages (see stageconfig.Read for its environment).
func Function() app.Function { return app.Event("CleanupStages", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	cfg, err := stageconfig.Read(p.Env)
	if err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return stages.CleanupStages(db, ivsrealtime.New(p.AWS), cfg, p.Clock)
}
