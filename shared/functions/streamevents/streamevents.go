// Package streamevents builds StreamEvents, the target of the EventBridge
// rule on IVS channel events: it keeps stream sessions and the owners' live
// state (docs/stream-events.md).
package streamevents

import (
	"context"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivs"
	"github.com/onair/onair/shared/streams"
)

// Function is StreamEvents.
func Function() app.Function { return app.Event("StreamEvents", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	// IVS GetStreamSession: the ingest configuration is cached on Stream
	// Start for the channel page's player.
	pr := &streams.Processor{Sessions: db, Users: db, Now: p.Clock, Ingest: ivs.New(p.AWS)}
	return pr.Handle, nil
}
