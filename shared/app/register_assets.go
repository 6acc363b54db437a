package app

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/assets"
	"github.com/onair/onair/shared/s3"
)

// addAssets registers the functions of the channel-assets capability: the
// presigned image upload, deleting an image, and the bucket's upload events.
func addAssets(m map[string]Builder) {
	m["CreateAssetUpload"] = CreateAssetUpload
	m["DeleteAsset"] = DeleteAsset
	m["UpdateAssetVersion"] = UpdateAssetVersion
}

// assetBucket adapts the s3 adapter to the assets package's Bucket port,
// signing uploads on the function's clock.
type assetBucket struct {
	c   *s3.Client
	now func() time.Time
}

func (b assetBucket) PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (string, map[string]string, error) {
	p, err := b.c.PresignPost(ctx, s3.PostPolicy{Key: key, ContentType: contentType, MaxBytes: maxBytes, Expires: expires, SignedAt: b.now()})
	return p.URL, p.Fields, err
}

func (b assetBucket) DeleteObject(ctx context.Context, key string) error {
	return b.c.DeleteObject(ctx, key)
}

// assetService builds the assets service on the bucket (CHANNEL_ASSETS_BUCKET).
func assetService(d *Deps) (*assets.Service, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	bucket, err := d.S3()
	if err != nil {
		return nil, err
	}
	return &assets.Service{Store: db, Bucket: assetBucket{bucket, d.Clock()}, Now: d.Clock()}, nil
}

// CreateAssetUpload serves POST /channel/assets/imagePresignedPost/create
// (CHANNEL_ASSETS_BUCKET).
func CreateAssetUpload(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := assetService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.CreateAssetUpload(), "POST /channel/assets/imagePresignedPost/create")
}

// DeleteAsset serves DELETE /channel/asset (CHANNEL_ASSETS_BUCKET).
func DeleteAsset(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := assetService(d)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.DeleteAsset(), "DELETE /channel/asset")
}

// UpdateAssetVersion consumes the assets queue: S3 ObjectCreated events of
// uploaded images (CHANNEL_ASSETS_BASE_URL, the CloudFront URL images are
// served from). It needs no bucket access: the event names the version.
func UpdateAssetVersion(ctx context.Context, d *Deps) (lambda.Handler, error) {
	if err := d.Env.Required("CHANNEL_ASSETS_BASE_URL"); err != nil {
		return nil, err
	}
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	s := &assets.Service{Store: db, BaseURL: d.Env.String("CHANNEL_ASSETS_BASE_URL"), Now: d.Clock()}
	return Event(s.UpdateAssetVersion), nil
}
