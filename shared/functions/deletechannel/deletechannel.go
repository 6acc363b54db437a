// Package deletechannel builds DeleteChannel: deleting the caller's whole
// account (IVS channel, chat room, stage, images, records, user).
package deletechannel

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/cognito"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivs"
	"github.com/onair/onair/shared/ivschat"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/s3"
)

// Function is DeleteChannel (USER_POOL_ID, CHANNEL_ASSETS_BUCKET,
// PROJECT_TAG and ACCOUNT_ID).
func Function() app.Function {
	// An interrupted deletion (profile gone, Cognito user not yet) is
	// finished by calling again with the same token.
	return app.HTTP("DeleteChannel", app.Required, build, "DELETE /channel").FinishesAccountDeletion()
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("USER_POOL_ID", "CHANNEL_ASSETS_BUCKET"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	cfg := channels.Config{
		ProjectTag: p.Env.String("PROJECT_TAG"),
		Region:     p.AWS.Region,
		AccountID:  p.Env.String("ACCOUNT_ID"),
	}
	return channels.DeleteChannel(db, ivs.New(p.AWS), ivschat.New(p.AWS), ivsrealtime.New(p.AWS),
		cognito.New(p.AWS, p.Env.String("USER_POOL_ID")), s3.New(p.AWS, p.Env.String("CHANNEL_ASSETS_BUCKET")), cfg), nil
}
