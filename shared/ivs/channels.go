package ivs

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/aws/aws-sdk-go-v2/service/ivs/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// CreateChannel creates a channel as spec says; IVS creates its stream key
// with it, and both come back.
func (c *Client) CreateChannel(ctx context.Context, spec onair.IVSChannelSpec) (onair.IVSChannel, onair.StreamKey, error) {
	in := &sdkivs.CreateChannelInput{Tags: spec.Tags}
	if spec.Name != "" {
		in.Name = aws.String(spec.Name)
	}
	if spec.Type != "" {
		in.Type = types.ChannelType(spec.Type)
	}
	if spec.Preset != "" {
		in.Preset = types.TranscodePreset(spec.Preset)
	}
	out, err := c.api.CreateChannel(ctx, in)
	if err != nil {
		return onair.IVSChannel{}, onair.StreamKey{}, awserr.Map("ivs CreateChannel", err)
	}
	if out.Channel == nil || aws.ToString(out.Channel.Arn) == "" {
		return onair.IVSChannel{}, onair.StreamKey{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("ivs CreateChannel: no channel in the response"))
	}
	var key onair.StreamKey
	if out.StreamKey != nil {
		key = fromStreamKey(out.StreamKey)
	}
	return fromChannel(out.Channel), key, nil
}

// FindChannels returns the channels named exactly name that carry every tag
// of tags, fully described. IVS filters by name only, so the tags are checked
// here; a channel deleted while we look is skipped.
func (c *Client) FindChannels(ctx context.Context, name string, tags map[string]string) ([]onair.IVSChannel, error) {
	var found []onair.IVSChannel
	p := sdkivs.NewListChannelsPaginator(c.api, &sdkivs.ListChannelsInput{FilterByName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Map("ivs ListChannels", err)
		}
		for _, s := range page.Channels {
			if aws.ToString(s.Name) != name {
				continue // the filter may match more loosely than equality
			}
			// Summaries normally carry tags; when they do not, the full
			// description below is checked instead.
			if s.Tags != nil && !onair.HasTags(s.Tags, tags) {
				continue
			}
			ch, err := c.GetChannel(ctx, aws.ToString(s.Arn))
			if errors.Is(err, onair.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if onair.HasTags(ch.Tags, tags) {
				found = append(found, ch)
			}
		}
	}
	return found, nil
}

// GetChannel describes the channel arn. ErrNotFound if it does not exist.
func (c *Client) GetChannel(ctx context.Context, arn string) (onair.IVSChannel, error) {
	out, err := c.api.GetChannel(ctx, &sdkivs.GetChannelInput{Arn: aws.String(arn)})
	if err != nil {
		return onair.IVSChannel{}, awserr.Map("ivs GetChannel", err)
	}
	if out.Channel == nil {
		return onair.IVSChannel{}, onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", fmt.Errorf("ivs GetChannel %s: no channel in the response", arn))
	}
	return fromChannel(out.Channel), nil
}

// DeleteChannel deletes the channel and its stream keys. A channel already
// gone is not an error, so that a cascade can be retried; a live channel is
// refused by IVS (Conflict) until its stream has ended.
func (c *Client) DeleteChannel(ctx context.Context, arn string) error {
	_, err := c.api.DeleteChannel(ctx, &sdkivs.DeleteChannelInput{Arn: aws.String(arn)})
	if err != nil && awserr.Code(err) != "ResourceNotFoundException" {
		return awserr.Map("ivs DeleteChannel", err)
	}
	return nil
}

// StopStream disconnects the channel's live stream. A channel that is not
// broadcasting is not an error: the stream is stopped either way. A channel
// that does not exist is ErrNotFound.
func (c *Client) StopStream(ctx context.Context, channelArn string) error {
	_, err := c.api.StopStream(ctx, &sdkivs.StopStreamInput{ChannelArn: aws.String(channelArn)})
	if err != nil && awserr.Code(err) != "ChannelNotBroadcasting" {
		return awserr.Map("ivs StopStream", err)
	}
	return nil
}

func fromChannel(ch *types.Channel) onair.IVSChannel {
	return onair.IVSChannel{
		Arn:            aws.ToString(ch.Arn),
		Name:           aws.ToString(ch.Name),
		Type:           string(ch.Type),
		IngestEndpoint: aws.ToString(ch.IngestEndpoint),
		PlaybackURL:    aws.ToString(ch.PlaybackUrl),
		Tags:           ch.Tags,
	}
}
