package channels

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// fullAccount gives alice a provisioned channel, a stage, images, sessions,
// documents and follows; bob gets the same so that tests see his survive.
func fullAccount(t *testing.T, e *env, c onair.Caller) onair.User {
	e.signUp(c)
	u := e.provision(t, c)
	stageID := "stage" + c.Username
	u.StageID = stageID
	e.store.put(u)
	ctx := t.Context()
	stageArn := "arn:aws:ivs:us-east-1:111122223333:stage/" + stageID
	require.NoError(t, e.store.Store.PutStage(ctx, onair.Stage{ID: stageID, Arn: stageArn, OwnerSub: c.Sub, CreatedAt: testNow}))
	e.rt.stages[stageArn] = true
	e.assets.objects[u.ChannelAssetID+"/avatar"] = 3
	e.assets.objects[u.ChannelAssetID+"/banner"] = 1
	for i := range 4 {
		_, err := e.store.Store.UpdateSession(ctx, u.ChannelArn, fmt.Sprintf("st-%d", i), func(s *onair.StreamSession) error {
			s.StartTime = testNow.Add(time.Duration(-i) * time.Hour)
			return nil
		})
		require.NoError(t, err)
	}
	for _, name := range documentNames {
		require.NoError(t, e.store.Store.PutDocument(ctx, c.Sub, name, []byte(`{}`)))
	}
	for _, edge := range []func() (bool, error){
		func() (bool, error) {
			return e.store.Store.PutFollow(ctx, onair.Follow{FollowerSub: c.Sub, FollowedSub: "star-1", At: testNow})
		},
		func() (bool, error) {
			return e.store.Store.PutFollow(ctx, onair.Follow{FollowerSub: c.Sub, FollowedSub: "star-2", At: testNow})
		},
		func() (bool, error) {
			return e.store.Store.PutFollow(ctx, onair.Follow{FollowerSub: "fan-of-" + c.Sub, FollowedSub: c.Sub, At: testNow})
		},
		func() (bool, error) {
			return e.store.Store.PutBan(ctx, onair.Ban{OwnerSub: c.Sub, BannedSub: "troll", At: testNow})
		},
		func() (bool, error) {
			return e.store.Store.PutBan(ctx, onair.Ban{OwnerSub: "critic-of-" + c.Sub, BannedSub: c.Sub, At: testNow})
		},
	} {
		_, err := edge()
		require.NoError(t, err)
	}
	require.Equal(t, 5, e.store.edges(c.Sub))
	return e.store.user(t, c.Sub)
}

func assertGone(t *testing.T, e *env, u onair.User, c onair.Caller) {
	t.Helper()
	assert.False(t, e.store.has(c.Sub), "profile")
	assert.NotContains(t, e.video.channels, u.ChannelArn, "IVS channel")
	assert.NotContains(t, e.chat.rooms, u.ChatRoomArn, "chat room")
	assert.False(t, e.store.hasStage(u.StageID), "stage record")
	assert.Empty(t, e.rt.stages["arn:aws:ivs:us-east-1:111122223333:stage/"+u.StageID], "IVS stage")
	assert.NotContains(t, e.assets.objects, u.ChannelAssetID+"/avatar", "images")
	assert.Zero(t, e.store.sessions(u.ChannelArn), "sessions")
	assert.Zero(t, e.store.documents(c.Sub), "documents")
	assert.Zero(t, e.store.edges(c.Sub), "follows and bans")
	assert.NotContains(t, e.accounts.users, c.Username, "Cognito user")
}

