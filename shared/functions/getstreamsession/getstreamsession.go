// Package getstreamsession builds GetStreamSession: one of the caller's
// stream sessions with its ingest configuration, metrics and diagnoses.
package getstreamsession

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/cloudwatch"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivs"
	"github.com/onair/onair/shared/streams"
)

// Function is GetStreamSession (IVS_CHANNEL_TYPE). Metrics come from
// CloudWatch; offline, from the media plane.
func Function() app.Function {
	return app.HTTP("GetStreamSession", app.Required, build, "GET /metrics/{channelResourceId}/streamSessions/{streamSessionId}")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	channelType := p.Env.String("IVS_CHANNEL_TYPE")
	if channelType == "" {
		channelType = "STANDARD" // IVS's default
	}
	return streams.GetStreamSession(db, db, ivs.New(p.AWS), p.StreamMetrics(cloudwatch.Open), channelType, p.Clock), nil
}
