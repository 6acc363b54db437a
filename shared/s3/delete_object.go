package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/onair/onair/shared/awserr"
)

// DeleteObject deletes the current version of key. The bucket is versioned,
// so S3 adds a delete marker and keeps the earlier versions (account deletion
// removes those with DeletePrefix). Deleting a missing key is no error.
func (c *Client) DeleteObject(ctx context.Context, key string) error {
	_, err := c.api.DeleteObject(ctx, &sdks3.DeleteObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
	if err != nil {
		return awserr.Map("s3 DeleteObject", err)
	}
	return nil
}