func TestDeleteChannelCascade(t *testing.T) {
	e := newEnv(t)
	u := fullAccount(t, e, alice)
	b := fullAccount(t, e, bob)
	e.video.live[u.ChannelArn] = true
	e.video.liveAfterStop = 2 // IVS needs a moment after StopStream
	mark := len(e.j.list())
	ctx, count := metrics()

	w := doCtx(ctx, e.svc.DeleteChannel(), alice, http.MethodDelete, "/channel", "")
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.Empty(t, w.Body.String())
	assert.Equal(t, 1, count("AccountsDeleted"))
	assertGone(t, e, u, alice)
	assert.Equal(t, []string{
		"ivs.StopStream " + u.ChannelArn,
		"ivs.DeleteChannel " + u.ChannelArn, // refused: still live
		"ivs.DeleteChannel " + u.ChannelArn, // refused
		"ivs.DeleteChannel " + u.ChannelArn,
		"chat.DeleteRoom " + u.ChatRoomArn,
		"realtime.DeleteStage arn:aws:ivs:us-east-1:111122223333:stage/stagealice",
		"store.DeleteStage stagealice",
		"s3.DeletePrefix " + u.ChannelAssetID + "/",
		"store.DeleteSessions " + u.ChannelArn,
		"store.DeleteDocuments " + alice.Sub,
		"store.DeleteUserEdges " + alice.Sub,
		"store.DeleteUser " + alice.Sub,
		"cognito.DeleteUser alice",
	}, e.j.list()[mark:])

	// Bob's account is untouched.
	assert.True(t, e.store.has(bob.Sub))
	assert.Contains(t, e.video.channels, b.ChannelArn)
	assert.Contains(t, e.chat.rooms, b.ChatRoomArn)
	assert.Contains(t, e.assets.objects, b.ChannelAssetID+"/avatar")
	assert.Equal(t, 4, e.store.sessions(b.ChannelArn))
	assert.Equal(t, len(documentNames), e.store.documents(bob.Sub))
	assert.Equal(t, 5, e.store.edges(bob.Sub))
	assert.Contains(t, e.accounts.users, "bob")
}

func TestDeleteChannelRetryAfterFailure(t *testing.T) {
	steps := []struct {
		name  string
		fail  func(e *env)
		typ   string
		code  int
		check func(t *testing.T, e *env, u onair.User)
	}{
		{"stop stream throttled", func(e *env) { e.video.inject("StopStream", errThrottled) }, "TooManyRequestsException", http.StatusTooManyRequests, nil},
		{"channel", func(e *env) { e.video.inject("DeleteChannel", errBoom) }, "AccountDeletionException", 500, nil},
		{"room", func(e *env) { e.chat.inject("DeleteRoom", errBoom) }, "AccountDeletionException", 500, nil},
		{"stage", func(e *env) { e.rt.inject("DeleteStage", errBoom) }, "AccountDeletionException", 500, nil},
		{"images", func(e *env) { e.assets.inject("DeletePrefix", errBoom) }, "AccountDeletionException", 500, nil},
		{"sessions", func(e *env) { e.store.Fail("DeleteSessions", errBoom) }, "AccountDeletionException", 500, nil},
		{"documents", func(e *env) { e.store.Fail("DeleteDocuments", errBoom) }, "AccountDeletionException", 500, func(t *testing.T, e *env, u onair.User) {
			assert.True(t, e.store.has(alice.Sub), "profile kept until the resources are gone")
			assert.NotContains(t, e.video.channels, u.ChannelArn, "resources went first")
		}},
		{"edges", func(e *env) { e.store.Fail("DeleteUserEdges", errBoom) }, "AccountDeletionException", 500, nil},
		{"profile", func(e *env) { e.store.Fail("DeleteUser", errBoom) }, "AccountDeletionException", 500, nil},
		{"cognito", func(e *env) { e.accounts.inject("AdminDeleteUser", errBoom) }, "AccountDeletionException", 500, func(t *testing.T, e *env, u onair.User) {
			assert.False(t, e.store.has(alice.Sub), "profile already gone: the retry works without it")
			assert.Contains(t, e.accounts.users, "alice", "sign-in stays until last")
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e := newEnv(t)
			u := fullAccount(t, e, alice)
			st.fail(e)
			w := do(e.svc.DeleteChannel(), alice, http.MethodDelete, "/channel", "")
			require.Equal(t, st.code, w.Code, w.Body.String())
			assert.Equal(t, st.typ, errorType(t, w))
			assert.Contains(t, e.accounts.users, "alice", "the user can still call again")
			if st.check != nil {
				st.check(t, e, u)
			}
			w = do(e.svc.DeleteChannel(), alice, http.MethodDelete, "/channel", "")
			require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
			assertGone(t, e, u, alice)
		})
	}
}

