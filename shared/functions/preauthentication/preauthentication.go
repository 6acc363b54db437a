// Package preauthentication builds PreAuthentication, the user pool's pre
// authentication trigger.
package preauthentication

import (
	"context"

	"github.com/onair/onair/shared/accounts"
	"github.com/onair/onair/shared/app"
)

// Function is PreAuthentication.
func Function() app.Function { return app.Event("PreAuthentication", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	return accounts.PreAuthentication, nil
}
