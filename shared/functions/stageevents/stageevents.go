// Package stageevents builds StageEvents, the target of the EventBridge
// rule on IVS Stage Update events: it keeps who is publishing current.
package stageevents

import (
	"context"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions/internal/stageconfig"
	"github.com/onair/onair/shared/stages"
)

// Function is StageEvents (see stageconfig.Read for its environment).
func Function() app.Function { return app.Event("StageEvents", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	cfg, err := stageconfig.Read(p.Env)
	if err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return stages.StageEvents(db, cfg, p.Clock)
}
