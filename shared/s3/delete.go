package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// deleteBatch is the most keys DeleteObjects takes at once.
const deleteBatch = 1000

// DeletePrefix deletes every version and delete marker of every object whose
// key starts with prefix, so nothing of it survives in the versioned bucket,
// and returns how many versions it deleted. prefix must name a folder
// ("<channelAssetId>/"): an empty or root prefix would empty the bucket and is
// refused.
func (c *Client) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if strings.Trim(prefix, "/") == "" || !strings.HasSuffix(prefix, "/") {
		return 0, onair.Wrap(onair.Internal, "", "", fmt.Errorf("s3 DeletePrefix: refusing prefix %q", prefix))
	}
	deleted := 0
	in := &sdks3.ListObjectVersionsInput{Bucket: aws.String(c.bucket), Prefix: aws.String(prefix)}
	for {
		page, err := c.api.ListObjectVersions(ctx, in)
		if err != nil {
			return deleted, awserr.Map("s3 ListObjectVersions", err)
		}
		var ids []types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		for len(ids) > 0 {
			n := min(len(ids), deleteBatch)
			if err := c.deleteObjects(ctx, ids[:n]); err != nil {
				return deleted, err
			}
			deleted += n
			ids = ids[n:]
		}
		if !aws.ToBool(page.IsTruncated) {
			return deleted, nil
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
}

func (c *Client) deleteObjects(ctx context.Context, ids []types.ObjectIdentifier) error {
	out, err := c.api.DeleteObjects(ctx, &sdks3.DeleteObjectsInput{
		Bucket: aws.String(c.bucket),
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
	})
	if err != nil {
		return awserr.Map("s3 DeleteObjects", err)
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return onair.Wrap(onair.Internal, "", "", fmt.Errorf("s3 DeleteObjects: %d of %d failed, first %s (version %s): %s %s",
			len(out.Errors), len(ids), aws.ToString(e.Key), aws.ToString(e.VersionId), aws.ToString(e.Code), aws.ToString(e.Message)))
	}
	return nil
}
