package ivs

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

// sessionsTestClient returns a client whose IVS endpoint is h, with the
// SDK's default retryer, so that the tests see the client's own retry policy.
func sessionsTestClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	cfg := awstest.Server(t, h)
	cfg.Retryer = nil
	return New(cfg)
}

const sessionArn = "arn:aws:ivs:us-west-2:111122223333:channel/AbCdEf123456"

func TestGetIngestConfiguration(t *testing.T) {
	cases := []struct {
		name     string
		session  string
		want     string
		notFound bool
	}{
		{
			name: "single track",
			session: `{"streamId":"st-1","startTime":"2026-01-10T18:00:00Z","ingestConfiguration":{
				"audio":{"channels":2,"codec":"mp4a.40.2","sampleRate":48000,"targetBitrate":160000,"track":"Track0"},
				"video":{"avcLevel":"4.1","avcProfile":"High","codec":"avc1.640029","encoder":"obs","targetBitrate":6000000,"targetFramerate":30,"videoHeight":1080,"videoWidth":1920,"track":"Track0"}}}`,
			want: `{"audio":{"channels":2,"codec":"mp4a.40.2","sampleRate":48000,"targetBitrate":160000},
				"video":{"avcLevel":"4.1","avcProfile":"High","codec":"avc1.640029","encoder":"obs","targetBitrate":6000000,"targetFramerate":30,"videoHeight":1080,"videoWidth":1920}}`,
		},
		{
			name: "multitrack: first tracks",
			session: `{"streamId":"st-1","ingestConfigurations":{
				"audioConfigurations":[{"channels":2,"codec":"mp4a.40.2","sampleRate":44100,"targetBitrate":128000}],
				"videoConfigurations":[{"codec":"avc1.64002A","targetBitrate":6000000,"targetFramerate":60,"videoHeight":1080,"videoWidth":1920},{"codec":"avc1.4D401F","targetBitrate":1000000,"targetFramerate":30,"videoHeight":480,"videoWidth":852}]}}`,
			want: `{"audio":{"channels":2,"codec":"mp4a.40.2","sampleRate":44100,"targetBitrate":128000},
				"video":{"codec":"avc1.64002A","targetBitrate":6000000,"targetFramerate":60,"videoHeight":1080,"videoWidth":1920}}`,
		},
		{name: "video only: not known yet", session: `{"streamId":"st-1","ingestConfiguration":{"video":{"codec":"avc1"}}}`, notFound: true},
		{name: "no configuration", session: `{"streamId":"st-1"}`, notFound: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := sessionsTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "/GetStreamSession", r.URL.Path)
				var in map[string]string
				body, _ := io.ReadAll(r.Body)
				require.NoError(t, json.Unmarshal(body, &in))
				assert.Equal(t, map[string]string{"channelArn": sessionArn, "streamId": "st-1"}, in)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"streamSession":`+tc.session+`}`)
			})
			got, err := c.GetIngestConfiguration(context.Background(), sessionArn, "st-1")
			if tc.notFound {
				assert.ErrorIs(t, err, onair.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestGetIngestConfigurationErrors(t *testing.T) {
	c := sessionsTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"exceptionMessage":"no such session"}`)
	})
	_, err := c.GetIngestConfiguration(context.Background(), sessionArn, "st-x")
	assert.ErrorIs(t, err, onair.ErrNotFound)
}

func TestPutMetadata(t *testing.T) {
	var calls atomic.Int32
	c := sessionsTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		assert.Equal(t, "/PutMetadata", r.URL.Path)
		var in map[string]string
		body, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(body, &in))
		assert.Equal(t, map[string]string{"channelArn": sessionArn, "metadata": `{"v":1}`}, in)
		w.WriteHeader(http.StatusNoContent)
	})
	require.NoError(t, c.PutMetadata(context.Background(), sessionArn, `{"v":1}`))
	assert.Equal(t, int32(1), calls.Load())
}

func TestPutMetadataErrors(t *testing.T) {
	cases := []struct {
		name   string
		status int
		code   string
		want   onair.Code
		typ    string
	}{
		{"offline", http.StatusNotFound, "ChannelNotBroadcasting", onair.Conflict, "ChannelNotBroadcastingException"},
		{"throttled", http.StatusTooManyRequests, "ThrottlingException", onair.Throttled, "TooManyRequestsException"},
		{"refused", http.StatusBadRequest, "ValidationException", onair.Invalid, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			c := sessionsTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("x-amzn-ErrorType", tc.code)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, `{"exceptionMessage":"nope"}`)
			})
			err := c.PutMetadata(context.Background(), sessionArn, "x")
			require.Error(t, err)
			assert.Equal(t, tc.want, onair.ErrorCode(err))
			assert.Equal(t, tc.typ, onair.ErrorType(err))
			assert.Equal(t, int32(1), calls.Load(), "no hidden SDK retries")
		})
	}
}
