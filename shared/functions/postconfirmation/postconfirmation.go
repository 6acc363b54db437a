// Package postconfirmation builds PostConfirmation, the user pool's post
// confirmation trigger: it creates the user's profile.
package postconfirmation

import (
	"context"

	"github.com/onair/onair/shared/accounts"
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/dynamo"
)

// Function is PostConfirmation.
func Function() app.Function { return app.Event("PostConfirmation", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	s := &accounts.Profiles{Store: db, Now: p.Clock}
	return s.PostConfirmation, nil
}
