package ivsemu

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (e *env) createChannel(name string) *ivs.CreateChannelOutput {
	e.t.Helper()
	out, err := e.ivs.CreateChannel(e.ctx, &ivs.CreateChannelInput{Name: aws.String(name),
		Tags: map[string]string{"project": "onair"}})
	require.NoError(e.t, err)
	return out
}

func TestCreateChannelFormats(t *testing.T) {
	e := newEnv(t)
	out := e.createChannel("alice")
	ch := out.Channel
	assert.Regexp(t, `^arn:aws:ivs:us-east-1:111122223333:channel/[a-zA-Z0-9]{12}$`, *ch.Arn)
	id := (*ch.Arn)[strings.LastIndex(*ch.Arn, "/")+1:]
	assert.Equal(t, "alice", *ch.Name)
	assert.Equal(t, types.ChannelLatencyModeLowLatency, ch.LatencyMode)
	assert.Equal(t, types.ChannelTypeStandardChannelType, ch.Type)
	assert.Equal(t, "127.0.0.1:1935", *ch.IngestEndpoint)
	assert.Equal(t, "http://127.0.0.1:4566/hls/"+id+".m3u8", *ch.PlaybackUrl)
	assert.Equal(t, types.ContainerFormatTs, ch.ContainerFormat)
	assert.Equal(t, map[string]string{"project": "onair"}, ch.Tags)
	require.NotNil(t, ch.Srt)
	assert.Len(t, *ch.Srt.Passphrase, 32)

	key := out.StreamKey
	assert.Regexp(t, `^arn:aws:ivs:us-east-1:111122223333:stream-key/[a-zA-Z0-9]{12}$`, *key.Arn)
	assert.Regexp(t, `^sk_us-east-1_[a-zA-Z0-9]{12}_[a-zA-Z0-9]{30}$`, *key.Value)
	assert.Equal(t, *ch.Arn, *key.ChannelArn)

	got, err := e.ivs.GetChannel(e.ctx, &ivs.GetChannelInput{Arn: ch.Arn})
	require.NoError(t, err)
	assert.Equal(t, *ch.PlaybackUrl, *got.Channel.PlaybackUrl)

	found, err := e.svc.ChannelByStreamKey(e.ctx, *key.Value)
	require.NoError(t, err)
	assert.Equal(t, *ch.Arn, found.Arn)
}

func TestChannelValidationAndErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		in   *ivs.CreateChannelInput
	}{
		{"bad name", &ivs.CreateChannelInput{Name: aws.String("has space")}},
		{"long name", &ivs.CreateChannelInput{Name: aws.String(strings.Repeat("a", 129))}},
		{"bad type", &ivs.CreateChannelInput{Type: "HUGE"}},
		{"preset on standard", &ivs.CreateChannelInput{Preset: types.TranscodePresetHigherBandwidthTranscodePreset}},
		{"too many tags", &ivs.CreateChannelInput{Tags: manyTags(51)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.ivs.CreateChannel(e.ctx, tt.in)
			var ve *types.ValidationException
			require.ErrorAs(t, err, &ve)
			require.NotNil(t, ve.ExceptionMessage)
			assert.NotEmpty(t, *ve.ExceptionMessage)
		})
	}

	_, err := e.ivs.GetChannel(e.ctx, &ivs.GetChannelInput{Arn: aws.String("arn:aws:ivs:us-east-1:111122223333:channel/nope")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, *nf.ExceptionMessage, "channel/nope")

	_, err = e.ivs.GetChannel(e.ctx, &ivs.GetChannelInput{Arn: aws.String("not-an-arn")})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, *ve.ExceptionMessage, "failed to satisfy constraint")

	// Raw wire shape: header + exceptionMessage.
	resp, err := http.Post(e.srv.URL+"/GetChannel", "application/json", strings.NewReader(`{"arn":"x"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "ValidationException", resp.Header.Get("x-amzn-ErrorType"))
	assert.Contains(t, string(body), `"exceptionMessage"`)

	resp, err = http.Post(e.srv.URL+"/NoSuchOperation", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
}

func manyTags(n int) map[string]string {
	m := map[string]string{}
	for i := 0; i < n; i++ {
		m[strings.Repeat("k", i+1)] = "v"
	}
	return m
}

func TestListUpdateBatchDeleteChannels(t *testing.T) {
	e := newEnv(t)
	a := e.createChannel("alice")
	e.createChannel("bob")
	e.createChannel("carol")

	list, err := e.ivs.ListChannels(e.ctx, &ivs.ListChannelsInput{FilterByName: aws.String("bob")})
	require.NoError(t, err)
	require.Len(t, list.Channels, 1)
	assert.Equal(t, "bob", *list.Channels[0].Name)

	// Paging through all three, two at a time.
	var names []string
	p := ivs.NewListChannelsPaginator(e.ivs, &ivs.ListChannelsInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		require.NoError(t, err)
		pages++
		for _, c := range out.Channels {
			names = append(names, *c.Name)
		}
	}
	assert.Equal(t, 2, pages)
	assert.ElementsMatch(t, []string{"alice", "bob", "carol"}, names)

	_, err = e.ivs.ListChannels(e.ctx, &ivs.ListChannelsInput{MaxResults: aws.Int32(101)})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
	_, err = e.ivs.ListChannels(e.ctx, &ivs.ListChannelsInput{NextToken: aws.String("bm90LWEtdG9rZW4")})
	require.ErrorAs(t, err, &ve, "a forged nextToken is refused")
	_, err = e.ivs.ListChannels(e.ctx, &ivs.ListChannelsInput{FilterByName: aws.String("a"),
		FilterByRecordingConfigurationArn: aws.String("")})
	var ce *types.ConflictException
	require.ErrorAs(t, err, &ce)

	up, err := e.ivs.UpdateChannel(e.ctx, &ivs.UpdateChannelInput{Arn: a.Channel.Arn, Name: aws.String("alice2"),
		LatencyMode: types.ChannelLatencyModeNormalLatency, Type: types.ChannelTypeAdvancedHDChannelType})
	require.NoError(t, err)
	assert.Equal(t, "alice2", *up.Channel.Name)
	assert.Equal(t, types.ChannelLatencyModeNormalLatency, up.Channel.LatencyMode)
	assert.Equal(t, types.TranscodePresetHigherBandwidthTranscodePreset, up.Channel.Preset, "ADVANCED gets the default preset")
	assert.Equal(t, *a.Channel.PlaybackUrl, *up.Channel.PlaybackUrl)

	batch, err := e.ivs.BatchGetChannel(e.ctx, &ivs.BatchGetChannelInput{Arns: []string{*a.Channel.Arn,
		"arn:aws:ivs:us-east-1:111122223333:channel/missing"}})
	require.NoError(t, err)
	require.Len(t, batch.Channels, 1)
	require.Len(t, batch.Errors, 1)
	assert.Equal(t, "ResourceNotFoundException", *batch.Errors[0].Code)

	_, err = e.ivs.DeleteChannel(e.ctx, &ivs.DeleteChannelInput{Arn: a.Channel.Arn})
	require.NoError(t, err)
	_, err = e.ivs.GetStreamKey(e.ctx, &ivs.GetStreamKeyInput{Arn: a.StreamKey.Arn})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf, "the channel's stream key goes with it")
	_, err = e.ivs.DeleteChannel(e.ctx, &ivs.DeleteChannelInput{Arn: a.Channel.Arn})
	require.ErrorAs(t, err, &nf)
}

func TestStreamKeys(t *testing.T) {
	e := newEnv(t)
	ch := e.createChannel("alice")

	_, err := e.ivs.CreateStreamKey(e.ctx, &ivs.CreateStreamKeyInput{ChannelArn: ch.Channel.Arn})
	var q *types.ServiceQuotaExceededException
	require.ErrorAs(t, err, &q, "one stream key per channel")

	keys, err := e.ivs.ListStreamKeys(e.ctx, &ivs.ListStreamKeysInput{ChannelArn: ch.Channel.Arn})
	require.NoError(t, err)
	require.Len(t, keys.StreamKeys, 1)
	assert.Equal(t, *ch.StreamKey.Arn, *keys.StreamKeys[0].Arn)

	got, err := e.ivs.GetStreamKey(e.ctx, &ivs.GetStreamKeyInput{Arn: ch.StreamKey.Arn})
	require.NoError(t, err)
	assert.Equal(t, *ch.StreamKey.Value, *got.StreamKey.Value)

	// Reset: delete, then create.
	_, err = e.ivs.DeleteStreamKey(e.ctx, &ivs.DeleteStreamKeyInput{Arn: ch.StreamKey.Arn})
	require.NoError(t, err)
	nk, err := e.ivs.CreateStreamKey(e.ctx, &ivs.CreateStreamKeyInput{ChannelArn: ch.Channel.Arn})
	require.NoError(t, err)
	assert.NotEqual(t, *ch.StreamKey.Value, *nk.StreamKey.Value)

	batch, err := e.ivs.BatchGetStreamKey(e.ctx, &ivs.BatchGetStreamKeyInput{Arns: []string{*nk.StreamKey.Arn, *ch.StreamKey.Arn}})
	require.NoError(t, err)
	assert.Len(t, batch.StreamKeys, 1)
	assert.Len(t, batch.Errors, 1)

	_, err = e.ivs.CreateStreamKey(e.ctx, &ivs.CreateStreamKeyInput{ChannelArn: aws.String("arn:aws:ivs:us-east-1:111122223333:channel/none")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
}

var ingest = IngestConfiguration{
	Video: &VideoConfiguration{Codec: "avc1.64002A", Encoder: "obs-output module (libobs version 30.1.2)",
		TargetBitrate: 3500000, TargetFramerate: 30, VideoWidth: 1280, VideoHeight: 720, AvcProfile: "High", AvcLevel: "4.2"},
	Audio: &AudioConfiguration{Codec: "mp4a.40.2", TargetBitrate: 160000, SampleRate: 48000, Channels: 2},
}

func TestStreamLifecycleAndMetadata(t *testing.T) {
	e := newEnv(t)
	ch := e.createChannel("alice")
	arn := ch.Channel.Arn

	_, err := e.ivs.GetStream(e.ctx, &ivs.GetStreamInput{ChannelArn: arn})
	var nb *types.ChannelNotBroadcasting
	require.ErrorAs(t, err, &nb)
	_, err = e.ivs.PutMetadata(e.ctx, &ivs.PutMetadataInput{ChannelArn: arn, Metadata: aws.String("hi")})
	require.ErrorAs(t, err, &nb)
	_, err = e.ivs.StopStream(e.ctx, &ivs.StopStreamInput{ChannelArn: arn})
	require.ErrorAs(t, err, &nb)

	sess, err := e.svc.StartStream(e.ctx, *arn, ingest)
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^st-[a-zA-Z0-9]{23}$`), sess.StreamID)
	_, err = e.svc.StartStream(e.ctx, *arn, ingest)
	assert.True(t, errors.Is(err, ErrAlreadyLive))

	st, err := e.ivs.GetStream(e.ctx, &ivs.GetStreamInput{ChannelArn: arn})
	require.NoError(t, err)
	assert.Equal(t, types.StreamStateStreamLive, st.Stream.State)
	assert.Equal(t, types.StreamHealthStreamHealthy, st.Stream.Health)
	assert.Equal(t, sess.StreamID, *st.Stream.StreamId)
	assert.Equal(t, e.clock.Now(), st.Stream.StartTime.UTC())
	assert.Equal(t, *ch.Channel.PlaybackUrl, *st.Stream.PlaybackUrl)

	require.NoError(t, e.svc.SetViewerCount(e.ctx, *arn, 42))
	require.NoError(t, e.svc.AddStreamEvent(e.ctx, *arn, "", StreamEvent{Name: "Starvation Start", Type: "IVS Stream Health Change", EventTime: ts(e.clock.Now())}))
	streams, err := e.ivs.ListStreams(e.ctx, &ivs.ListStreamsInput{})
	require.NoError(t, err)
	require.Len(t, streams.Streams, 1)
	assert.EqualValues(t, 42, streams.Streams[0].ViewerCount)
	assert.Equal(t, types.StreamHealthStarving, streams.Streams[0].Health)
	filtered, err := e.ivs.ListStreams(e.ctx, &ivs.ListStreamsInput{FilterBy: &types.StreamFilters{Health: types.StreamHealthStreamHealthy}})
	require.NoError(t, err)
	assert.Empty(t, filtered.Streams)

	// Metadata: 5 TPS per channel, then ThrottlingException until a second passes.
	for i := 0; i < 5; i++ {
		_, err := e.ivs.PutMetadata(e.ctx, &ivs.PutMetadataInput{ChannelArn: arn, Metadata: aws.String("q" + string(rune('0'+i)))})
		require.NoError(t, err)
	}
	_, err = e.ivs.PutMetadata(e.ctx, &ivs.PutMetadataInput{ChannelArn: arn, Metadata: aws.String("too fast")})
	var th *types.ThrottlingException
	require.ErrorAs(t, err, &th)
	e.clock.Advance(time.Second)
	_, err = e.ivs.PutMetadata(e.ctx, &ivs.PutMetadataInput{ChannelArn: arn, Metadata: aws.String("later")})
	require.NoError(t, err)
	_, err = e.ivs.PutMetadata(e.ctx, &ivs.PutMetadataInput{ChannelArn: arn, Metadata: aws.String(strings.Repeat("x", 1025))})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)

	md := e.svc.Metadata(*arn, 0)
	require.Len(t, md, 6)
	assert.Equal(t, "q0", md[0].Text)
	assert.Equal(t, "later", md[5].Text)
	assert.Equal(t, sess.StreamID, md[5].StreamID)
	assert.Equal(t, e.clock.Now(), md[5].Time)
	assert.Len(t, e.svc.Metadata(*arn, md[4].Seq), 1)

	// A live channel cannot be updated or deleted.
	_, err = e.ivs.UpdateChannel(e.ctx, &ivs.UpdateChannelInput{Arn: arn, Name: aws.String("x")})
	var ce *types.ConflictException
	require.ErrorAs(t, err, &ce)
	_, err = e.ivs.DeleteChannel(e.ctx, &ivs.DeleteChannelInput{Arn: arn})
	require.ErrorAs(t, err, &ce)

	// No ingest handler attached: StopStream ends the session itself.
	e.clock.Advance(time.Minute)
	_, err = e.ivs.StopStream(e.ctx, &ivs.StopStreamInput{ChannelArn: arn})
	require.NoError(t, err)
	_, err = e.ivs.GetStream(e.ctx, &ivs.GetStreamInput{ChannelArn: arn})
	require.ErrorAs(t, err, &nb)

	got, err := e.ivs.GetStreamSession(e.ctx, &ivs.GetStreamSessionInput{ChannelArn: arn})
	require.NoError(t, err)
	ss := got.StreamSession
	assert.Equal(t, sess.StreamID, *ss.StreamId)
	require.NotNil(t, ss.EndTime)
	assert.Equal(t, time.Minute+time.Second, ss.EndTime.Sub(*ss.StartTime))
	require.NotNil(t, ss.IngestConfiguration)
	assert.EqualValues(t, 1280, ss.IngestConfiguration.Video.VideoWidth)
	assert.Equal(t, "obs-output module (libobs version 30.1.2)", *ss.IngestConfiguration.Video.Encoder)
	assert.EqualValues(t, 48000, ss.IngestConfiguration.Audio.SampleRate)
	require.NotNil(t, ss.IngestConfigurations)
	assert.Len(t, ss.IngestConfigurations.VideoConfigurations, 1)
	require.Len(t, ss.TruncatedEvents, 1)
	assert.Equal(t, "Starvation Start", *ss.TruncatedEvents[0].Name)
	assert.Equal(t, "alice", *ss.Channel.Name)

	// A second session; sessions list most recent first.
	e.clock.Advance(time.Hour)
	sess2, err := e.svc.StartStream(e.ctx, *arn, ingest)
	require.NoError(t, err)
	require.NoError(t, e.svc.AddStreamEvent(e.ctx, *arn, sess2.StreamID, StreamEvent{Name: "Ingest Bitrate", Type: "IVS Limit Breach", EventTime: ts(e.clock.Now())}))
	list, err := e.ivs.ListStreamSessions(e.ctx, &ivs.ListStreamSessionsInput{ChannelArn: arn})
	require.NoError(t, err)
	require.Len(t, list.StreamSessions, 2)
	assert.Equal(t, sess2.StreamID, *list.StreamSessions[0].StreamId)
	assert.Nil(t, list.StreamSessions[0].EndTime, "live session has no end time")
	assert.True(t, list.StreamSessions[0].HasErrorEvent)
	assert.False(t, list.StreamSessions[1].HasErrorEvent)

	old, err := e.ivs.GetStreamSession(e.ctx, &ivs.GetStreamSessionInput{ChannelArn: arn, StreamId: aws.String(sess.StreamID)})
	require.NoError(t, err)
	assert.Equal(t, sess.StreamID, *old.StreamSession.StreamId)
	_, err = e.ivs.GetStreamSession(e.ctx, &ivs.GetStreamSessionInput{ChannelArn: arn, StreamId: aws.String("st-" + strings.Repeat("A", 23))})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
}

