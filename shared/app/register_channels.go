package app

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/channels"
)

// addChannels registers the functions of the channels capability: the
// signed-in user's own channel.
func addChannels(m map[string]Builder) {
	m["GetChannel"] = GetChannel
	m["CreateChannelResources"] = CreateChannelResources
	m["ResetStreamKey"] = ResetStreamKey
	m["DeleteChannel"] = DeleteChannel
	m["UpdateUsername"] = UpdateUsername
	m["UpdatePreferences"] = UpdatePreferences
}

// channelsService is the channels service over the store; builders add the
// adapters their route needs (see channels.Service).
func channelsService(d *Deps) (*channels.Service, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	return &channels.Service{
		Store: db,
		Now:   d.Clock(),
		Config: channels.Config{
			ProjectTag:            d.Env.String("PROJECT_TAG"),
			ChannelType:           d.Env.String("IVS_CHANNEL_TYPE"),
			TranscodePreset:       d.Env.String("IVS_ADVANCED_CHANNEL_TRANSCODE_PRESET"),
			ProductLinkRegionCode: d.Env.String("PRODUCT_LINK_REGION_CODE"),
			Region:                d.AWS.Region,
			AccountID:             d.Env.String("ACCOUNT_ID"),
		},
	}, nil
}

// GetChannel serves GET /channel.
func GetChannel(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := channelsService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.GetChannel(), "GET /channel")
}

// CreateChannelResources serves POST /channel/resources/create (PROJECT_TAG,
// IVS_CHANNEL_TYPE, IVS_ADVANCED_CHANNEL_TRANSCODE_PRESET,
// PRODUCT_LINK_REGION_CODE, USER_POOL_ID).
func CreateChannelResources(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := channelsService(d)
	if err != nil {
		return nil, err
	}
	// Resources are tagged with the project so `make destroy` finds them:
	// refuse to create any without it.
	if err := d.Env.Required("PROJECT_TAG"); err != nil {
		return nil, err
	}
	pool, err := d.Cognito()
	if err != nil {
		return nil, err
	}
	s.Video, s.Chat, s.Accounts = d.IVS(), d.Chat(), pool
	return HTTP(d, Required, s.CreateChannelResources(), "POST /channel/resources/create")
}

// ResetStreamKey serves GET and POST /channel/streamKey/reset.
func ResetStreamKey(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := channelsService(d)
	if err != nil {
		return nil, err
	}
	s.Video = d.IVS()
	return HTTP(d, Required, s.ResetStreamKey(), "GET /channel/streamKey/reset", "POST /channel/streamKey/reset")
}

// DeleteChannel serves DELETE /channel (USER_POOL_ID, PROJECT_TAG,
// ACCOUNT_ID; CHANNEL_ASSETS_BUCKET when there is one).
func DeleteChannel(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := channelsService(d)
	if err != nil {
		return nil, err
	}
	pool, err := d.Cognito()
	if err != nil {
		return nil, err
	}
	s.Video, s.Chat, s.RealTime, s.Accounts = d.IVS(), d.Chat(), d.RealTime(), pool
	if d.Env.String("CHANNEL_ASSETS_BUCKET") != "" {
		bucket, err := d.S3()
		if err != nil {
			return nil, err
		}
		s.Assets = bucket
	}
	return HTTP(d, Required, s.DeleteChannel(), "DELETE /channel")
}

// UpdateUsername serves PUT /channel/username/update (USER_POOL_ID).
func UpdateUsername(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := channelsService(d)
	if err != nil {
		return nil, err
	}
	pool, err := d.Cognito()
	if err != nil {
		return nil, err
	}
	s.Accounts = pool
	return HTTP(d, Required, s.UpdateUsername(), "PUT /channel/username/update")
}

// UpdatePreferences serves PUT /channel/preferences/update
// (CHANNEL_ASSETS_BUCKET: image previews must point into this bucket; without
// it no preview is accepted).
func UpdatePreferences(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := channelsService(d)
	if err != nil {
		return nil, err
	}
	if d.Env.String("CHANNEL_ASSETS_BUCKET") != "" {
		bucket, err := d.S3()
		if err != nil {
			return nil, err
		}
		if s.Config.AssetUploadURL, err = bucket.BucketURL(ctx); err != nil {
			return nil, err
		}
		s.Config.AssetBucket = bucket.Bucket()
	}
	return HTTP(d, Required, s.UpdatePreferences(), "PUT /channel/preferences/update")
}
