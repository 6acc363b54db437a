// Package ivs is the conformance suite of Amazon IVS low-latency channels
// (channels, stream keys, streams, timed metadata, tags): checked against
// local/internal/ivsemu in `make test` and against AWS with -tags
// awsconformance.
package ivs

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

var (
	channelArn   = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:\d{12}:channel/[a-zA-Z0-9]{12}$`)
	streamKeyArn = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:\d{12}:stream-key/[a-zA-Z0-9]{12}$`)
	keyValue     = regexp.MustCompile(`^sk_[a-z0-9-]+_[a-zA-Z0-9]{12}_[a-zA-Z0-9]{30}$`)
	streamID     = regexp.MustCompile(`^st-[a-zA-Z0-9]{23}$`)
)

// Broadcaster is the media side of a channel, which no API call drives: it
// starts a broadcast with the channel's stream key and ends it. AWS runs
// pass nil (the cases that need a live stream then skip, saying so) unless
// someone wires an encoder in.
type Broadcaster interface {
	Start(ctx context.Context, channelArn, streamKey string) error
	End(ctx context.Context, channelArn string) error
}

type suite struct {
	target conformance.Target
	c      *ivs.Client
	live   Broadcaster
}

// Run runs every case against target. Each case creates its own channels
// (named target.Prefix-…, deleted at the end of the case).
func Run(t *testing.T, target conformance.Target, live Broadcaster) {
	s := &suite{target: target, c: ivs.NewFromConfig(target.Config), live: live}
	conformance.RunCases(t, []conformance.Case{
		{Name: "ChannelLifecycle", Run: s.channelLifecycle},
		{Name: "StreamKeys", Run: s.streamKeys},
		{Name: "ListChannels", Run: s.listChannels},
		{Name: "Tags", Run: s.tags},
		{Name: "Validation", Run: s.validation},
		{Name: "NotBroadcasting", Run: s.notBroadcasting},
		{Name: "LiveStream", Run: s.liveStream},
	})
}

// channel creates a channel and deletes it when the test ends.
func (s *suite) channel(t *testing.T, in *ivs.CreateChannelInput) *ivs.CreateChannelOutput {
	t.Helper()
	if in == nil {
		in = &ivs.CreateChannelInput{}
	}
	if in.Name == nil {
		in.Name = aws.String(s.target.Unique("channel"))
	}
	out, err := s.c.CreateChannel(t.Context(), in)
	require.NoError(t, err)
	arn := out.Channel.Arn
	t.Cleanup(func() {
		ctx := context.WithoutCancel(t.Context())
		if s.live != nil {
			_ = s.live.End(ctx, *arn)
		}
		_, _ = s.c.DeleteChannel(ctx, &ivs.DeleteChannelInput{Arn: arn})
	})
	return out
}

