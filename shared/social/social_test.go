package social

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/chat"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

// testStore is the bolt store, wrapped for fault injection.
type testStore struct {
	*storetest.Faults
	t *testing.T
	// getUsers records the subs each GetUsers call asked for.
	getUsers [][]string
}

func newTestStore(t *testing.T, users ...onair.User) *testStore {
	s := &testStore{Faults: storetest.WithFaults(bolttest.New(t, users...)), t: t}
	s.Before(func(_ context.Context, op string, args []any) error {
		if op == "GetUsers" {
			s.getUsers = append(s.getUsers, args[0].([]string))
		}
		return nil
	})
	return s
}

func (s *testStore) follow(f onair.Follow) {
	s.t.Helper()
	_, err := s.Store.PutFollow(s.t.Context(), f)
	require.NoError(s.t, err)
}

func (s *testStore) ban(b onair.Ban) {
	s.t.Helper()
	_, err := s.Store.PutBan(s.t.Context(), b)
	require.NoError(s.t, err)
}

// following returns the edge and whether it exists.
func (s *testStore) following(follower, followed string) (onair.Follow, bool) {
	s.t.Helper()
	f, err := s.Store.GetFollow(s.t.Context(), follower, followed)
	if errors.Is(err, onair.ErrNotFound) {
		return f, false
	}
	require.NoError(s.t, err)
	return f, true
}

func (s *testStore) banned(owner, banned string) bool {
	s.t.Helper()
	_, err := s.Store.GetBan(s.t.Context(), owner, banned)
	if errors.Is(err, onair.ErrNotFound) {
		return false
	}
	require.NoError(s.t, err)
	return true
}

type disconnect struct{ room, userID, reason string }

type fakeChat struct {
	calls []disconnect
	err   error
}

func (f *fakeChat) DisconnectUser(_ context.Context, room, userID, reason string) error {
	f.calls = append(f.calls, disconnect{room, userID, reason})
	return f.err
}

// roomReview records the rooms set up with the review handler.
type roomReview struct {
	owners []string
	err    error
}

func (r *roomReview) Ensure(_ context.Context, owner onair.User) error {
	r.owners = append(r.owners, owner.Sub)
	return r.err
}

type fakeTokens struct{ reqs []onair.ChatTokenRequest }

func (f *fakeTokens) CreateChatToken(_ context.Context, req onair.ChatTokenRequest) (onair.ChatToken, error) {
	f.reqs = append(f.reqs, req)
	return onair.ChatToken{Token: "t"}, nil
}

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

var (
	ann = onair.User{Sub: "sub-ann", Username: "Ann", Avatar: "bear", Color: "blue",
		ChannelArn: "arn:aws:ivs:us-east-1:1:channel/ANN", ChatRoomArn: "arn:aws:ivschat:us-east-1:1:room/ANN"}
	bob = onair.User{Sub: "sub-bob", Username: "Bob", Avatar: "dog", Color: "green",
		ChannelArn: "arn:aws:ivs:us-east-1:1:channel/BOB", ChatRoomArn: "arn:aws:ivschat:us-east-1:1:room/BOB"}
	cat = onair.User{Sub: "sub-cat", Username: "cat_", Avatar: "tiger", Color: "salmon"} // not provisioned
)

type result struct {
	code    int
	body    string
	metrics string
}

