package ivs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/aws/aws-sdk-go-v2/service/ivs/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// A channel has at most one stream key (IVS refuses a second one), so a
// "reset" is DeleteStreamKey then CreateStreamKey.

// ListStreamKeys returns the ARNs of the channel's stream keys (IVS lists
// keys without their value). ErrNotFound if the channel does not exist.
func (c *Client) ListStreamKeys(ctx context.Context, channelArn string) ([]string, error) {
	var arns []string
	p := sdkivs.NewListStreamKeysPaginator(c.api, &sdkivs.ListStreamKeysInput{ChannelArn: aws.String(channelArn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Map("ivs ListStreamKeys", err)
		}
		for _, k := range page.StreamKeys {
			arns = append(arns, aws.ToString(k.Arn))
		}
	}
	return arns, nil
}

// GetStreamKey returns the key arn with its value. ErrNotFound if it does not
// exist.
func (c *Client) GetStreamKey(ctx context.Context, arn string) (onair.StreamKey, error) {
	out, err := c.api.GetStreamKey(ctx, &sdkivs.GetStreamKeyInput{Arn: aws.String(arn)})
	if err != nil {
		return onair.StreamKey{}, awserr.Map("ivs GetStreamKey", err)
	}
	if out.StreamKey == nil {
		return onair.StreamKey{}, onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", fmt.Errorf("ivs GetStreamKey %s: no key in the response", arn))
	}
	return fromStreamKey(out.StreamKey), nil
}

// CreateStreamKey creates a key for the channel. IVS refuses it while the
// channel still has one (ServiceQuotaExceeded, a Throttled error here).
func (c *Client) CreateStreamKey(ctx context.Context, channelArn string) (onair.StreamKey, error) {
	out, err := c.api.CreateStreamKey(ctx, &sdkivs.CreateStreamKeyInput{ChannelArn: aws.String(channelArn)})
	if err != nil {
		return onair.StreamKey{}, awserr.Map("ivs CreateStreamKey", err)
	}
	if out.StreamKey == nil || aws.ToString(out.StreamKey.Arn) == "" {
		return onair.StreamKey{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("ivs CreateStreamKey: no key in the response"))
	}
	return fromStreamKey(out.StreamKey), nil
}

// DeleteStreamKey deletes the key; a key already gone is not an error.
func (c *Client) DeleteStreamKey(ctx context.Context, arn string) error {
	_, err := c.api.DeleteStreamKey(ctx, &sdkivs.DeleteStreamKeyInput{Arn: aws.String(arn)})
	if err != nil && awserr.Code(err) != "ResourceNotFoundException" {
		return awserr.Map("ivs DeleteStreamKey", err)
	}
	return nil
}

func fromStreamKey(k *types.StreamKey) onair.StreamKey {
	return onair.StreamKey{
		Arn:        aws.ToString(k.Arn),
		ChannelArn: aws.ToString(k.ChannelArn),
		Value:      aws.ToString(k.Value),
	}
}
