// Package liststreamsessions builds ListStreamSessions: the caller's
// channel's stream sessions.
package liststreamsessions

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/secrets"
	"github.com/onair/onair/shared/streams"
)

// Function is ListStreamSessions (PAGINATION_KEY_SECRET_ARN: page tokens
// are sealed with a key derived from this secret, read once per execution
// environment; IVS_CHANNEL_TYPE).
func Function() app.Function {
	return app.HTTP("ListStreamSessions", app.Required, build, "GET /metrics/{channelResourceId}/streamSessions")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("PAGINATION_KEY_SECRET_ARN"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	channelType := p.Env.String("IVS_CHANNEL_TYPE")
	if channelType == "" {
		channelType = "STANDARD" // IVS's default
	}
	secretID, sm := p.Env.String("PAGINATION_KEY_SECRET_ARN"), secrets.New(p.AWS)
	tokens := streams.NewPageTokens(func(ctx context.Context) (string, error) {
		return sm.Get(ctx, secretID)
	})
	return streams.ListStreamSessions(db, db, tokens, channelType, p.Clock), nil
}