func (s *suite) channelLifecycle(t *testing.T) {
	name := s.target.Unique("channel")
	created := s.channel(t, &ivs.CreateChannelInput{Name: aws.String(name), LatencyMode: types.ChannelLatencyModeLowLatency,
		Type: types.ChannelTypeBasicChannelType, Tags: map[string]string{"app": "onair"}})
	ch := created.Channel
	assert.Regexp(t, channelArn, aws.ToString(ch.Arn))
	assert.Equal(t, name, aws.ToString(ch.Name))
	assert.Equal(t, types.ChannelLatencyModeLowLatency, ch.LatencyMode)
	assert.Equal(t, types.ChannelTypeBasicChannelType, ch.Type)
	assert.False(t, ch.Authorized)
	assert.NotEmpty(t, aws.ToString(ch.IngestEndpoint))
	assert.NotContains(t, aws.ToString(ch.IngestEndpoint), "://", "ingestEndpoint is a host, without a scheme")
	assert.True(t, strings.HasSuffix(aws.ToString(ch.PlaybackUrl), ".m3u8"), "playbackUrl %q", aws.ToString(ch.PlaybackUrl))
	assert.Equal(t, map[string]string{"app": "onair"}, ch.Tags)
	// CreateChannel also creates the channel's one stream key.
	require.NotNil(t, created.StreamKey)
	assert.Regexp(t, streamKeyArn, aws.ToString(created.StreamKey.Arn))
	assert.Regexp(t, keyValue, aws.ToString(created.StreamKey.Value))
	assert.Equal(t, aws.ToString(ch.Arn), aws.ToString(created.StreamKey.ChannelArn))

	got, err := s.c.GetChannel(t.Context(), &ivs.GetChannelInput{Arn: ch.Arn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(ch.Arn), aws.ToString(got.Channel.Arn))
	assert.Equal(t, aws.ToString(ch.PlaybackUrl), aws.ToString(got.Channel.PlaybackUrl))
	assert.Equal(t, aws.ToString(ch.IngestEndpoint), aws.ToString(got.Channel.IngestEndpoint))

	renamed := name + "-2"
	upd, err := s.c.UpdateChannel(t.Context(), &ivs.UpdateChannelInput{Arn: ch.Arn, Name: aws.String(renamed), LatencyMode: types.ChannelLatencyModeNormalLatency})
	require.NoError(t, err)
	assert.Equal(t, renamed, aws.ToString(upd.Channel.Name))
	assert.Equal(t, types.ChannelLatencyModeNormalLatency, upd.Channel.LatencyMode)
	assert.Equal(t, types.ChannelTypeBasicChannelType, upd.Channel.Type, "fields not sent are kept")

	missing := aws.ToString(ch.Arn)[:len(aws.ToString(ch.Arn))-12] + "AAAAAAAAAAAA"
	batch, err := s.c.BatchGetChannel(t.Context(), &ivs.BatchGetChannelInput{Arns: []string{aws.ToString(ch.Arn), missing}})
	require.NoError(t, err)
	require.Len(t, batch.Channels, 1)
	assert.Equal(t, renamed, aws.ToString(batch.Channels[0].Name))
	require.Len(t, batch.Errors, 1)
	assert.Equal(t, missing, aws.ToString(batch.Errors[0].Arn))
	assert.NotEmpty(t, aws.ToString(batch.Errors[0].Code))

	_, err = s.c.DeleteChannel(t.Context(), &ivs.DeleteChannelInput{Arn: ch.Arn})
	require.NoError(t, err)
	_, err = s.c.GetChannel(t.Context(), &ivs.GetChannelInput{Arn: ch.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = s.c.DeleteChannel(t.Context(), &ivs.DeleteChannelInput{Arn: ch.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = s.c.UpdateChannel(t.Context(), &ivs.UpdateChannelInput{Arn: ch.Arn, Name: aws.String(renamed)})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	// The channel's key went with it.
	_, err = s.c.GetStreamKey(t.Context(), &ivs.GetStreamKeyInput{Arn: created.StreamKey.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

func (s *suite) streamKeys(t *testing.T) {
	created := s.channel(t, nil)
	key := created.StreamKey

	got, err := s.c.GetStreamKey(t.Context(), &ivs.GetStreamKeyInput{Arn: key.Arn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(key.Value), aws.ToString(got.StreamKey.Value))
	assert.Equal(t, aws.ToString(created.Channel.Arn), aws.ToString(got.StreamKey.ChannelArn))

	list, err := s.c.ListStreamKeys(t.Context(), &ivs.ListStreamKeysInput{ChannelArn: created.Channel.Arn})
	require.NoError(t, err)
	require.Len(t, list.StreamKeys, 1)
	assert.Equal(t, aws.ToString(key.Arn), aws.ToString(list.StreamKeys[0].Arn))

	batch, err := s.c.BatchGetStreamKey(t.Context(), &ivs.BatchGetStreamKeyInput{Arns: []string{aws.ToString(key.Arn)}})
	require.NoError(t, err)
	require.Len(t, batch.StreamKeys, 1)
	assert.Equal(t, aws.ToString(key.Value), aws.ToString(batch.StreamKeys[0].Value))
	assert.Empty(t, batch.Errors)

	// One key per channel: a second is over the quota; reset is delete + create.
	_, err = s.c.CreateStreamKey(t.Context(), &ivs.CreateStreamKeyInput{ChannelArn: created.Channel.Arn})
	conformance.RequireCode(t, err, "ServiceQuotaExceededException")
	_, err = s.c.DeleteStreamKey(t.Context(), &ivs.DeleteStreamKeyInput{Arn: key.Arn})
	require.NoError(t, err)
	list, err = s.c.ListStreamKeys(t.Context(), &ivs.ListStreamKeysInput{ChannelArn: created.Channel.Arn})
	require.NoError(t, err)
	assert.NotNil(t, list.StreamKeys, "the list is present even when empty")
	assert.Empty(t, list.StreamKeys)
	_, err = s.c.DeleteStreamKey(t.Context(), &ivs.DeleteStreamKeyInput{Arn: key.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")

	fresh, err := s.c.CreateStreamKey(t.Context(), &ivs.CreateStreamKeyInput{ChannelArn: created.Channel.Arn, Tags: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Regexp(t, streamKeyArn, aws.ToString(fresh.StreamKey.Arn))
	assert.Regexp(t, keyValue, aws.ToString(fresh.StreamKey.Value))
	assert.NotEqual(t, aws.ToString(key.Value), aws.ToString(fresh.StreamKey.Value))
	assert.Equal(t, map[string]string{"k": "v"}, fresh.StreamKey.Tags)
}

func (s *suite) listChannels(t *testing.T) {
	name := s.target.Unique("list")
	var arns []string
	for range 3 {
		arns = append(arns, aws.ToString(s.channel(t, &ivs.CreateChannelInput{Name: aws.String(name)}).Channel.Arn))
	}
	var seen []string
	in := &ivs.ListChannelsInput{FilterByName: aws.String(name), MaxResults: aws.Int32(2)}
	for page := 0; ; page++ {
		out, err := s.c.ListChannels(t.Context(), in)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(out.Channels), 2)
		for _, ch := range out.Channels {
			assert.Equal(t, name, aws.ToString(ch.Name))
			seen = append(seen, aws.ToString(ch.Arn))
		}
		if out.NextToken == nil {
			break
		}
		require.Less(t, page, 3, "pagination does not end")
		in.NextToken = out.NextToken
	}
	assert.ElementsMatch(t, arns, seen)

	_, err := s.c.ListChannels(t.Context(), &ivs.ListChannelsInput{FilterByName: aws.String(name),
		FilterByRecordingConfigurationArn: aws.String("arn:aws:ivs:us-east-1:123456789012:recording-configuration/AAAAAAAAAAAA")})
	conformance.RequireCode(t, err, "ConflictException")
}

func (s *suite) tags(t *testing.T) {
	ch := s.channel(t, &ivs.CreateChannelInput{Tags: map[string]string{"a": "1"}}).Channel
	_, err := s.c.TagResource(t.Context(), &ivs.TagResourceInput{ResourceArn: ch.Arn, Tags: map[string]string{"b": "2", "c": "3"}})
	require.NoError(t, err)
	got, err := s.c.ListTagsForResource(t.Context(), &ivs.ListTagsForResourceInput{ResourceArn: ch.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1", "b": "2", "c": "3"}, got.Tags)
	_, err = s.c.UntagResource(t.Context(), &ivs.UntagResourceInput{ResourceArn: ch.Arn, TagKeys: []string{"a", "c"}})
	require.NoError(t, err)
	got, err = s.c.ListTagsForResource(t.Context(), &ivs.ListTagsForResourceInput{ResourceArn: ch.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, got.Tags)
	gotCh, err := s.c.GetChannel(t.Context(), &ivs.GetChannelInput{Arn: ch.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, gotCh.Channel.Tags, "the channel shows its tags")

	missing := aws.ToString(ch.Arn)[:len(aws.ToString(ch.Arn))-12] + "AAAAAAAAAAAA"
	_, err = s.c.ListTagsForResource(t.Context(), &ivs.ListTagsForResourceInput{ResourceArn: aws.String(missing)})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

func (s *suite) validation(t *testing.T) {
	_, err := s.c.GetChannel(t.Context(), &ivs.GetChannelInput{Arn: aws.String("not-an-arn")})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateChannel(t.Context(), &ivs.CreateChannelInput{Name: aws.String("spaces are not allowed")})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateChannel(t.Context(), &ivs.CreateChannelInput{Name: aws.String(s.target.Unique("bad")), Type: "NOT_A_TYPE"})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.ListStreamKeys(t.Context(), &ivs.ListStreamKeysInput{ChannelArn: aws.String("arn:aws:ivs:us-east-1:123456789012:stage/AAAAAAAAAAAA")})
	conformance.RequireCode(t, err, "ValidationException")
}

func (s *suite) notBroadcasting(t *testing.T) {
	ch := s.channel(t, nil).Channel
	_, err := s.c.GetStream(t.Context(), &ivs.GetStreamInput{ChannelArn: ch.Arn})
	conformance.RequireCode(t, err, "ChannelNotBroadcasting")
	_, err = s.c.StopStream(t.Context(), &ivs.StopStreamInput{ChannelArn: ch.Arn})
	conformance.RequireCode(t, err, "ChannelNotBroadcasting")
	_, err = s.c.PutMetadata(t.Context(), &ivs.PutMetadataInput{ChannelArn: ch.Arn, Metadata: aws.String("{}")})
	conformance.RequireCode(t, err, "ChannelNotBroadcasting")

	sessions, err := s.c.ListStreamSessions(t.Context(), &ivs.ListStreamSessionsInput{ChannelArn: ch.Arn})
	require.NoError(t, err)
	assert.NotNil(t, sessions.StreamSessions, "the list is present even when empty")
	assert.Empty(t, sessions.StreamSessions)

	streams, err := s.c.ListStreams(t.Context(), &ivs.ListStreamsInput{})
	require.NoError(t, err)
	assert.NotNil(t, streams.Streams)
	for _, st := range streams.Streams {
		assert.NotEqual(t, aws.ToString(ch.Arn), aws.ToString(st.ChannelArn), "a channel that is not live is not listed")
	}
}

func (s *suite) liveStream(t *testing.T) {
	if s.live == nil {
		t.Skip("needs a live broadcast on a channel; this target has no Broadcaster (on AWS: an encoder pushing to the channel)")
	}
	created := s.channel(t, nil)
	ch := created.Channel
	require.NoError(t, s.live.Start(t.Context(), aws.ToString(ch.Arn), aws.ToString(created.StreamKey.Value)))

	var stream *types.Stream
	require.Eventually(t, func() bool {
		out, err := s.c.GetStream(t.Context(), &ivs.GetStreamInput{ChannelArn: ch.Arn})
		if err == nil {
			stream = out.Stream
		}
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "the channel goes live")
	assert.Equal(t, types.StreamStateStreamLive, stream.State)
	assert.Regexp(t, streamID, aws.ToString(stream.StreamId))
	assert.Equal(t, aws.ToString(ch.PlaybackUrl), aws.ToString(stream.PlaybackUrl))
	require.NotNil(t, stream.StartTime)

	list, err := s.c.ListStreams(t.Context(), &ivs.ListStreamsInput{})
	require.NoError(t, err)
	var listed bool
	for _, st := range list.Streams {
		listed = listed || aws.ToString(st.ChannelArn) == aws.ToString(ch.Arn)
	}
	assert.True(t, listed, "ListStreams lists the live channel")

	// A live channel cannot be updated or deleted.
	_, err = s.c.UpdateChannel(t.Context(), &ivs.UpdateChannelInput{Arn: ch.Arn, Name: aws.String(s.target.Unique("live"))})
	conformance.RequireCode(t, err, "ConflictException")
	_, err = s.c.DeleteChannel(t.Context(), &ivs.DeleteChannelInput{Arn: ch.Arn})
	conformance.RequireCode(t, err, "ConflictException")

	// PutMetadata: at most 1 KB, at most 5 calls per second per channel.
	_, err = s.c.PutMetadata(t.Context(), &ivs.PutMetadataInput{ChannelArn: ch.Arn, Metadata: aws.String(strings.Repeat("x", 1025))})
	conformance.RequireCode(t, err, "ValidationException")
	var ok, throttled int
	for range 8 {
		_, err := s.c.PutMetadata(t.Context(), &ivs.PutMetadataInput{ChannelArn: ch.Arn, Metadata: aws.String(strings.Repeat("x", 1024))})
		if err == nil {
			ok++
			continue
		}
		conformance.RequireCode(t, err, "ThrottlingException")
		throttled++
	}
	assert.GreaterOrEqual(t, ok, 1)
	assert.Positive(t, throttled, "8 calls in a row exceed 5 TPS")

	sessions, err := s.c.ListStreamSessions(t.Context(), &ivs.ListStreamSessionsInput{ChannelArn: ch.Arn})
	require.NoError(t, err)
	require.Len(t, sessions.StreamSessions, 1)
	assert.Equal(t, aws.ToString(stream.StreamId), aws.ToString(sessions.StreamSessions[0].StreamId))
	assert.Nil(t, sessions.StreamSessions[0].EndTime, "no endTime while live")

	sess, err := s.c.GetStreamSession(t.Context(), &ivs.GetStreamSessionInput{ChannelArn: ch.Arn})
	require.NoError(t, err, "without streamId: the latest session")
	assert.Equal(t, aws.ToString(stream.StreamId), aws.ToString(sess.StreamSession.StreamId))
	require.NotNil(t, sess.StreamSession.Channel, "the channel's configuration at go-live")
	assert.Equal(t, aws.ToString(ch.Arn), aws.ToString(sess.StreamSession.Channel.Arn))

	_, err = s.c.StopStream(t.Context(), &ivs.StopStreamInput{ChannelArn: ch.Arn})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := s.c.GetStream(t.Context(), &ivs.GetStreamInput{ChannelArn: ch.Arn})
		return err != nil
	}, 60*time.Second, 200*time.Millisecond, "StopStream ends the stream")
	_, err = s.c.GetStream(t.Context(), &ivs.GetStreamInput{ChannelArn: ch.Arn})
	conformance.RequireCode(t, err, "ChannelNotBroadcasting")
	ended, err := s.c.GetStreamSession(t.Context(), &ivs.GetStreamSessionInput{ChannelArn: ch.Arn, StreamId: stream.StreamId})
	require.NoError(t, err)
	assert.NotNil(t, ended.StreamSession.EndTime)
}
