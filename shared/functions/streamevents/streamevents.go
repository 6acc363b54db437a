// Package streamevents builds StreamEvents, the target of the EventBridge
// rule on IVS channel events: it keeps stream sessions and the owners' live
// state (docs/stream-events.md).
package streamevents

import (
	"context"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/streams"
)

// Function is StreamEvents.
func Function() app.Function { return app.Event("StreamEvents", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	pr := &streams.Processor{Sessions: db, Users: db, Now: p.Clock}
	return pr.Handle, nil
}
