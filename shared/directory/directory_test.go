package directory

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/storetest"
)

// newStore is the bolt store holding users, wrapped for fault injection.
func newStore(t *testing.T, users ...onair.User) *storetest.Faults {
	return storetest.WithFaults(bolttest.New(t, users...))
}

// putSessions stores sessions of a channel; the first is the newest.
func putSessions(t *testing.T, db store.Sessions, channelArn string, sessions ...onair.StreamSession) {
	t.Helper()
	for i, s := range sessions {
		_, err := db.UpdateSession(t.Context(), channelArn, s.StreamID, func(v *onair.StreamSession) error {
			s.ChannelArn, s.Version = v.ChannelArn, v.Version
			if s.StartTime.IsZero() {
				s.StartTime = t0.Add(-time.Duration(i) * time.Minute)
			}
			*v = s
			return nil
		})
		require.NoError(t, err)
	}
}

func follow(t *testing.T, db store.Follows, follower, followed string) {
	t.Helper()
	_, err := db.PutFollow(t.Context(), onair.Follow{FollowerSub: follower, FollowedSub: followed, At: t0})
	require.NoError(t, err)
}

func ban(t *testing.T, db store.Bans, owner, banned string) {
	t.Helper()
	_, err := db.PutBan(t.Context(), onair.Ban{OwnerSub: owner, BannedSub: banned, At: t0})
	require.NoError(t, err)
}

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

func at(min int) *time.Time { t := t0.Add(time.Duration(min) * time.Minute); return &t }

func owner() onair.User {
	return onair.User{
		Sub: "sub-owner", Username: "Streamer", Avatar: "bear", Color: "blue",
		ChannelArn:    "arn:aws:ivs:us-east-1:111122223333:channel/AbC",
		PlaybackURL:   "https://play.example/abc.m3u8",
		ChannelAssets: map[string]onair.Asset{"avatar": {URL: "https://cdn/a/avatar?v=1"}, "banner": {}},
		LiveSince:     at(0), LiveStreamID: "st-2", StageID: "stage-1",
	}
}

func serve(h httpapi.Func, method, target string, caller *onair.Caller) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if caller != nil {
		r = r.WithContext(onair.WithCaller(r.Context(), *caller))
	}
	w := httptest.NewRecorder()
	mux := http.NewServeMux()
	mux.Handle("GET /channels/{username}", h)
	mux.Handle("GET /channels", h)
	mux.ServeHTTP(w, r)
	return w
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &m), w.Body.String())
	return m
}

