// Package createchannelresources builds CreateChannelResources: the
// caller's IVS channel, stream key and chat room, at first login.
package createchannelresources

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/cognito"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivs"
	"github.com/onair/onair/shared/ivschat"
)

// Function is CreateChannelResources (PROJECT_TAG, USER_POOL_ID,
// IVS_CHANNEL_TYPE, IVS_ADVANCED_CHANNEL_TRANSCODE_PRESET,
// PRODUCT_LINK_REGION_CODE, CHAT_REVIEW_HANDLER_ARN).
func Function() app.Function {
	return app.HTTP("CreateChannelResources", app.Required, build, "POST /channel/resources/create").RebuildsMissingProfile()
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	// Resources are tagged with the project so `make destroy` finds them:
	// refuse to create any without it.
	if err := p.Env.Required("PROJECT_TAG", "USER_POOL_ID", "CHAT_REVIEW_HANDLER_ARN"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	cfg := channels.Config{
		ProjectTag:            p.Env.String("PROJECT_TAG"),
		ChannelType:           p.Env.String("IVS_CHANNEL_TYPE"),
		TranscodePreset:       p.Env.String("IVS_ADVANCED_CHANNEL_TRANSCODE_PRESET"),
		ProductLinkRegionCode: p.Env.String("PRODUCT_LINK_REGION_CODE"),
		Review:                chatreview.Room(p.Env.String("CHAT_REVIEW_HANDLER_ARN")),
	}
	pool := cognito.New(p.AWS, p.Env.String("USER_POOL_ID"))
	return channels.CreateChannelResources(db, ivs.New(p.AWS), ivschat.New(p.AWS), pool, cfg, p.Clock), nil
}
