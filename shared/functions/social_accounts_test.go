package functions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// wiringStore is an in-memory store with the methods the social and accounts
// functions use; the embedded nil store.Store makes any other call panic, so
// a function that starts using more shows up here.
type wiringStore struct {
	store.Store
	mu      sync.Mutex
	users   map[string]onair.User
	follows map[[2]string]onair.Follow
	bans    map[[2]string]onair.Ban
}

func newWiringStore(users ...onair.User) *wiringStore {
	s := &wiringStore{users: map[string]onair.User{}, follows: map[[2]string]onair.Follow{}, bans: map[[2]string]onair.Ban{}}
	for _, u := range users {
		s.users[u.Sub] = u
	}
	return s
}

func (s *wiringStore) find(match func(onair.User) bool) (onair.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if match(u) {
			return u, nil
		}
	}
	return onair.User{}, onair.ErrNotFound
}

func (s *wiringStore) CreateUser(_ context.Context, u onair.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Sub]; ok {
		return onair.ErrConflict
	}
	s.users[u.Sub] = u
	return nil
}

func (s *wiringStore) GetUser(_ context.Context, sub string) (onair.User, error) {
	return s.find(func(u onair.User) bool { return u.Sub == sub })
}

func (s *wiringStore) GetUsers(_ context.Context, subs []string) ([]onair.User, error) {
	var out []onair.User
	for _, sub := range subs {
		if u, err := s.GetUser(context.Background(), sub); err == nil {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *wiringStore) GetUserByUsername(_ context.Context, name string) (onair.User, error) {
	return s.find(func(u onair.User) bool { return strings.EqualFold(u.Username, name) })
}

func (s *wiringStore) GetUserByEmail(_ context.Context, email string) (onair.User, error) {
	return s.find(func(u onair.User) bool { return strings.EqualFold(u.Email, email) })
}

func (s *wiringStore) GetUserByChannelArn(_ context.Context, arn string) (onair.User, error) {
	return s.find(func(u onair.User) bool { return u.ChannelArn == arn })
}

func (s *wiringStore) DeleteUser(_ context.Context, sub string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, sub)
	return nil
}

func (s *wiringStore) ListLiveUsers(_ context.Context, limit int) ([]onair.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []onair.User
	for _, u := range s.users {
		if u.IsLive() {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LiveSince.After(*out[j].LiveSince) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *wiringStore) ListSessions(context.Context, string, int, string) ([]onair.StreamSession, string, error) {
	return nil, "", nil
}

func (s *wiringStore) PutFollow(_ context.Context, f onair.Follow) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{f.FollowerSub, f.FollowedSub}
	_, had := s.follows[k]
	s.follows[k] = f
	return !had, nil
}

func (s *wiringStore) DeleteFollow(_ context.Context, a, b string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, had := s.follows[[2]string{a, b}]
	delete(s.follows, [2]string{a, b})
	return had, nil
}

func (s *wiringStore) GetFollow(_ context.Context, a, b string) (onair.Follow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.follows[[2]string{a, b}]; ok {
		return f, nil
	}
	return onair.Follow{}, onair.ErrNotFound
}

func (s *wiringStore) ListFollowing(_ context.Context, follower string) ([]onair.Follow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []onair.Follow
	for k, f := range s.follows {
		if k[0] == follower {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

func (s *wiringStore) PutBan(_ context.Context, b onair.Ban) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{b.OwnerSub, b.BannedSub}
	_, had := s.bans[k]
	s.bans[k] = b
	return !had, nil
}

func (s *wiringStore) DeleteBan(_ context.Context, a, b string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, had := s.bans[[2]string{a, b}]
	delete(s.bans, [2]string{a, b})
	return had, nil
}

func (s *wiringStore) GetBan(_ context.Context, a, b string) (onair.Ban, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.bans[[2]string{a, b}]; ok {
		return v, nil
	}
	return onair.Ban{}, onair.ErrNotFound
}

func (s *wiringStore) ListBans(_ context.Context, owner string) ([]onair.Ban, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []onair.Ban
	for k, v := range s.bans {
		if k[0] == owner {
			out = append(out, v)
		}
	}
	return out, nil
}

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

func wiringFixture(t *testing.T) (*wiringStore, *fakeAWS, func(name string) *app.Platform) {
	live := time.Date(2026, 1, 10, 17, 0, 0, 0, time.UTC)
	st := newWiringStore(
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
		"CLIENT_BASE_URL": "https://app.example.com", "ENABLE_USER_AUTO_VERIFY": "true", "SIGN_UP_ALLOWED_DOMAINS": "",
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
	h, err := buildNamed(t.Context(), d)
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
		{fn: "BanUser", event: "BanUser.json", status: 200, awsOps: []string{"DisconnectUser"}},
		{fn: "BanUser", event: "BanUser.byUsername.json", status: 200, awsOps: []string{"DisconnectUser"}},
		{fn: "UnbanUser", event: "UnbanUser.json", status: 200},
		{fn: "ListBannedUsers", event: "ListBannedUsers.json", status: 200, body: []string{`"bannedUsers":[`}},
		{fn: "ListBannedUsers", event: "ListBannedUsers.json", status: 200, body: []string{`"bannedUsers":[`}},
		{fn: "CreateChatToken", event: "CreateChatToken.json", status: 200, body: []string{`"capabilities":["VIEW_MESSAGE"]`}, awsOps: []string{"CreateChatToken"}},
		{fn: "CreateChatToken", event: "CreateChatToken.signedIn.json", status: 200, body: []string{`"capabilities":["SEND_MESSAGE","VIEW_MESSAGE"]`}, awsOps: []string{"CreateChatToken"}},
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
	_, api, deps := wiringFixture(t)
	_, err := invokeSample(t, deps("BanUser"), "BanUser.json")
	require.NoError(t, err)
	require.Len(t, api.calls, 1)
	assert.Equal(t, map[string]any{
		"roomIdentifier": "arn:aws:ivschat:us-east-1:111122223333:room/ViewerRoom01",
		"userId":         "sub-streamer",
		"reason":         "Banned by the channel owner",
	}, api.calls[0].body)
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
