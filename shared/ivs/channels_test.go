package ivs

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

// channelsTestClient returns a client whose IVS endpoint is api
// (usually an *awstest.Fake).
func channelsTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	return New(awstest.Server(t, api))
}

const (
	chArn      = "arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456"
	keyArn     = "arn:aws:ivs:us-east-1:111122223333:stream-key/KeY123456789"
	channelDoc = `{"arn":"` + chArn + `","name":"alices-channel","type":"ADVANCED_HD","latencyMode":"LOW",
		"ingestEndpoint":"abcdef012345.global-contribute.live-video.net",
		"playbackUrl":"https://abcdef012345.us-east-1.playback.live-video.net/api/video/v1/us-east-1.111122223333.channel.AbCdEf123456.m3u8",
		"tags":{"project":"onair","onair:owner":"sub-1"}}`
	keyDoc = `{"arn":"` + keyArn + `","channelArn":"` + chArn + `","value":"sk_us-east-1_abcdefghijkl_0123456789012345678901234567"}`
)

var wantChannel = onair.IVSChannel{
	Arn: chArn, Name: "alices-channel", Type: "ADVANCED_HD",
	IngestEndpoint: "abcdef012345.global-contribute.live-video.net",
	PlaybackURL:    "https://abcdef012345.us-east-1.playback.live-video.net/api/video/v1/us-east-1.111122223333.channel.AbCdEf123456.m3u8",
	Tags:           map[string]string{"project": "onair", "onair:owner": "sub-1"},
}

var wantKey = onair.StreamKey{Arn: keyArn, ChannelArn: chArn, Value: "sk_us-east-1_abcdefghijkl_0123456789012345678901234567"}

func TestCreateChannel(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateChannel": {{Body: `{"channel":` + channelDoc + `,"streamKey":` + keyDoc + `}`}},
	}}
	c := channelsTestClient(t, api)
	ch, key, err := c.CreateChannel(context.Background(), onair.IVSChannelSpec{
		Name: "alices-channel", Type: "ADVANCED_HD", Preset: "CONSTRAINED_BANDWIDTH_DELIVERY",
		Tags: map[string]string{"project": "onair", "onair:owner": "sub-1"},
	})
	require.NoError(t, err)
	assert.Equal(t, wantChannel, ch)
	assert.Equal(t, wantKey, key)
	assert.Equal(t, map[string]any{
		"name": "alices-channel", "type": "ADVANCED_HD", "preset": "CONSTRAINED_BANDWIDTH_DELIVERY",
		"tags": map[string]any{"project": "onair", "onair:owner": "sub-1"},
	}, api.Body(0))
}

func TestCreateChannelDefaultsOmitted(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateChannel": {{Body: `{"channel":` + channelDoc + `}`}},
	}}
	c := channelsTestClient(t, api)
	_, key, err := c.CreateChannel(context.Background(), onair.IVSChannelSpec{Name: "bobs-channel"})
	require.NoError(t, err)
	assert.Equal(t, onair.StreamKey{}, key, "no key in the reply: the caller fetches one")
	assert.NotContains(t, api.Body(0), "type")
	assert.NotContains(t, api.Body(0), "preset")
	assert.Equal(t, "bobs-channel", api.Body(0)["name"])
}

func TestCreateChannelErrors(t *testing.T) {
	cases := []struct {
		name  string
		reply awstest.Reply
		code  onair.Code
		typ   string
	}{
		{"throttled", awstest.Reply{Status: 429, ErrType: "ThrottlingException", Body: `{"exceptionMessage":"slow down"}`}, onair.Throttled, "TooManyRequestsException"},
		{"quota", awstest.Reply{Status: 402, ErrType: "ServiceQuotaExceededException", Body: `{"exceptionMessage":"too many channels"}`}, onair.Throttled, "ServiceQuotaExceededException"},
		{"invalid", awstest.Reply{Status: 400, ErrType: "ValidationException", Body: `{"exceptionMessage":"bad name"}`}, onair.Invalid, "ValidationException"},
		{"denied", awstest.Reply{Status: 403, ErrType: "AccessDeniedException", Body: `{"exceptionMessage":"no"}`}, onair.Internal, "UnexpectedException"},
		{"no channel in reply", awstest.Reply{Status: 200, Body: `{}`}, onair.Internal, "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := channelsTestClient(t, &awstest.Fake{Replies: map[string][]awstest.Reply{"CreateChannel": {tc.reply}}})
			_, _, err := c.CreateChannel(context.Background(), onair.IVSChannelSpec{Name: "x"})
			require.Error(t, err)
			assert.Equal(t, tc.code, onair.ErrorCode(err))
			assert.Equal(t, tc.typ, onair.ErrorType(err))
		})
	}
}

