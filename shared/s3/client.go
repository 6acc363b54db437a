// Package s3 is the adapter to the channel-assets bucket (presigned uploads,
// deletes).
package s3

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// Client works on one bucket.
type Client struct {
	api    *sdks3.Client
	bucket string
	// cfg is kept for presigned POSTs, which the SDK does not make: they
	// need the credentials, the region and the endpoint.
	cfg       aws.Config
	pathStyle bool
	now       func() time.Time
}

// New returns a client for bucket. With a custom endpoint (cfg.BaseEndpoint,
// the offline stack's S3) requests are path-style
// ("http://127.0.0.1:4566/<bucket>/<key>"), as local S3 stand-ins serve them.
func New(cfg aws.Config, bucket string) *Client {
	pathStyle := aws.ToString(cfg.BaseEndpoint) != ""
	api := sdks3.NewFromConfig(cfg, func(o *sdks3.Options) { o.UsePathStyle = pathStyle })
	return &Client{api: api, bucket: bucket, cfg: cfg, pathStyle: pathStyle, now: time.Now}
}

// Bucket is the bucket the client works on.
func (c *Client) Bucket() string { return c.bucket }

// AssetBucket is the client as the assets package's Bucket port: browser
// uploads signed on Now's clock, deletes of an object's current version.
type AssetBucket struct {
	Client *Client
	Now    func() time.Time
}

// PresignPost signs a browser upload of exactly key and contentType, of at
// most maxBytes, valid for expires.
func (b AssetBucket) PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (string, map[string]string, error) {
	p, err := b.Client.PresignPost(ctx, PostPolicy{Key: key, ContentType: contentType, MaxBytes: maxBytes, Expires: expires, SignedAt: b.Now()})
	return p.URL, p.Fields, err
}

// DeleteObject deletes key's current version.
func (b AssetBucket) DeleteObject(ctx context.Context, key string) error {
	return b.Client.DeleteObject(ctx, key)
}
