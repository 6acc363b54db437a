package functions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// channelsStore is the bolt store holding the provisioned profile.
func channelsStore(t *testing.T) *bolt.Store {
	return bolttest.New(t, provisionedProfile())
}

// profile reads the profile back.
func profile(t *testing.T, st store.Store) onair.User {
	t.Helper()
	u, err := st.GetUser(t.Context(), channelsSub)
	require.NoError(t, err)
	return u
}

// channelsIVS is IVS's rest-json for a stream key reset of a channel that is
// not live.
type channelsIVS struct {
	mu  sync.Mutex
	ops []string
	key string // current key ARN
	n   int
}

func (f *channelsIVS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	op := strings.TrimPrefix(r.URL.Path, "/")
	f.ops = append(f.ops, op)
	w.Header().Set("Content-Type", "application/json")
	switch op {
	case "StopStream":
		w.Header().Set("X-Amzn-ErrorType", "ChannelNotBroadcasting")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"exceptionMessage":"not live"}`)
	case "ListStreamKeys":
		if f.key == "" {
			_, _ = io.WriteString(w, `{"streamKeys":[]}`)
			return
		}
		_, _ = io.WriteString(w, `{"streamKeys":[{"arn":"`+f.key+`"}]}`)
	case "DeleteStreamKey":
		f.key = ""
		w.WriteHeader(http.StatusNoContent)
	case "CreateStreamKey":
		f.n++
		f.key = "arn:aws:ivs:us-east-1:111122223333:stream-key/new" + string(rune('0'+f.n))
		_, _ = io.WriteString(w, `{"streamKey":{"arn":"`+f.key+`","value":"sk_us-east-1_fresh`+string(rune('0'+f.n))+`"}}`)
	default:
		w.Header().Set("X-Amzn-ErrorType", "ValidationException")
		w.WriteHeader(http.StatusBadRequest)
	}
}

const channelsSub = "0d5a4f2e-1111-4c3b-9a7e-5f3c2b1a0e9d" // the sub in events/*.json

func channelsDeps(t *testing.T, name string, st store.Store, ivsAPI http.Handler) *app.Platform {
	t.Helper()
	srv := httptest.NewServer(ivsAPI)
	t.Cleanup(srv.Close)
	env := map[string]string{"CHANNELS_TABLE": "c", "STREAMS_TABLE": "s", "PROJECT_TAG": "onair-test", "USER_POOL_ID": "us-east-1_Pool",
		"CHAT_REVIEW_HANDLER_ARN": "arn:aws:lambda:us-east-1:111122223333:function:onair-test-ChatReview",
		"CHANNEL_ASSETS_BUCKET":   "onair-dev-channelassets"} // the sample events' bucket
	return &app.Platform{
		Name:    name,
		Env:     func(k string) string { return env[k] },
		Offline: app.Offline{Store: st},
		AWS: aws.Config{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(srv.URL),
			Credentials:  aws.AnonymousCredentials{},
			Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		},
	}
}

func invokeChannels(t *testing.T, d *app.Platform, file string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	payload, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	require.NoError(t, err)
	h, err := buildNamed(context.Background(), recordAWS(t, d))
	require.NoError(t, err)
	out, err := h.Invoke(context.Background(), payload)
	require.NoError(t, err)
	var resp events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

func provisionedProfile() onair.User {
	return onair.User{
		Sub: channelsSub, Username: "alice_live", Avatar: "bear", Color: "blue",
		ChannelArn:     "arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456",
		ChatRoomArn:    "arn:aws:ivschat:us-east-1:111122223333:room/RoOm12345678",
		IngestEndpoint: "abcdef012345.global-contribute.live-video.net",
		PlaybackURL:    "https://abcdef012345.us-east-1.playback.live-video.net/x.m3u8",
		StreamKeyArn:   "arn:aws:ivs:us-east-1:111122223333:stream-key/old",
		StreamKeyValue: "sk_us-east-1_old",
		TrackingID:     "abcdef123456",
		ChannelAssetID: "7da3ae67-761a-53ed-afce-c189cfd698ae",
		ChannelType:    "STANDARD",
		Version:        1,
	}
}

func TestGetChannelServesItsSampleEvent(t *testing.T) {
	st := channelsStore(t)
	resp := invokeChannels(t, channelsDeps(t, "GetChannel", st, http.NotFoundHandler()), "GetChannel.json")
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
	assert.Equal(t, "alice_live", body["username"])
	assert.Equal(t, "rtmps://abcdef012345.global-contribute.live-video.net:443/app/", body["ingestServerUrl"])
	assert.Equal(t, "AbCdEf123456", body["channelId"])
}

func TestResetStreamKeyServesBothMethodsThroughIVS(t *testing.T) {
	for _, file := range []string{"ResetStreamKey.json", "ResetStreamKey.get.json"} {
		t.Run(file, func(t *testing.T) {
			st := channelsStore(t)
			api := &channelsIVS{key: profile(t, st).StreamKeyArn}
			resp := invokeChannels(t, channelsDeps(t, "ResetStreamKey", st, api), file)
			require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
			assert.JSONEq(t, `{"streamKeyValue":"sk_us-east-1_fresh1"}`, resp.Body)
			assert.Equal(t, []string{"StopStream", "ListStreamKeys", "DeleteStreamKey", "ListStreamKeys", "CreateStreamKey"}, api.ops)
			assert.Equal(t, "sk_us-east-1_fresh1", profile(t, st).StreamKeyValue)
		})
	}
}

func TestUpdatePreferencesServesItsSampleEvents(t *testing.T) {
	st := channelsStore(t)
	d := channelsDeps(t, "UpdatePreferences", st, http.NotFoundHandler())
	resp := invokeChannels(t, d, "UpdatePreferences.json")
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, "green", profile(t, st).Color)
	assert.Equal(t, "tiger", profile(t, st).Avatar)

	resp = invokeChannels(t, d, "UpdatePreferences.avatarPreview.json")
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, "custom", profile(t, st).Avatar)
	assert.Contains(t, profile(t, st).ChannelAssets["avatar"].URL, "/7da3ae67-761a-53ed-afce-c189cfd698ae/avatar?versionId=")
}

// A preview must point into the stack's own bucket: the builder gives the
// service the bucket, and refuses to build without one.
func TestUpdatePreferencesPreviewsOnlyOfTheAssetsBucket(t *testing.T) {
	sample := readSample(t, "UpdatePreferences.avatarPreview.json")
	cases := []struct {
		name   string
		from   string
		to     string
		status int
	}{
		{"the stack's bucket", "", "", http.StatusOK},
		{"the same key in another bucket", "onair-dev-channelassets.s3.us-east-1", "attacker.s3.us-east-1", http.StatusBadRequest},
		{"the same key on another host", "onair-dev-channelassets.s3.us-east-1.amazonaws.com", "evil.example.com", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := channelsStore(t)
			d := channelsDeps(t, "UpdatePreferences", st, http.NotFoundHandler())
			h, err := buildNamed(context.Background(), d)
			require.NoError(t, err)
			payload := sample
			if tc.from != "" {
				payload = strings.Replace(sample, tc.from, tc.to, 1)
				require.NotEqual(t, sample, payload)
			}
			out, err := h.Invoke(context.Background(), []byte(payload))
			require.NoError(t, err)
			var resp events.APIGatewayV2HTTPResponse
			require.NoError(t, json.Unmarshal(out, &resp))
			require.Equal(t, tc.status, resp.StatusCode, resp.Body)
			if tc.status != http.StatusOK {
				assert.Equal(t, provisionedProfile(), profile(t, st), "nothing changed")
			}
		})
	}
}

func TestUpdatePreferencesNeedsTheAssetsBucket(t *testing.T) {
	d := channelsDeps(t, "UpdatePreferences", channelsStore(t), http.NotFoundHandler())
	env := d.Env
	d.Env = func(k string) string {
		if k == "CHANNEL_ASSETS_BUCKET" {
			return ""
		}
		return env(k)
	}
	_, err := buildNamed(context.Background(), d)
	assert.ErrorContains(t, err, "CHANNEL_ASSETS_BUCKET")
}

func TestChannelFunctionsNeedTheGatewayClaims(t *testing.T) {
	for _, name := range []string{"GetChannel", "CreateChannelResources", "ResetStreamKey", "DeleteChannel", "UpdateUsername", "UpdatePreferences"} {
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("..", "..", "events", name+".json"))
			require.NoError(t, err)
			var ev map[string]any
			require.NoError(t, json.Unmarshal(payload, &ev))
			delete(ev["requestContext"].(map[string]any), "authorizer")
			payload, err = json.Marshal(ev)
			require.NoError(t, err)
			st := channelsStore(t)
			h, err := buildNamed(context.Background(), channelsDeps(t, name, st, http.NotFoundHandler()))
			require.NoError(t, err)
			out, err := h.Invoke(context.Background(), payload)
			require.NoError(t, err)
			var resp events.APIGatewayV2HTTPResponse
			require.NoError(t, json.Unmarshal(out, &resp))
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, provisionedProfile(), profile(t, st), "nothing changed")
		})
	}
}