func TestFindChannels(t *testing.T) {
	other := `"arn":"arn:aws:ivs:us-east-1:111122223333:channel/Other0000001"`
	untagged := `"arn":"arn:aws:ivs:us-east-1:111122223333:channel/NoTags000001"`
	gone := `"arn":"arn:aws:ivs:us-east-1:111122223333:channel/Gone00000001"`
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListChannels": {
			{Body: `{"channels":[
				{"arn":"` + chArn + `","name":"alices-channel","tags":{"project":"onair","onair:owner":"sub-1"}},
				{` + other + `,"name":"alices-channel","tags":{"project":"onair","onair:owner":"sub-2"}},
				{"arn":"x","name":"alices-channel-2","tags":{"project":"onair","onair:owner":"sub-1"}}
			],"nextToken":"page2"}`},
			{Body: `{"channels":[{` + untagged + `,"name":"alices-channel"},{` + gone + `,"name":"alices-channel"}]}`},
		},
		"GetChannel": {
			{Body: `{"channel":` + channelDoc + `}`},
			{Body: `{"channel":{` + untagged + `,"name":"alices-channel","ingestEndpoint":"e","playbackUrl":"p","tags":{"project":"onair","onair:owner":"sub-1"}}}`},
			{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"gone"}`},
		},
	}}
	c := channelsTestClient(t, api)
	got, err := c.FindChannels(context.Background(), "alices-channel", map[string]string{"project": "onair", "onair:owner": "sub-1"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, wantChannel, got[0])
	assert.Equal(t, "arn:aws:ivs:us-east-1:111122223333:channel/NoTags000001", got[1].Arn)
	assert.Equal(t, []string{"ListChannels", "GetChannel", "ListChannels", "GetChannel", "GetChannel"}, api.Ops())
	assert.Equal(t, "alices-channel", api.Body(0)["filterByName"])
	assert.Equal(t, "page2", api.Body(2)["nextToken"])
}

func TestFindChannelsThrottled(t *testing.T) {
	c := channelsTestClient(t, &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListChannels": {{Status: 429, ErrType: "ThrottlingException", Body: `{"exceptionMessage":"slow"}`}},
	}})
	_, err := c.FindChannels(context.Background(), "a", nil)
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}

func TestDeleteChannel(t *testing.T) {
	cases := []struct {
		name  string
		reply awstest.Reply
		code  onair.Code // "" = no error
	}{
		{"deleted", awstest.Reply{Status: 204}, ""},
		{"already gone", awstest.Reply{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"no"}`}, ""},
		{"live", awstest.Reply{Status: 409, ErrType: "ConflictException", Body: `{"exceptionMessage":"live"}`}, onair.Conflict},
		{"throttled", awstest.Reply{Status: 429, ErrType: "ThrottlingException", Body: `{"exceptionMessage":"slow"}`}, onair.Throttled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &awstest.Fake{Replies: map[string][]awstest.Reply{"DeleteChannel": {tc.reply}}}
			err := channelsTestClient(t, api).DeleteChannel(context.Background(), chArn)
			if tc.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err))
			}
			assert.Equal(t, map[string]any{"arn": chArn}, api.Body(0))
		})
	}
}

func TestStopStream(t *testing.T) {
	cases := []struct {
		name  string
		reply awstest.Reply
		code  onair.Code
	}{
		{"stopped", awstest.Reply{Body: `{}`}, ""},
		{"not broadcasting", awstest.Reply{Status: 404, ErrType: "ChannelNotBroadcasting", Body: `{"exceptionMessage":"offline"}`}, ""},
		{"no channel", awstest.Reply{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"no"}`}, onair.NotFound},
		{"throttled", awstest.Reply{Status: 429, ErrType: "ThrottlingException", Body: `{"exceptionMessage":"slow"}`}, onair.Throttled},
		{"unavailable", awstest.Reply{Status: 503, ErrType: "StreamUnavailable", Body: `{"exceptionMessage":"later"}`}, onair.Unavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &awstest.Fake{Replies: map[string][]awstest.Reply{"StopStream": {tc.reply}}}
			err := channelsTestClient(t, api).StopStream(context.Background(), chArn)
			if tc.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err))
			}
			assert.Equal(t, map[string]any{"channelArn": chArn}, api.Body(0))
		})
	}
}
