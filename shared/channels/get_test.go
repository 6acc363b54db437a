package channels

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestGetChannel(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(t *testing.T, e *env)
		caller onair.Caller
		status int
		typ    string
		want   string // JSON, when 200
	}{
		{
			name: "provisioned",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				u := e.provision(t, alice)
				u.ChannelAssets = map[string]onair.Asset{
					"avatar": {URL: "https://assets.example.com/a/avatar?versionId=1", LastModified: testNow},
					"banner": {}, // deleted image: no URL
				}
				u.Avatar, u.Banner, u.StageID = "custom", "ocean", "st4g3"
				u.BlockedWords = []string{"darn", "heck no"}
				e.store.put(u)
			},
			caller: alice,
			status: http.StatusOK,
			want: `{
				"avatar": "custom", "banner": "ocean", "color": "blue", "username": "alice",
				"ingestEndpoint": "abcdef012345.global-contribute.live-video.net",
				"ingestServerUrl": "rtmps://abcdef012345.global-contribute.live-video.net:443/app/",
				"playbackUrl": "https://abcdef012345.us-east-1.playback.live-video.net/api/video/v1/us-east-1.111122223333.channel.Ch1AbCdEf.m3u8",
				"streamKeyValue": "sk_us-east-1_value2",
				"channelAssetUrls": {"avatar": "https://assets.example.com/a/avatar?versionId=1"},
				"trackingId": "ch1abcdef",
				"channelResourceId": "Ch1AbCdEf", "channelId": "Ch1AbCdEf",
				"stageId": "st4g3",
				"channelConfiguration": {"type": "STANDARD"},
				"blockedWords": ["darn", "heck no"]
			}`,
		},
		{
			name: "no stage, no images",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				e.provision(t, alice)
			},
			caller: alice,
			status: http.StatusOK,
			want: `{
				"avatar": "bear", "banner": "", "color": "blue", "username": "alice",
				"ingestEndpoint": "abcdef012345.global-contribute.live-video.net",
				"ingestServerUrl": "rtmps://abcdef012345.global-contribute.live-video.net:443/app/",
				"playbackUrl": "https://abcdef012345.us-east-1.playback.live-video.net/api/video/v1/us-east-1.111122223333.channel.Ch1AbCdEf.m3u8",
				"streamKeyValue": "sk_us-east-1_value2",
				"channelAssetUrls": {},
				"trackingId": "ch1abcdef",
				"channelResourceId": "Ch1AbCdEf", "channelId": "Ch1AbCdEf",
				"stageId": null,
				"channelConfiguration": {"type": "STANDARD"},
				"blockedWords": []
			}`,
		},
		{
			name:   "not provisioned",
			setup:  func(t *testing.T, e *env) { e.signUp(alice) },
			caller: alice,
			status: http.StatusNotFound, typ: "ChannelNotProvisionedException",
		},
		{
			name: "being provisioned",
			setup: func(t *testing.T, e *env) {
				e.claim(alice, time.Now())
			},
			caller: alice,
			status: http.StatusNotFound, typ: "ChannelNotProvisionedException",
		},
		{
			name:   "no profile",
			caller: alice,
			status: http.StatusNotFound, typ: "UserNotFoundException",
		},
		{
			name:   "only the caller's own record",
			setup:  func(t *testing.T, e *env) { e.signUp(alice); e.provision(t, alice); e.signUp(bob) },
			caller: bob,
			status: http.StatusNotFound, typ: "ChannelNotProvisionedException",
		},
		{
			name:   "no caller",
			status: http.StatusUnauthorized, typ: "UnauthorizedException",
		},
		{
			name: "store failure",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				e.store.Fail("GetUser", errBoom)
			},
			caller: alice,
			status: http.StatusInternalServerError, typ: "UnexpectedException",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			w := do(e.svc.GetChannel(), tc.caller, http.MethodGet, "/channel", "")
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.want != "" {
				assert.JSONEq(t, tc.want, w.Body.String())
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			}
			if tc.typ != "" {
				assert.Equal(t, tc.typ, errorType(t, w))
			}
		})
	}
}

func TestViewNeverLeaksInternals(t *testing.T) {
	u := onair.User{Sub: "s", Email: "e@example.com", ChannelArn: "arn:aws:ivs:r:1:channel/X", StreamKeyArn: "arn:key",
		Provisioning: &onair.Claim{Token: "t"}}
	b, err := json.Marshal(View(u))
	require.NoError(t, err)
	for _, secret := range []string{"e@example.com", "arn:key", `"t"`, `"sub"`} {
		assert.NotContains(t, string(b), secret)
	}
}

func TestIngestServerURL(t *testing.T) {
	assert.Equal(t, "rtmps://abcdef012345.global-contribute.live-video.net:443/app/", IngestServerURL("abcdef012345.global-contribute.live-video.net"))
	assert.Equal(t, "rtmp://127.0.0.1:1935/app/", IngestServerURL("127.0.0.1:1935"), "offline emulator")
}