type stopper struct{ calls []string }

func (s *stopper) StopStream(_ context.Context, arn string) error {
	s.calls = append(s.calls, arn)
	return nil
}

func TestStopStreamAsksTheIngestHandler(t *testing.T) {
	e := newEnv(t)
	ch := e.createChannel("alice")
	_, err := e.svc.StartStream(e.ctx, *ch.Channel.Arn, ingest)
	require.NoError(t, err)
	h := &stopper{}
	e.svc.SetIngestHandler(h)
	_, err = e.ivs.StopStream(e.ctx, &ivs.StopStreamInput{ChannelArn: ch.Channel.Arn})
	require.NoError(t, err)
	assert.Equal(t, []string{*ch.Channel.Arn}, h.calls)
	_, err = e.svc.LiveStream(e.ctx, *ch.Channel.Arn)
	require.NoError(t, err, "the handler ends the stream (asynchronously in real life), not the API")
}

func TestChannelTags(t *testing.T) {
	e := newEnv(t)
	ch := e.createChannel("alice")
	_, err := e.ivs.TagResource(e.ctx, &ivs.TagResourceInput{ResourceArn: ch.Channel.Arn, Tags: map[string]string{"onair:owner": "sub-1"}})
	require.NoError(t, err)
	tags, err := e.ivs.ListTagsForResource(e.ctx, &ivs.ListTagsForResourceInput{ResourceArn: ch.Channel.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"project": "onair", "onair:owner": "sub-1"}, tags.Tags)
	_, err = e.ivs.UntagResource(e.ctx, &ivs.UntagResourceInput{ResourceArn: ch.Channel.Arn, TagKeys: []string{"project"}})
	require.NoError(t, err)
	got, err := e.ivs.GetChannel(e.ctx, &ivs.GetChannelInput{Arn: ch.Channel.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"onair:owner": "sub-1"}, got.Channel.Tags)
	assert.Equal(t, map[string]string{"onair:owner": "sub-1"}, e.svc.Tags(*ch.Channel.Arn), "Tags reads what the API holds")
	assert.Nil(t, e.svc.Tags("arn:aws:ivs:us-east-1:111122223333:channel/gone"))

	_, err = e.ivs.ListTagsForResource(e.ctx, &ivs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:ivs:us-east-1:111122223333:channel/gone")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	_, err = e.ivs.TagResource(e.ctx, &ivs.TagResourceInput{ResourceArn: ch.Channel.Arn, Tags: map[string]string{"aws:x": "y"}})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	e := newEnv(t)
	ch := e.createChannel("alice")
	_, err := e.svc.StartStream(e.ctx, *ch.Channel.Arn, ingest)
	require.NoError(t, err)
	stage, err := e.svc.createStage(e.ctx, &createStageInput{Name: aws.String("s"), ParticipantTokenConfigurations: []tokenConfig{{}}})
	require.NoError(t, err)
	token := stage.(map[string]any)["participantTokens"].([]ParticipantToken)[0].Token
	keyArn := e.svc.TokenKeyArn()

	e.restart()

	got, err := e.ivs.GetChannel(e.ctx, &ivs.GetChannelInput{Arn: ch.Channel.Arn})
	require.NoError(t, err)
	assert.Equal(t, "alice", *got.Channel.Name)
	st, err := e.ivs.GetStream(e.ctx, &ivs.GetStreamInput{ChannelArn: ch.Channel.Arn})
	require.NoError(t, err, "a live stream is still live after a restart")
	assert.Equal(t, types.StreamStateStreamLive, st.Stream.State)
	assert.Equal(t, keyArn, e.svc.TokenKeyArn(), "the token signing key is persisted")
	_, err = e.svc.VerifyStageToken(e.ctx, token)
	require.NoError(t, err, "tokens issued before the restart still verify")
}
