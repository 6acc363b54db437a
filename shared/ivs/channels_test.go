package ivs

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// channelsAPI answers IVS's rest-json operations (POST /<Operation>) from
// scripted replies, one list per operation consumed in order (the last one
// repeats), and records each request body.
type channelsAPI struct {
	mu      sync.Mutex
	replies map[string][]apiReply
	calls   []apiCall
}

type apiReply struct {
	status  int
	errType string // X-Amzn-ErrorType
	body    string
}

type apiCall struct {
	op   string
	body map[string]any
}

func (f *channelsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	op := r.URL.Path[1:]
	f.calls = append(f.calls, apiCall{op: op, body: body})
	w.Header().Set("Content-Type", "application/json")
	rs := f.replies[op]
	if len(rs) == 0 {
		w.Header().Set("X-Amzn-ErrorType", "ValidationException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"exceptionMessage":"unexpected call `+op+`"}`)
		return
	}
	rp := rs[0]
	if len(rs) > 1 {
		f.replies[op] = rs[1:]
	}
	if rp.errType != "" {
		w.Header().Set("X-Amzn-ErrorType", rp.errType)
	}
	if rp.status != 0 {
		w.WriteHeader(rp.status)
	}
	_, _ = io.WriteString(w, rp.body)
}

func (f *channelsAPI) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.op)
	}
	return out
}

func (f *channelsAPI) body(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[i].body
}

func channelsTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return New(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
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
	api := &channelsAPI{replies: map[string][]apiReply{
		"CreateChannel": {{body: `{"channel":` + channelDoc + `,"streamKey":` + keyDoc + `}`}},
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
	}, api.body(0))
}

func TestCreateChannelDefaultsOmitted(t *testing.T) {
	api := &channelsAPI{replies: map[string][]apiReply{
		"CreateChannel": {{body: `{"channel":` + channelDoc + `}`}},
	}}
	c := channelsTestClient(t, api)
	_, key, err := c.CreateChannel(context.Background(), onair.IVSChannelSpec{Name: "bobs-channel"})
	require.NoError(t, err)
	assert.Equal(t, onair.StreamKey{}, key, "no key in the reply: the caller fetches one")
	assert.NotContains(t, api.body(0), "type")
	assert.NotContains(t, api.body(0), "preset")
	assert.Equal(t, "bobs-channel", api.body(0)["name"])
}

func TestCreateChannelErrors(t *testing.T) {
	cases := []struct {
		name  string
		reply apiReply
		code  onair.Code
		typ   string
	}{
		{"throttled", apiReply{429, "ThrottlingException", `{"exceptionMessage":"slow down"}`}, onair.Throttled, "TooManyRequestsException"},
		{"quota", apiReply{402, "ServiceQuotaExceededException", `{"exceptionMessage":"too many channels"}`}, onair.Throttled, "ServiceQuotaExceededException"},
		{"invalid", apiReply{400, "ValidationException", `{"exceptionMessage":"bad name"}`}, onair.Invalid, "ValidationException"},
		{"denied", apiReply{403, "AccessDeniedException", `{"exceptionMessage":"no"}`}, onair.Internal, "UnexpectedException"},
		{"no channel in reply", apiReply{200, "", `{}`}, onair.Internal, "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := channelsTestClient(t, &channelsAPI{replies: map[string][]apiReply{"CreateChannel": {tc.reply}}})
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
	api := &channelsAPI{replies: map[string][]apiReply{
		"ListChannels": {
			{body: `{"channels":[
				{"arn":"` + chArn + `","name":"alices-channel","tags":{"project":"onair","onair:owner":"sub-1"}},
				{` + other + `,"name":"alices-channel","tags":{"project":"onair","onair:owner":"sub-2"}},
				{"arn":"x","name":"alices-channel-2","tags":{"project":"onair","onair:owner":"sub-1"}}
			],"nextToken":"page2"}`},
			{body: `{"channels":[{` + untagged + `,"name":"alices-channel"},{` + gone + `,"name":"alices-channel"}]}`},
		},
		"GetChannel": {
			{body: `{"channel":` + channelDoc + `}`},
			{body: `{"channel":{` + untagged + `,"name":"alices-channel","ingestEndpoint":"e","playbackUrl":"p","tags":{"project":"onair","onair:owner":"sub-1"}}}`},
			{status: 404, errType: "ResourceNotFoundException", body: `{"exceptionMessage":"gone"}`},
		},
	}}
	c := channelsTestClient(t, api)
	got, err := c.FindChannels(context.Background(), "alices-channel", map[string]string{"project": "onair", "onair:owner": "sub-1"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, wantChannel, got[0])
	assert.Equal(t, "arn:aws:ivs:us-east-1:111122223333:channel/NoTags000001", got[1].Arn)
	assert.Equal(t, []string{"ListChannels", "GetChannel", "ListChannels", "GetChannel", "GetChannel"}, api.ops())
	assert.Equal(t, "alices-channel", api.body(0)["filterByName"])
	assert.Equal(t, "page2", api.body(2)["nextToken"])
}

func TestFindChannelsThrottled(t *testing.T) {
	c := channelsTestClient(t, &channelsAPI{replies: map[string][]apiReply{
		"ListChannels": {{429, "ThrottlingException", `{"exceptionMessage":"slow"}`}},
	}})
	_, err := c.FindChannels(context.Background(), "a", nil)
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}

func TestDeleteChannel(t *testing.T) {
	cases := []struct {
		name  string
		reply apiReply
		code  onair.Code // "" = no error
	}{
		{"deleted", apiReply{status: 204}, ""},
		{"already gone", apiReply{404, "ResourceNotFoundException", `{"exceptionMessage":"no"}`}, ""},
		{"live", apiReply{409, "ConflictException", `{"exceptionMessage":"live"}`}, onair.Conflict},
		{"throttled", apiReply{429, "ThrottlingException", `{"exceptionMessage":"slow"}`}, onair.Throttled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &channelsAPI{replies: map[string][]apiReply{"DeleteChannel": {tc.reply}}}
			err := channelsTestClient(t, api).DeleteChannel(context.Background(), chArn)
			if tc.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err))
			}
			assert.Equal(t, map[string]any{"arn": chArn}, api.body(0))
		})
	}
}

func TestStopStream(t *testing.T) {
	cases := []struct {
		name  string
		reply apiReply
		code  onair.Code
	}{
		{"stopped", apiReply{body: `{}`}, ""},
		{"not broadcasting", apiReply{404, "ChannelNotBroadcasting", `{"exceptionMessage":"offline"}`}, ""},
		{"no channel", apiReply{404, "ResourceNotFoundException", `{"exceptionMessage":"no"}`}, onair.NotFound},
		{"throttled", apiReply{429, "ThrottlingException", `{"exceptionMessage":"slow"}`}, onair.Throttled},
		{"unavailable", apiReply{503, "StreamUnavailable", `{"exceptionMessage":"later"}`}, onair.Unavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &channelsAPI{replies: map[string][]apiReply{"StopStream": {tc.reply}}}
			err := channelsTestClient(t, api).StopStream(context.Background(), chArn)
			if tc.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err))
			}
			assert.Equal(t, map[string]any{"channelArn": chArn}, api.body(0))
		})
	}
}