func call(h httpapi.Func, caller onair.Caller, body string) result {
	var metrics bytes.Buffer
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	ctx := onair.WithCaller(r.Context(), caller)
	ctx = telemetry.WithMetrics(ctx, telemetry.NewMetrics(&metrics, "Test", nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.WithContext(ctx))
	return result{w.Code, w.Body.String(), metrics.String()}
}

func errType(t *testing.T, body string) string {
	t.Helper()
	var e httpapi.ErrorBody
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	return e.Type
}

var asAnn = onair.Caller{Sub: ann.Sub, Username: "ann"}

func TestFollowAndUnfollow(t *testing.T) {
	cases := []struct {
		name        string
		already     bool
		unfollow    bool
		body        string
		status      int
		errType     string
		wantFollows bool
	}{
		{name: "follow", body: `{"followedUsername":"bob"}`, status: 200, wantFollows: true},
		{name: "follow is case-insensitive", body: `{"followedUsername":"BOB"}`, status: 200, wantFollows: true},
		{name: "already following", already: true, body: `{"followedUsername":"Bob"}`, status: 204, wantFollows: true},
		{name: "unknown user", body: `{"followedUsername":"nobody"}`, status: 404, errType: "UserNotFoundException"},
		{name: "yourself", body: `{"followedUsername":"ANN"}`, status: 400, errType: "BadRequestException"},
		{name: "missing name", body: `{}`, status: 400, errType: "BadRequestException"},
		{name: "malformed body", body: `{"followedUsername":`, status: 400, errType: "BadRequestException"},
		{name: "unfollow", unfollow: true, already: true, body: `{"followedUsername":"bob"}`, status: 200},
		{name: "unfollow when not following", unfollow: true, body: `{"followedUsername":"bob"}`, status: 200},
		{name: "unfollow unknown user", unfollow: true, body: `{"followedUsername":"nobody"}`, status: 404, errType: "UserNotFoundException"},
		{name: "unfollow yourself", unfollow: true, body: `{"followedUsername":"ann"}`, status: 400, errType: "BadRequestException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newTestStore(t, ann, bob)
			followedAt := t0.Add(-time.Hour)
			if tc.already {
				st.follow(onair.Follow{FollowerSub: ann.Sub, FollowedSub: bob.Sub, At: followedAt})
			}
			s := newService(st, nil, func() time.Time { return t0 })
			h := s.Follow
			if tc.unfollow {
				h = s.Unfollow
			}
			res := call(h, asAnn, tc.body)
			require.Equal(t, tc.status, res.code, res.body)
			switch {
			case tc.errType != "":
				assert.Equal(t, tc.errType, errType(t, res.body))
			case tc.status == 204:
				assert.Empty(t, res.body)
			default:
				assert.JSONEq(t, `{}`, res.body)
			}
			f, follows := st.following(ann.Sub, bob.Sub)
			assert.Equal(t, tc.wantFollows, follows)
			if tc.wantFollows && tc.already {
				assert.Equal(t, followedAt, f.At, "a repeated follow keeps the original time")
			} else if tc.wantFollows {
				assert.Equal(t, t0, f.At)
			}
		})
	}
}

