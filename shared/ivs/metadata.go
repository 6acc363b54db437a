package ivs

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"

	"github.com/onair/onair/shared/awserr"
)

// PutMetadata inserts timed metadata into the channel's live stream (at most
// 1 KB; IVS allows 5 calls per second per channel). The SDK's own retries are
// off: callers retry throttling with a backoff that respects the channel's
// rate, and a retry hidden here would multiply theirs. Errors: a channel that
// is not live is a Conflict of type ChannelNotBroadcastingException,
// throttling is Throttled, a refused payload is Invalid.
func (c *Client) PutMetadata(ctx context.Context, channelArn, metadata string) error {
	_, err := c.api.PutMetadata(ctx, &sdkivs.PutMetadataInput{
		ChannelArn: aws.String(channelArn),
		Metadata:   aws.String(metadata),
	}, func(o *sdkivs.Options) { o.Retryer = aws.NopRetryer{} })
	return awserr.Map("ivs:PutMetadata", err)
}
