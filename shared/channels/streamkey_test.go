package channels

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

const resetPath = "/channel/streamKey/reset"

// resetRoutes serves the reset on both methods, as the function does.
func resetRoutes(s *service) http.Handler {
	h := s.ResetStreamKey()
	return httpapi.Routes(map[string]http.Handler{"GET " + resetPath: h, "POST " + resetPath: h})
}

func TestResetStreamKey(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t)
			e.signUp(alice)
			before := e.provision(t, alice)
			e.video.live[before.ChannelArn] = true
			ctx, count := metrics()
			mark := len(e.j.list())

			w := doCtx(ctx, resetRoutes(e.svc), alice, method, resetPath, "")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var body map[string]string
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
			after := e.store.user(t, alice.Sub)
			assert.Equal(t, map[string]string{"streamKeyValue": after.StreamKeyValue}, body)
			assert.NotEqual(t, before.StreamKeyValue, after.StreamKeyValue)
			assert.NotEqual(t, before.StreamKeyArn, after.StreamKeyArn)
			keys := e.video.keysOf(before.ChannelArn)
			require.Len(t, keys, 1, "old key deleted")
			assert.Equal(t, after.StreamKeyArn, keys[0].Arn)
			assert.False(t, e.video.live[before.ChannelArn], "stream stopped")
			assert.Equal(t, 1, count("StreamKeysReset"))
			assert.Equal(t, []string{
				"ivs.StopStream " + before.ChannelArn,
				"ivs.DeleteStreamKey " + before.StreamKeyArn,
				"ivs.CreateStreamKey " + before.ChannelArn,
			}, e.j.list()[mark:], "stop, delete, create")
		})
	}
}

func TestResetStreamKeyTwice(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	u := e.provision(t, alice)
	seen := map[string]bool{u.StreamKeyValue: true}
	for range 2 {
		w := do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		v := e.store.user(t, alice.Sub).StreamKeyValue
		assert.False(t, seen[v], "a new key each time")
		seen[v] = true
		assert.Len(t, e.video.keysOf(u.ChannelArn), 1)
	}
}

func TestResetStreamKeyFinishesHalfDoneReset(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, e *env, channelArn, keyArn string)
	}{
		{
			name: "stored key already deleted",
			setup: func(t *testing.T, e *env, channelArn, keyArn string) {
				require.NoError(t, e.video.DeleteStreamKey(context.Background(), keyArn))
			},
		},
		{
			name: "a new key was created but never stored",
			setup: func(t *testing.T, e *env, channelArn, keyArn string) {
				ctx := context.Background()
				require.NoError(t, e.video.DeleteStreamKey(ctx, keyArn))
				_, err := e.video.CreateStreamKey(ctx, channelArn)
				require.NoError(t, err)
			},
		},
		{
			name: "the create raced another create",
			setup: func(t *testing.T, e *env, channelArn, keyArn string) {
				e.video.inject("CreateStreamKey", errKeyQuota)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.signUp(alice)
			u := e.provision(t, alice)
			tc.setup(t, e, u.ChannelArn, u.StreamKeyArn)
			w := do(resetRoutes(e.svc), alice, http.MethodGet, resetPath, "")
			// "raced" fails once and is retried by the client; the others
			// succeed at once.
			if w.Code != http.StatusOK {
				assert.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
				w = do(resetRoutes(e.svc), alice, http.MethodGet, resetPath, "")
			}
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			after := e.store.user(t, alice.Sub)
			keys := e.video.keysOf(u.ChannelArn)
			require.Len(t, keys, 1)
			assert.Equal(t, keys[0].Arn, after.StreamKeyArn, "stored key is the live key")
			assert.Equal(t, keys[0].Value, after.StreamKeyValue)
			assert.NotEqual(t, u.StreamKeyValue, after.StreamKeyValue)
		})
	}
}

