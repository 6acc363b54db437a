// Package s3 is the adapter to the channel-assets bucket (presigned uploads,
// deletes).
package s3

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// Client works on one bucket.
type Client struct {
	api    *sdks3.Client
	bucket string
}

// New returns a client for bucket.
func New(cfg aws.Config, bucket string) *Client {
	return &Client{api: sdks3.NewFromConfig(cfg), bucket: bucket}
}
