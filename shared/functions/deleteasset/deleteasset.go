// Package deleteasset builds DeleteAsset: deleting the caller's avatar or
// banner.
package deleteasset

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/assets"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/s3"
)

// Function is DeleteAsset (CHANNEL_ASSETS_BUCKET).
func Function() app.Function {
	return app.HTTP("DeleteAsset", app.Required, build, "DELETE /channel/asset")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("CHANNEL_ASSETS_BUCKET"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	bucket := s3.AssetBucket{Client: s3.New(p.AWS, p.Env.String("CHANNEL_ASSETS_BUCKET")), Now: p.Clock}
	return assets.DeleteAsset(db, bucket, p.Clock), nil
}
