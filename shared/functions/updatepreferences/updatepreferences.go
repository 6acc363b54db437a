// Package updatepreferences builds UpdatePreferences: the caller's avatar,
// banner and colour.
package updatepreferences

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/dynamo"
)

// Function is UpdatePreferences (CHANNEL_ASSETS_BUCKET: image previews must
// point into this bucket).
func Function() app.Function {
	return app.HTTP("UpdatePreferences", app.Required, build, "PUT /channel/preferences/update")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("CHANNEL_ASSETS_BUCKET"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	cfg := channels.Config{AssetBucket: p.Env.String("CHANNEL_ASSETS_BUCKET"), Region: p.AWS.Region}
	// The function never calls S3, so it does not link the S3 client: on AWS
	// a preview is checked against S3's own addresses of the bucket; on a
	// custom endpoint (offline) the bucket is served path-style under it, as
	// the s3 adapter addresses it.
	if ep := aws.ToString(p.AWS.BaseEndpoint); ep != "" {
		cfg.AssetUploadURL = strings.TrimSuffix(ep, "/") + "/" + cfg.AssetBucket
	}
	return channels.UpdatePreferences(db, cfg, p.Clock), nil
}