func TestFollowingList(t *testing.T) {
	live := func(u onair.User, min int) onair.User {
		at := t0.Add(time.Duration(min) * time.Minute)
		u.LiveSince = &at
		return u
	}
	// 60 followed users: every 4th is live, with start times in no
	// particular relation to follow times; one was deleted; one is on stage.
	st := newTestStore(t, ann)
	var wantLive, wantOffline []string
	type liveAt struct {
		name string
		at   int
	}
	var lives []liveAt
	for i := range 60 {
		u := onair.User{Sub: fmt.Sprintf("sub-%02d", i), Username: fmt.Sprintf("user%02d", i), Avatar: "bear", Color: "blue"}
		if i%4 == 0 {
			u = live(u, (i*37)%60)
			lives = append(lives, liveAt{u.Username, (i * 37) % 60})
		}
		if i == 57 {
			u.StageID = "stage-57"
		}
		// Followed at t0+i minutes: user59 is the most recent follow.
		st.follow(onair.Follow{FollowerSub: ann.Sub, FollowedSub: u.Sub, At: t0.Add(time.Duration(i) * time.Minute)})
		if i == 58 {
			continue // deleted account: the edge remains, the profile does not
		}
		require.NoError(t, st.Store.CreateUser(t.Context(), u))
	}
	sort.Slice(lives, func(i, j int) bool { return lives[i].at > lives[j].at })
	for _, l := range lives {
		wantLive = append(wantLive, l.name)
	}
	for i := 59; i >= 0; i-- {
		if i%4 != 0 && i != 58 {
			wantOffline = append(wantOffline, fmt.Sprintf("user%02d", i))
		}
	}
	want := append(append([]string{}, wantLive...), wantOffline...)[:50]

	res := call(newService(st, nil, nil).FollowingList, asAnn, "")
	require.Equal(t, 200, res.code, res.body)
	var resp FollowingResponse
	require.NoError(t, json.Unmarshal([]byte(res.body), &resp))
	assert.Equal(t, 50, resp.MaxResults)
	var got []string
	for _, c := range resp.Channels {
		got = append(got, c.Username)
	}
	assert.Equal(t, want, got)
	assert.Len(t, wantLive, 15)
	for i, c := range resp.Channels {
		assert.Equal(t, i < len(wantLive), c.IsLive, c.Username)
	}
	require.Len(t, st.getUsers, 1, "one batch read of the followed profiles")
	assert.Len(t, st.getUsers[0], 60)

	// The entry's shape.
	var raw struct {
		Channels []map[string]any `json:"channels"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.body), &raw))
	found := false
	for _, c := range raw.Channels {
		if c["username"] == "user57" {
			assert.Equal(t, map[string]any{"avatar": "bear", "color": "blue", "username": "user57",
				"channelAssetUrls": map[string]any{}, "isLive": false, "stageId": "stage-57"}, c)
			found = true
		}
	}
	assert.True(t, found)
}

func TestFollowingListEdgeCases(t *testing.T) {
	t.Run("nothing followed", func(t *testing.T) {
		st := newTestStore(t, ann)
		res := call(newService(st, nil, nil).FollowingList, asAnn, "")
		require.Equal(t, 200, res.code)
		assert.JSONEq(t, `{"channels":[],"maxResults":50}`, res.body)
		assert.Empty(t, st.getUsers, "no batch read for an empty list")
	})
	t.Run("store failure", func(t *testing.T) {
		st := newTestStore(t, ann, bob)
		st.follow(onair.Follow{FollowerSub: ann.Sub, FollowedSub: bob.Sub, At: t0})
		st.FailAll("GetUsers", errors.New("down"))
		res := call(newService(st, nil, nil).FollowingList, asAnn, "")
		assert.Equal(t, 500, res.code)
	})
	t.Run("no caller", func(t *testing.T) {
		w := httptest.NewRecorder()
		httpapi.Func(newService(newTestStore(t), nil, nil).FollowingList).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		assert.Equal(t, 401, w.Code)
	})
}

func TestBanAndUnban(t *testing.T) {
	cases := []struct {
		name        string
		unban       bool
		already     bool
		caller      onair.Caller
		body        string
		chatErr     error
		reviewErr   error
		status      int
		errType     string
		wantBanned  bool
		disconnects []disconnect
		metric      bool
	}{
		{
			name: "ban by channel ARN", body: `{"bannedChannelArn":"arn:aws:ivs:us-east-1:1:channel/BOB"}`, caller: asAnn,
			status: 200, wantBanned: true, metric: true,
			disconnects: []disconnect{{ann.ChatRoomArn, bob.Sub, "Banned by the channel owner"}},
		},
		{
			name: "ban by username", body: `{"bannedUsername":"bob"}`, caller: asAnn,
			status: 200, wantBanned: true, metric: true,
			disconnects: []disconnect{{ann.ChatRoomArn, bob.Sub, "Banned by the channel owner"}},
		},
		{
			name: "ban again disconnects again, no new metric", already: true, body: `{"bannedUsername":"bob"}`, caller: asAnn,
			status: 200, wantBanned: true,
			disconnects: []disconnect{{ann.ChatRoomArn, bob.Sub, "Banned by the channel owner"}},
		},
		{
			name: "owner without a chat room: ban stored, nobody to disconnect", body: `{"bannedUsername":"bob"}`,
			caller: onair.Caller{Sub: cat.Sub}, status: 200, metric: true,
		},
		{name: "ban yourself by ARN", body: `{"bannedChannelArn":"arn:aws:ivs:us-east-1:1:channel/ANN"}`, caller: asAnn, status: 400, errType: "BadRequestException"},
		{name: "ban yourself by name", body: `{"bannedUsername":"ANN"}`, caller: asAnn, status: 400, errType: "BadRequestException"},
		{name: "unknown ARN", body: `{"bannedChannelArn":"arn:aws:ivs:us-east-1:1:channel/NOPE"}`, caller: asAnn, status: 404, errType: "UserNotFoundException"},
		{name: "unknown username", body: `{"bannedUsername":"nobody"}`, caller: asAnn, status: 404, errType: "UserNotFoundException"},
		{name: "neither field", body: `{}`, caller: asAnn, status: 400, errType: "BadRequestException"},
		{name: "both fields", body: `{"bannedUsername":"bob","bannedChannelArn":"arn:aws:ivs:us-east-1:1:channel/BOB"}`, caller: asAnn, status: 400, errType: "BadRequestException"},
		{
			name: "disconnect throttled: ban kept, 429 so the client retries", body: `{"bannedUsername":"bob"}`, caller: asAnn,
			chatErr: onair.Errorf(onair.Throttled, "TooManyRequestsException", "slow"),
			status:  429, errType: "BanUserException", wantBanned: true, metric: true,
			disconnects: []disconnect{{ann.ChatRoomArn, bob.Sub, "Banned by the channel owner"}},
		},
		{
			name: "disconnect fails: 500", body: `{"bannedUsername":"bob"}`, caller: asAnn,
			chatErr: errors.New("boom"), status: 500, errType: "BanUserException", wantBanned: true, metric: true,
			disconnects: []disconnect{{ann.ChatRoomArn, bob.Sub, "Banned by the channel owner"}},
		},
		{
			name: "room cannot get the review handler: ban kept, 500 so the client retries", body: `{"bannedUsername":"bob"}`, caller: asAnn,
			reviewErr: errors.New("throttled"), status: 500, errType: "BanUserException", wantBanned: true, metric: true,
		},
		{
			name: "room gone: nobody to disconnect", body: `{"bannedUsername":"bob"}`, caller: asAnn,
			chatErr: onair.ErrNotFound, status: 200, wantBanned: true, metric: true,
			disconnects: []disconnect{{ann.ChatRoomArn, bob.Sub, "Banned by the channel owner"}},
		},
		{name: "unban", unban: true, already: true, body: `{"bannedChannelArn":"arn:aws:ivs:us-east-1:1:channel/BOB"}`, caller: asAnn, status: 200},
		{name: "unban by username", unban: true, already: true, body: `{"bannedUsername":"Bob"}`, caller: asAnn, status: 200},
		{name: "unban when not banned", unban: true, body: `{"bannedUsername":"bob"}`, caller: asAnn, status: 200},
		{name: "unban unknown", unban: true, body: `{"bannedUsername":"nobody"}`, caller: asAnn, status: 404, errType: "UserNotFoundException"},
		{name: "unban yourself", unban: true, body: `{"bannedUsername":"ann"}`, caller: asAnn, status: 400, errType: "BadRequestException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newTestStore(t, ann, bob, cat)
			if tc.already {
				st.ban(onair.Ban{OwnerSub: tc.caller.Sub, BannedSub: bob.Sub, At: t0})
			}
			moderator := &fakeChat{err: tc.chatErr}
			review := &roomReview{err: tc.reviewErr}
			s := newService(st, moderator, func() time.Time { return t0 })
			s.review = review
			h := s.Ban
			if tc.unban {
				h = s.Unban
			}
			res := call(h, tc.caller, tc.body)
			require.Equal(t, tc.status, res.code, res.body)
			if tc.errType != "" {
				assert.Equal(t, tc.errType, errType(t, res.body))
			} else {
				assert.JSONEq(t, `{}`, res.body)
			}
			banned := st.banned(tc.caller.Sub, bob.Sub)
			if tc.caller.Sub == cat.Sub {
				assert.True(t, banned)
			} else {
				assert.Equal(t, tc.wantBanned, banned)
			}
			assert.Equal(t, tc.disconnects, moderator.calls)
			if !tc.unban && len(tc.disconnects) > 0 {
				assert.Equal(t, []string{tc.caller.Sub}, review.owners, "the room has the review handler before the disconnect")
			}
			assert.Equal(t, tc.metric, strings.Contains(res.metrics, `"UsersBanned":1`), res.metrics)
		})
	}
}

// The id a ban disconnects must be the id the banned user's chat tokens
// carry, or the disconnect reaches nobody (the reference's bug §13.4).
func TestBanDisconnectsTheChatUserIDOfTokens(t *testing.T) {
	st := newTestStore(t, ann, bob)
	tokens := &fakeTokens{}
	asBob := onair.Caller{Sub: bob.Sub, Username: "bob"}

	res := call(chat.New(st, tokens, &roomReview{}).CreateToken, asBob, `{"chatRoomOwnerUsername":"ann"}`)
	require.Equal(t, 200, res.code, res.body)
	require.Len(t, tokens.reqs, 1)

	moderator := &fakeChat{}
	banner := newService(st, moderator, nil)
	banner.review = &roomReview{}
	res = call(banner.Ban, asAnn, `{"bannedChannelArn":"`+bob.ChannelArn+`"}`)
	require.Equal(t, 200, res.code, res.body)
	require.Len(t, moderator.calls, 1)
	assert.Equal(t, tokens.reqs[0].UserID, moderator.calls[0].userID)
	assert.Equal(t, tokens.reqs[0].RoomArn, moderator.calls[0].room)

	// And the banned user cannot get back in.
	res = call(chat.New(st, tokens, &roomReview{}).CreateToken, asBob, `{"chatRoomOwnerUsername":"ann"}`)
	assert.Equal(t, 403, res.code)
	assert.Equal(t, "ForbiddenException", errType(t, res.body))

	// A rename changes nothing: the id is the sub.
	_, err := st.UpdateUser(t.Context(), bob.Sub, func(u *onair.User) error { u.Username = "Robert"; return nil })
	require.NoError(t, err)
	res = call(banner.Ban, asAnn, `{"bannedUsername":"robert"}`)
	require.Equal(t, 200, res.code, res.body)
	assert.Equal(t, tokens.reqs[0].UserID, moderator.calls[1].userID)
}

func TestBannedUsers(t *testing.T) {
	gone := onair.User{Sub: "sub-gone", Username: "gone"}
	cases := []struct {
		name string
		bans []onair.Ban
		err  error
		code int
		want string
	}{
		{name: "none", code: 200, want: `{"bannedUsers":[]}`},
		{
			name: "most recent first, deleted users left out, others' bans not listed",
			bans: []onair.Ban{
				{OwnerSub: ann.Sub, BannedSub: bob.Sub, At: t0},
				{OwnerSub: ann.Sub, BannedSub: cat.Sub, At: t0.Add(time.Minute)},
				{OwnerSub: ann.Sub, BannedSub: gone.Sub, At: t0.Add(2 * time.Minute)},
				{OwnerSub: bob.Sub, BannedSub: ann.Sub, At: t0},
			},
			code: 200,
			want: `{"bannedUsers":[
				{"avatar":"tiger","color":"salmon","username":"cat_","channelAssetUrls":{},"bannedAt":"2026-01-10T18:01:00Z"},
				{"avatar":"dog","color":"green","username":"Bob","channelAssetUrls":{},"channelArn":"arn:aws:ivs:us-east-1:1:channel/BOB","bannedAt":"2026-01-10T18:00:00Z"}]}`,
		},
		{name: "store fails", err: errors.New("boom"), code: 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newTestStore(t, ann, bob, cat)
			for _, b := range tc.bans {
				st.ban(b)
			}
			st.FailAll("ListBans", tc.err)
			res := call(newService(st, nil, nil).BannedUsers, asAnn, "")
			require.Equal(t, tc.code, res.code, res.body)
			if tc.want != "" {
				assert.JSONEq(t, tc.want, res.body)
			}
		})
	}
}
