// Package s3 is the adapter to the channel-assets bucket (presigned uploads,
// deletes).
package s3

import (
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
