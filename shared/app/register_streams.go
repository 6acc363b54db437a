package app

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/overlays"
	"github.com/onair/onair/shared/streams"
)

// addStreams registers the functions of the streams capability: IVS channel
// events (docs/stream-events.md), the stream health routes, and overlays
// (docs/overlays.md).
func addStreams(m map[string]Builder) {
	m["StreamEvents"] = StreamEvents
	m["ListStreamSessions"] = ListStreamSessions
	m["GetStreamSession"] = GetStreamSession
	m["SendStreamAction"] = SendStreamAction
	m["GetActiveStreamAction"] = GetActiveStreamAction
	m["GetStreamActionPresets"] = GetStreamActionPresets
	m["PutStreamActionPresets"] = PutStreamActionPresets
}

// StreamEvents is the target of the EventBridge rule on IVS channel events:
// it keeps stream sessions and the owners' live state.
func StreamEvents(ctx context.Context, d *Deps) (lambda.Handler, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	p := &streams.Processor{Sessions: db, Users: db, Now: d.Clock()}
	return Event(p.Handle), nil
}

// streamHealth builds the stream health routes' service.
func streamHealth(d *Deps) (*streams.Health, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	channelType := d.Env.String("IVS_CHANNEL_TYPE")
	if channelType == "" {
		channelType = "STANDARD" // IVS's default
	}
	return &streams.Health{Sessions: db, Users: db, ChannelType: channelType, Now: d.Clock()}, nil
}

// ListStreamSessions serves GET /metrics/{channelResourceId}/streamSessions.
// Its page tokens are sealed with a key derived from the
// PAGINATION_KEY_SECRET_ARN secret, read once per execution environment.
func ListStreamSessions(ctx context.Context, d *Deps) (lambda.Handler, error) {
	if err := d.Env.Required("PAGINATION_KEY_SECRET_ARN"); err != nil {
		return nil, err
	}
	h, err := streamHealth(d)
	if err != nil {
		return nil, err
	}
	secretID := d.Env.String("PAGINATION_KEY_SECRET_ARN")
	secrets := d.Secrets()
	h.Tokens = streams.NewPageTokens(func(ctx context.Context) (string, error) {
		return secrets.Get(ctx, secretID)
	})
	return HTTP(d, Required, h.ListStreamSessions(), "GET /metrics/{channelResourceId}/streamSessions")
}

// GetStreamSession serves
// GET /metrics/{channelResourceId}/streamSessions/{streamSessionId}.
func GetStreamSession(ctx context.Context, d *Deps) (lambda.Handler, error) {
	h, err := streamHealth(d)
	if err != nil {
		return nil, err
	}
	h.Ingest = d.IVS()
	h.Metrics = d.MetricsReader()
	return HTTP(d, Required, h.GetStreamSession(), "GET /metrics/{channelResourceId}/streamSessions/{streamSessionId}")
}

func overlayService(d *Deps) (*overlays.Service, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	return &overlays.Service{Users: db, Documents: db, Sender: d.IVS(), Now: d.Clock()}, nil
}

// SendStreamAction serves POST /channel/actions/send.
func SendStreamAction(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := overlayService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.SendStreamAction(), "POST /channel/actions/send")
}

// GetActiveStreamAction serves GET /channel/actions/active.
func GetActiveStreamAction(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := overlayService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.GetActiveStreamAction(), "GET /channel/actions/active")
}

// GetStreamActionPresets serves GET /channel/actions/presets.
func GetStreamActionPresets(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := overlayService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.GetStreamActionPresets(), "GET /channel/actions/presets")
}

// PutStreamActionPresets serves PUT /channel/actions/presets.
func PutStreamActionPresets(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := overlayService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.PutStreamActionPresets(), "PUT /channel/actions/presets")
}