func TestDeleteChannelCases(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(t *testing.T, e *env)
		status int
		check  func(t *testing.T, e *env)
	}{
		{
			name:   "profile without a channel",
			setup:  func(t *testing.T, e *env) { e.signUp(alice) },
			status: http.StatusNoContent,
			check: func(t *testing.T, e *env) {
				assert.False(t, e.store.has(alice.Sub))
				assert.NotContains(t, e.accounts.users, "alice")
			},
		},
		{
			name:   "nothing left at all",
			status: http.StatusNoContent,
		},
		{
			name: "stage record gone: the ARN is rebuilt",
			setup: func(t *testing.T, e *env) {
				u := fullAccount(t, e, alice)
				require.NoError(t, e.store.Store.DeleteStage(t.Context(), u.StageID))
			},
			status: http.StatusNoContent,
			check: func(t *testing.T, e *env) {
				assert.Contains(t, e.j.list(), "realtime.DeleteStage arn:aws:ivs:us-east-1:111122223333:stage/stagealice")
			},
		},
		{
			name: "no assets bucket configured",
			setup: func(t *testing.T, e *env) {
				fullAccount(t, e, alice)
				e.svc.Assets = nil
			},
			status: http.StatusNoContent,
			check: func(t *testing.T, e *env) {
				for _, c := range e.j.list() {
					assert.NotContains(t, c, "s3.")
				}
			},
		},
		{
			name: "IVS resources already deleted by hand",
			setup: func(t *testing.T, e *env) {
				u := fullAccount(t, e, alice)
				delete(e.video.channels, u.ChannelArn)
				delete(e.chat.rooms, u.ChatRoomArn)
			},
			status: http.StatusNoContent,
		},
		{
			name: "leftovers of a failed provisioning are swept",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				ctx := context.Background()
				tags := e.svc.ownerTags(alice.Sub)
				_, _, err := e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: tags})
				require.NoError(t, err)
				_, err = e.chat.CreateRoom(ctx, onair.ChatRoomSpec{Name: "alices-room", Tags: tags})
				require.NoError(t, err)
				_, _, err = e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: e.svc.ownerTags(bob.Sub)})
				require.NoError(t, err)
			},
			status: http.StatusNoContent,
			check: func(t *testing.T, e *env) {
				assert.Equal(t, 1, e.video.count(), "only the other owner's channel is left")
				assert.Equal(t, 0, e.chat.count())
			},
		},
		{
			name: "a live channel that does not stop",
			setup: func(t *testing.T, e *env) {
				u := fullAccount(t, e, alice)
				e.video.live[u.ChannelArn] = true
				e.video.liveAfterStop = 100
			},
			status: http.StatusConflict,
			check: func(t *testing.T, e *env) {
				assert.True(t, e.store.has(alice.Sub), "nothing deleted after the channel")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			w := do(e.svc.DeleteChannel(), alice, http.MethodDelete, "/channel", "")
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
	t.Run("no caller", func(t *testing.T) {
		e := newEnv(t)
		e.signUp(alice)
		w := do(e.svc.DeleteChannel(), onair.Caller{}, http.MethodDelete, "/channel", "")
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.True(t, e.store.has(alice.Sub))
	})
}

func TestDeleteChannelSeesResourcesAddedMeanwhile(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	e.provision(t, alice)
	// While the cascade deletes what the profile named, a concurrent
	// "create stage" request adds a stage to it.
	grown := false
	e.store.Before(func(ctx context.Context, op string, _ []any) error {
		if op != "DeleteSessions" || grown {
			return nil
		}
		grown = true
		if err := e.store.Store.PutStage(ctx, onair.Stage{ID: "late", Arn: "arn:aws:ivs:us-east-1:111122223333:stage/late", OwnerSub: alice.Sub, CreatedAt: testNow}); err != nil {
			return err
		}
		_, err := e.store.Store.UpdateUser(ctx, alice.Sub, func(u *onair.User) error { u.StageID = "late"; return nil })
		return err
	})
	w := do(e.svc.DeleteChannel(), alice, http.MethodDelete, "/channel", "")
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	require.True(t, grown)
	assert.Contains(t, e.j.list(), "realtime.DeleteStage arn:aws:ivs:us-east-1:111122223333:stage/late")
	assert.False(t, e.store.hasStage("late"))
}