func TestResetStreamKeyConcurrent(t *testing.T) {
	for trial := range 10 {
		e := newEnv(t)
		e.signUp(alice)
		u := e.provision(t, alice)
		var wg sync.WaitGroup
		codes := make(chan int, 5)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "")
				codes <- w.Code
			}()
		}
		wg.Wait()
		close(codes)
		ok := 0
		for c := range codes {
			assert.Contains(t, []int{http.StatusOK, http.StatusConflict}, c, "trial %d: only the documented answers", trial)
			if c == http.StatusOK {
				ok++
			}
		}
		assert.GreaterOrEqual(t, ok, 1, "trial %d: one reset went through", trial)
		keys := e.video.keysOf(u.ChannelArn)
		require.Len(t, keys, 1, "trial %d", trial)
		stored := e.store.user(t, alice.Sub)
		assert.Equal(t, keys[0].Arn, stored.StreamKeyArn, "trial %d: the stored key is the single key IVS holds", trial)
		assert.Equal(t, keys[0].Value, stored.StreamKeyValue)
		assert.Nil(t, stored.KeyReset, "the claim is released")
	}
}

// TestResetStreamKeyCrashMidResetIsRepaired: a reset that died after
// deleting the key (its claim left behind) blocks resets with 409 only
// while its claim could still be live; the next call after that finishes
// the job.
func TestResetStreamKeyCrashMidResetIsRepaired(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	u := e.provision(t, alice)
	ctx := context.Background()
	_, err := e.store.UpdateUser(ctx, alice.Sub, func(cur *onair.User) error {
		cur.KeyReset = &onair.Claim{Token: "crashed", StartedAt: e.now}
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, e.video.DeleteStreamKey(ctx, u.StreamKeyArn)) // died right after this

	w := do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "")
	assert.Equal(t, http.StatusConflict, w.Code, "the crashed reset's claim may still be live")

	e.now = e.now.Add(KeyResetClaimTTL)
	w = do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	keys := e.video.keysOf(u.ChannelArn)
	require.Len(t, keys, 1)
	stored := e.store.user(t, alice.Sub)
	assert.Equal(t, keys[0].Arn, stored.StreamKeyArn)
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, keys[0].Value, body["streamKeyValue"])
	assert.Nil(t, stored.KeyReset)
}

func TestResetStreamKeyErrors(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(t *testing.T, e *env)
		status int
		typ    string
	}{
		{
			name:   "not provisioned",
			setup:  func(t *testing.T, e *env) { e.signUp(alice) },
			status: http.StatusNotFound, typ: "ChannelNotProvisionedException",
		},
		{
			name:   "no profile",
			status: http.StatusNotFound, typ: "UserNotFoundException",
		},
		{
			name: "stop throttled",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				e.provision(t, alice)
				e.video.inject("StopStream", errThrottled)
			},
			status: http.StatusTooManyRequests, typ: "TooManyRequestsException",
		},
		{
			name: "unexpected IVS failure",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				e.provision(t, alice)
				e.video.inject("DeleteStreamKey", errBoom)
			},
			status: http.StatusInternalServerError, typ: "ResetStreamKeyException",
		},
		{
			name: "channel deleted in IVS",
			setup: func(t *testing.T, e *env) {
				e.signUp(alice)
				u := e.provision(t, alice)
				require.NoError(t, e.video.DeleteChannel(context.Background(), u.ChannelArn))
			},
			status: http.StatusNotFound, typ: "ResourceNotFoundException",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			w := do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "")
			require.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Equal(t, tc.typ, errorType(t, w))
		})
	}
	t.Run("no caller", func(t *testing.T) {
		e := newEnv(t)
		w := do(resetRoutes(e.svc), onair.Caller{}, http.MethodPost, resetPath, "")
		assert.Equal(t, http.StatusUnauthorized, w.Code)
	})
}

// TestResetStreamKeyInterleavedResetsAgree: a second reset arriving while
// the first is between its CreateStreamKey and its store (a double click,
// two tabs) is refused with 409 instead of deleting the key the first is
// about to hand out.
func TestResetStreamKeyInterleavedResetsAgree(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	u := e.provision(t, alice)
	var b int
	e.video.afterKey = func() {
		e.video.afterKey = nil
		b = do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "").Code
	}
	w := do(resetRoutes(e.svc), alice, http.MethodPost, resetPath, "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, http.StatusConflict, b)
	keys := e.video.keysOf(u.ChannelArn)
	require.Len(t, keys, 1)
	stored := e.store.user(t, alice.Sub)
	assert.Equal(t, keys[0].Arn, stored.StreamKeyArn, "stored key is live")
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, keys[0].Value, body["streamKeyValue"], "A answers the live key")
}
