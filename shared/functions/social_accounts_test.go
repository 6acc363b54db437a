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
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
)

// fakeAWS answers the IVS Chat (rest-json, by path) and Cognito (json, by
// X-Amz-Target) operations the functions call, and records them.
type fakeAWS struct {
	mu    sync.Mutex
	calls []awsCall
}

type awsCall struct {
	op   string
	body map[string]any
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	op := strings.TrimPrefix(r.URL.Path, "/")
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		op = t[strings.LastIndexByte(t, '.')+1:]
	}
	f.mu.Lock()
	f.calls = append(f.calls, awsCall{op, body})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch op {
	case "CreateChatToken":
		_, _ = io.WriteString(w, `{"token":"chat-token","tokenExpirationTime":"2026-01-10T18:01:00Z","sessionExpirationTime":"2026-01-10T19:00:00Z"}`)
	case "ListUsers":
		_, _ = io.WriteString(w, `{"Users":[{"Username":"stale","UserStatus":"UNCONFIRMED","UserCreateDate":1767800000,"Attributes":[{"Name":"sub","Value":"sub-stale"}]}]}`)
	default:
		_, _ = io.WriteString(w, `{}`)
	}
}

func (f *fakeAWS) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.op)
	}
	return out
}

type wiringVerifier map[string]onair.Caller

func (v wiringVerifier) Verify(_ context.Context, token string) (onair.Caller, error) {
	if c, ok := v[token]; ok {
		return c, nil
	}
	return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Invalid token.")
}

// The sample events' caller (events/*.json): sub and token.
const (
	sampleSub   = "6f1c2a4e-1b7d-4f7e-9c1a-2b3c4d5e6f70"
	sampleToken = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiI2ZjFjMmE0ZSJ9.c2lnbmF0dXJl"
)

func wiringFixture(t *testing.T) (*bolt.Store, *fakeAWS, func(name string) *app.Platform) {
	live := time.Date(2026, 1, 10, 17, 0, 0, 0, time.UTC)
	st := bolttest.New(t,
		onair.User{Sub: sampleSub, Username: "viewer42", Email: "viewer42@example.com", Avatar: "bear", Color: "blue",
			ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/Viewer0000001", ChatRoomArn: "arn:aws:ivschat:us-east-1:111122223333:room/ViewerRoom01"},
		onair.User{Sub: "sub-streamer", Username: "streamer", Avatar: "tiger", Color: "salmon", LiveSince: &live,
			ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456", ChatRoomArn: "arn:aws:ivschat:us-east-1:111122223333:room/StreamerRoom",
			PlaybackURL: "https://abc.us-east-1.playback.live-video.net/api/video/v1/x.m3u8"},
		onair.User{Sub: "sub-troll", Username: "troll99", Avatar: "dog", Color: "green"},
	)
	api := &fakeAWS{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	env := map[string]string{
		"CHANNELS_TABLE": "channels", "STREAMS_TABLE": "streams", "USER_POOL_ID": "us-east-1_AbCdEfGhI",
		"CHAT_REVIEW_HANDLER_ARN": "arn:aws:lambda:us-east-1:111122223333:function:onair-ChatReview",
		"CLIENT_BASE_URL":         "https://app.example.com", "ENABLE_USER_AUTO_VERIFY": "true", "SIGN_UP_ALLOWED_DOMAINS": "",
	}
	deps := func(name string) *app.Platform {
		return &app.Platform{
			Name: name,
			Env:  func(k string) string { return env[k] },
			AWS: aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{},
				Retryer: func() aws.Retryer { return aws.NopRetryer{} }},
			Clock:   func() time.Time { return time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC) },
			Offline: app.Offline{Store: st, Verifier: wiringVerifier{sampleToken: {Sub: sampleSub, Username: "viewer42"}}},
		}
	}
	return st, api, deps
}

func invokeSample(t *testing.T, d *app.Platform, file string) ([]byte, error) {
	t.Helper()
	payload, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	require.NoError(t, err)
	h, err := buildNamed(t.Context(), recordAWS(t, d))
	require.NoError(t, err)
	return h.Invoke(t.Context(), payload)
}

