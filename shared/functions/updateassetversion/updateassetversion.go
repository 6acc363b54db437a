// Package updateassetversion builds UpdateAssetVersion, the consumer of the
// assets queue: S3 ObjectCreated events of uploaded images.
package updateassetversion

import (
	"context"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/assets"
	"github.com/onair/onair/shared/dynamo"
)

// Function is UpdateAssetVersion (CHANNEL_ASSETS_BASE_URL, the CloudFront
// URL images are served from). It needs no bucket access: the event names
// the version.
func Function() app.Function { return app.Event("UpdateAssetVersion", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	if err := p.Env.Required("CHANNEL_ASSETS_BASE_URL"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return assets.UpdateAssetVersion(db, p.Env.String("CHANNEL_ASSETS_BASE_URL"), p.Clock), nil
}