func TestGetChannelPage(t *testing.T) {
	viewer := onair.Caller{Sub: "sub-viewer", Username: "viewer"}
	ownerCaller := onair.Caller{Sub: "sub-owner", Username: "Streamer"}
	liveSessions := []onair.StreamSession{{ChannelArn: owner().ChannelArn, StreamID: "st-2", Open: true,
		IngestConfiguration: json.RawMessage(`{"audio":{"channels":2},"video":{"videoWidth":1920,"videoHeight":1080,"codec":"avc1"}}`)}}

	cases := []struct {
		name     string
		owner    func(*onair.User)
		setup    func(*testing.T, *storetest.Faults)
		caller   *onair.Caller
		path     string
		status   int
		want     map[string]any
		absent   []string
		wantType string
	}{
		{
			name: "anonymous, live with known ingest", path: "/channels/streamer", status: 200,
			setup: func(t *testing.T, f *storetest.Faults) { putSessions(t, f, owner().ChannelArn, liveSessions...) },
			want: map[string]any{
				"username": "Streamer", "avatar": "bear", "color": "blue",
				"channelAssetUrls": map[string]any{"avatar": "https://cdn/a/avatar?v=1"},
				"channelArn":       owner().ChannelArn, "stageId": "stage-1",
				"isLive": true, "playbackUrl": "https://play.example/abc.m3u8",
				"ingestConfiguration": map[string]any{"video": map[string]any{"videoWidth": 1920.0, "videoHeight": 1080.0}},
				"isViewerBanned":      false, "isChannelBanned": false, "isViewerFollowing": false,
			},
		},
		{
			name: "SDK-cased ingest configuration decodes", path: "/channels/Streamer", status: 200,
			setup: func(t *testing.T, f *storetest.Faults) {
				putSessions(t, f, owner().ChannelArn, onair.StreamSession{StreamID: "st-2", Open: true,
					IngestConfiguration: json.RawMessage(`{"Video":{"VideoWidth":1280,"VideoHeight":720}}`)})
			},
			want: map[string]any{"ingestConfiguration": map[string]any{"video": map[string]any{"videoWidth": 1280.0, "videoHeight": 720.0}}},
		},
		{
			name: "stale session's ingest is not used", path: "/channels/streamer", status: 200,
			setup: func(t *testing.T, f *storetest.Faults) {
				putSessions(t, f, owner().ChannelArn, onair.StreamSession{StreamID: "st-1",
					IngestConfiguration: json.RawMessage(`{"video":{"videoWidth":640,"videoHeight":360}}`)})
			},
			want:   map[string]any{"isLive": true},
			absent: []string{"ingestConfiguration"},
		},
		{
			name: "offline channel", path: "/channels/streamer", status: 200,
			owner:  func(u *onair.User) { u.LiveSince = nil; u.LiveStreamID = "" },
			setup:  func(t *testing.T, f *storetest.Faults) { putSessions(t, f, owner().ChannelArn, liveSessions...) },
			want:   map[string]any{"isLive": false, "playbackUrl": "https://play.example/abc.m3u8"},
			absent: []string{"ingestConfiguration"},
		},
		{
			name: "signed-in viewer who follows and banned the owner", path: "/channels/STREAMER", status: 200, caller: &viewer,
			setup: func(t *testing.T, f *storetest.Faults) {
				follow(t, f, "sub-viewer", "sub-owner")
				ban(t, f, "sub-viewer", "sub-owner")
			},
			want: map[string]any{"isViewerFollowing": true, "isChannelBanned": true, "isViewerBanned": false, "isLive": true,
				"playbackUrl": "https://play.example/abc.m3u8"},
		},
		{
			name: "banned viewer gets no stream", path: "/channels/streamer", status: 200, caller: &viewer,
			setup: func(t *testing.T, f *storetest.Faults) {
				ban(t, f, "sub-owner", "sub-viewer")
				putSessions(t, f, owner().ChannelArn, liveSessions...)
			},
			want:   map[string]any{"isViewerBanned": true, "username": "Streamer"},
			absent: []string{"playbackUrl", "isLive", "ingestConfiguration"},
		},
		{
			name: "owner sees their own stream", path: "/channels/streamer", status: 200, caller: &ownerCaller,
			want: map[string]any{"isViewerBanned": false, "isLive": true, "playbackUrl": "https://play.example/abc.m3u8"},
		},
		{
			name: "not provisioned yet", path: "/channels/streamer", status: 200,
			owner:  func(u *onair.User) { *u = onair.User{Sub: u.Sub, Username: u.Username, Avatar: "dog", Color: "green"} },
			want:   map[string]any{"isLive": false, "channelAssetUrls": map[string]any{}},
			absent: []string{"playbackUrl", "channelArn", "stageId"},
		},
		{name: "unknown user is 404", path: "/channels/nobody", status: 404, wantType: "UserNotFoundException"},
		{
			name: "store failure is 500", path: "/channels/streamer", status: 500, wantType: "UnexpectedException",
			setup: func(_ *testing.T, f *storetest.Faults) { f.Fail("GetUserByUsername", errors.New("dynamo down")) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := owner()
			if tc.owner != nil {
				tc.owner(&o)
			}
			st := newStore(t, o, onair.User{Sub: "sub-viewer", Username: "viewer"})
			if tc.setup != nil {
				tc.setup(t, st)
			}
			w := serve(New(st).GetChannelPage, http.MethodGet, tc.path, tc.caller)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			body := decode(t, w)
			if tc.wantType != "" {
				assert.Equal(t, tc.wantType, body["__type"])
			}
			for k, v := range tc.want {
				assert.Equal(t, v, body[k], k)
			}
			for _, k := range tc.absent {
				assert.NotContains(t, body, k)
			}
		})
	}
}

func TestListChannels(t *testing.T) {
	var users []onair.User
	for i := range 60 {
		users = append(users, onair.User{Sub: "s" + string(rune('A'+i)), Username: "user" + string(rune('A'+i)), Avatar: "bear", Color: "blue", LiveSince: at(i)})
	}
	users = append(users, onair.User{Sub: "offline", Username: "offline"})

	cases := []struct {
		name   string
		target string
		err    error
		status int
		count  int
		first  string
		body   string
	}{
		{name: "missing filter", target: "/channels", status: 400,
			body: `{"__type":"BadRequestException","message":"Missing required filter, one of: isLive"}`},
		{name: "isLive=false lists nothing", target: "/channels?isLive=false", status: 200, body: `{"channels":[],"maxResults":50}`},
		{name: "isLive=yes lists nothing", target: "/channels?isLive=yes", status: 200, body: `{"channels":[],"maxResults":50}`},
		{name: "live, newest first, 50 max", target: "/channels?isLive=true", status: 200, count: 50, first: "user" + string(rune('A'+59))},
		{name: "store failure", target: "/channels?isLive=true", err: errors.New("boom"), status: 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t, users...)
			var liveLimit int
			st.Before(func(_ context.Context, op string, args []any) error {
				if op == "ListLiveUsers" {
					liveLimit = args[0].(int)
				}
				return tc.err
			})
			w := serve(New(st).ListChannels, http.MethodGet, tc.target, nil)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.body != "" {
				assert.JSONEq(t, tc.body, w.Body.String())
			}
			if tc.count > 0 {
				var resp ListResponse
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
				assert.Len(t, resp.Channels, tc.count)
				assert.Equal(t, 50, resp.MaxResults)
				assert.Equal(t, tc.first, resp.Channels[0].Username)
				assert.Equal(t, MaxResults, liveLimit)
				assert.Equal(t, map[string]string{}, resp.Channels[0].ChannelAssetURLs)
			}
		})
	}
}

func TestCardShape(t *testing.T) {
	b, err := json.Marshal(CardOf(owner()))
	require.NoError(t, err)
	assert.JSONEq(t, `{"avatar":"bear","color":"blue","username":"Streamer","channelAssetUrls":{"avatar":"https://cdn/a/avatar?v=1"}}`, string(b))
}