func TestSocialFunctionsServeTheirSampleEvents(t *testing.T) {
	cases := []struct {
		fn, event string
		status    int
		body      []string // substrings of the response body
		awsOps    []string
	}{
		{fn: "FollowChannel", event: "FollowChannel.json", status: 200, body: []string{`{}`}},
		{fn: "UnfollowChannel", event: "UnfollowChannel.json", status: 200},
		{fn: "GetFollowingList", event: "GetFollowingList.json", status: 200, body: []string{`"maxResults":50`}},
		{fn: "BanUser", event: "BanUser.json", status: 200, awsOps: []string{"UpdateRoom", "DisconnectUser"}},
		{fn: "BanUser", event: "BanUser.byUsername.json", status: 200, awsOps: []string{"UpdateRoom", "DisconnectUser"}},
		{fn: "UnbanUser", event: "UnbanUser.json", status: 200},
		{fn: "ListBannedUsers", event: "ListBannedUsers.json", status: 200, body: []string{`"bannedUsers":[`}},
		{fn: "ListBannedUsers", event: "ListBannedUsers.json", status: 200, body: []string{`"bannedUsers":[`}},
		{fn: "CreateChatToken", event: "CreateChatToken.json", status: 200, body: []string{`"capabilities":["VIEW_MESSAGE"]`}, awsOps: []string{"UpdateRoom", "CreateChatToken"}},
		{fn: "CreateChatToken", event: "CreateChatToken.signedIn.json", status: 200, body: []string{`"capabilities":["SEND_MESSAGE","VIEW_MESSAGE"]`}, awsOps: []string{"UpdateRoom", "CreateChatToken"}},
		{fn: "GetChannelPage", event: "GetChannelPage.json", status: 200, body: []string{`"username":"streamer"`, `"isLive":true`, `"playbackUrl"`}},
		{fn: "GetChannelPage", event: "GetChannelPage.signedIn.json", status: 200, body: []string{`"isViewerFollowing":false`}},
		{fn: "ListChannels", event: "ListChannels.json", status: 200, body: []string{`"username":"streamer"`}},
	}
	for _, tc := range cases {
		t.Run(tc.event, func(t *testing.T) {
			_, api, deps := wiringFixture(t)
			out, err := invokeSample(t, deps(tc.fn), tc.event)
			require.NoError(t, err)
			var resp events.APIGatewayV2HTTPResponse
			require.NoError(t, json.Unmarshal(out, &resp))
			assert.Equal(t, tc.status, resp.StatusCode, resp.Body)
			for _, b := range tc.body {
				assert.Contains(t, resp.Body, b)
			}
			assert.Equal(t, tc.awsOps, api.ops())
		})
	}
}

func TestBanWiringDisconnectsTheBannedSub(t *testing.T) {
	st, api, deps := wiringFixture(t)
	_, err := invokeSample(t, deps("BanUser"), "BanUser.json")
	require.NoError(t, err)
	require.Len(t, api.calls, 2)
	assert.Equal(t, map[string]any{
		"identifier":                  "arn:aws:ivschat:us-east-1:111122223333:room/ViewerRoom01",
		"messageReviewHandler":        map[string]any{"uri": "arn:aws:lambda:us-east-1:111122223333:function:onair-ChatReview", "fallbackResult": "DENY"},
		"maximumMessageRatePerSecond": float64(100),
	}, api.calls[0].body, "the owner's room gets the review handler first")
	assert.Equal(t, map[string]any{
		"roomIdentifier": "arn:aws:ivschat:us-east-1:111122223333:room/ViewerRoom01",
		"userId":         "sub-streamer",
		"reason":         "Banned by the channel owner",
	}, api.calls[1].body)

	// Recorded on the profile: the next ban only disconnects.
	owner, err := st.GetUser(t.Context(), sampleSub)
	require.NoError(t, err)
	assert.NotEmpty(t, owner.ChatReview)
	_, err = invokeSample(t, deps("BanUser"), "BanUser.json")
	require.NoError(t, err)
	assert.Equal(t, []string{"UpdateRoom", "DisconnectUser", "DisconnectUser"}, api.ops())
}

func TestAccountsFunctionsHandleTheirSampleEvents(t *testing.T) {
	t.Run("PreSignUp", func(t *testing.T) {
		_, _, deps := wiringFixture(t)
		out, err := invokeSample(t, deps("PreSignUp"), "PreSignUp.json")
		require.NoError(t, err)
		var ev events.CognitoEventUserPoolsPreSignup
		require.NoError(t, json.Unmarshal(out, &ev))
		assert.True(t, ev.Response.AutoConfirmUser, "ENABLE_USER_AUTO_VERIFY=true")

		_, err = invokeSample(t, deps("PreSignUp"), "PreSignUp.reserved.json")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ReservedUsernameException")
	})
	t.Run("CustomMessage", func(t *testing.T) {
		_, _, deps := wiringFixture(t)
		out, err := invokeSample(t, deps("CustomMessage"), "CustomMessage.json")
		require.NoError(t, err)
		assert.Contains(t, string(out), `https://app.example.com/login?code={####}\u0026amp;username=newstreamer`)
		out, err = invokeSample(t, deps("CustomMessage"), "CustomMessage.ForgotPassword.json")
		require.NoError(t, err)
		assert.Contains(t, string(out), `https://app.example.com/reset?code={####}`)
	})
	t.Run("PreAuthentication", func(t *testing.T) {
		_, _, deps := wiringFixture(t)
		_, err := invokeSample(t, deps("PreAuthentication"), "PreAuthentication.json")
		require.NoError(t, err)
		_, err = invokeSample(t, deps("PreAuthentication"), "PreAuthentication.oldName.json")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "UserNotFoundException")
	})
	t.Run("PostConfirmation", func(t *testing.T) {
		st, _, deps := wiringFixture(t)
		_, err := invokeSample(t, deps("PostConfirmation"), "PostConfirmation.json")
		require.NoError(t, err)
		u, err := st.GetUserByUsername(t.Context(), "newstreamer")
		require.NoError(t, err)
		assert.Equal(t, "hippo", u.Avatar)
		assert.Equal(t, "lavender", u.Color)
		assert.Equal(t, "newstreamer@example.com", u.Email)
	})
	t.Run("CleanupUnconfirmedUsers", func(t *testing.T) {
		_, api, deps := wiringFixture(t)
		_, err := invokeSample(t, deps("CleanupUnconfirmedUsers"), "CleanupUnconfirmedUsers.json")
		require.NoError(t, err)
		assert.Equal(t, []string{"ListUsers", "AdminDeleteUser"}, api.ops())
		assert.Equal(t, "stale", api.calls[1].body["Username"])
	})
}
