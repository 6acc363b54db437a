// Package custommessage builds CustomMessage, the user pool's custom
// message trigger.
package custommessage

import (
	"context"

	"github.com/onair/onair/shared/accounts"
	"github.com/onair/onair/shared/app"
)

// Function is CustomMessage (CLIENT_BASE_URL).
func Function() app.Function { return app.Event("CustomMessage", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	if err := p.Env.Required("CLIENT_BASE_URL"); err != nil {
		return nil, err
	}
	e := &accounts.Emails{ClientBaseURL: p.Env.String("CLIENT_BASE_URL")}
	return e.CustomMessage, nil
}
