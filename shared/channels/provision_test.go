package channels

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const createPath = "/channel/resources/create"

func TestCreateChannelResourcesProvisions(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	ctx, count := metrics()

	w := doCtx(ctx, e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, `{"email":"alice@example.com"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.JSONEq(t, `{}`, w.Body.String())
	assert.Equal(t, 1, count("ChannelsProvisioned"))

	u := e.store.user(t, alice.Sub)
	require.NotEmpty(t, u.ChannelArn)
	assert.Nil(t, u.Provisioning, "claim released")
	ch := e.video.channels[u.ChannelArn]
	assert.Equal(t, "alices-channel", ch.Name)
	assert.Equal(t, map[string]string{"project": "onair-test", "onair:owner": alice.Sub}, ch.Tags)
	assert.Equal(t, ch.IngestEndpoint, u.IngestEndpoint)
	assert.Equal(t, ch.PlaybackURL, u.PlaybackURL)
	assert.Equal(t, "STANDARD", u.ChannelType)
	keys := e.video.keysOf(u.ChannelArn)
	require.Len(t, keys, 1)
	assert.Equal(t, keys[0].Arn, u.StreamKeyArn)
	assert.Equal(t, keys[0].Value, u.StreamKeyValue)
	room := e.chat.rooms[u.ChatRoomArn]
	assert.Equal(t, "alices-room", room.Name)
	assert.Equal(t, ch.Tags, room.Tags)
	assert.Equal(t, onair.ChatRoomReview{HandlerURI: testReviewHandler, FallbackResult: "DENY", MaxMessageRatePerSecond: 100},
		e.chat.reviews[u.ChatRoomArn], "created with the message review handler")
	assert.Equal(t, e.chat.reviews[u.ChatRoomArn].Marker(), u.ChatReview, "recorded, so the room is not updated again")
	assert.Equal(t, "ch1abcdef", u.TrackingID, "lower-cased channel id")
	assert.Equal(t, "7da3ae67-761a-53ed-afce-c189cfd698ae", u.ChannelAssetID, "uuid v5 (OID namespace) of the sub")
	assert.Equal(t, "bear", u.Avatar, "profile kept")

	// Provisioned already: 200 {} and nothing new.
	w = do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{}`, w.Body.String())
	assert.Equal(t, 1, e.video.created)
	assert.Equal(t, 1, e.chat.count())
}

func TestCreateChannelResourcesCases(t *testing.T) {
	cases := []struct {
		name   string
		config func(*Config)
		setup  func(e *env)
		caller onair.Caller
		status int
		typ    string
		check  func(t *testing.T, e *env)
	}{
		{
			name:   "no caller",
			caller: onair.Caller{},
			status: http.StatusUnauthorized, typ: "UnauthorizedException",
		},
		{
			name:   "fresh claim of another request",
			setup:  func(e *env) { e.claim(alice, e.now.Add(-30*time.Second)) },
			caller: alice,
			status: http.StatusConflict, typ: "ConflictException",
			check: func(t *testing.T, e *env) {
				assert.Equal(t, 0, e.video.created)
				assert.Equal(t, "other", e.store.user(t, alice.Sub).Provisioning.Token, "claim left alone")
			},
		},
		{
			name:   "stale claim is taken over",
			setup:  func(e *env) { e.claim(alice, e.now.Add(-ClaimTTL-time.Second)) },
			caller: alice,
			status: http.StatusCreated,
		},
		{
			name:   "abandoned claim is taken over at once",
			setup:  func(e *env) { e.claim(alice, time.Time{}) },
			caller: alice,
			status: http.StatusCreated,
		},
		{
			name: "missing profile is recreated from Cognito",
			setup: func(e *env) {
				e.accounts.add("alice", map[string]string{"sub": alice.Sub, "email": "Alice@Example.com", "preferred_username": "AliceLive"})
			},
			caller: alice,
			status: http.StatusCreated,
			check: func(t *testing.T, e *env) {
				u := e.store.user(t, alice.Sub)
				assert.Equal(t, "AliceLive", u.Username)
				assert.Equal(t, "Alice@Example.com", u.Email)
				assert.NotEmpty(t, u.Avatar)
				assert.NotEmpty(t, u.Color)
				assert.Equal(t, testNow, u.CreatedAt)
				assert.Equal(t, "AliceLives-channel", e.video.channels[u.ChannelArn].Name)
			},
		},
		{
			name:   "missing profile, Cognito username used without preferred_username",
			setup:  func(e *env) { e.accounts.add("alice", map[string]string{"sub": alice.Sub, "email": "a@example.com"}) },
			caller: alice,
			status: http.StatusCreated,
			check: func(t *testing.T, e *env) {
				assert.Equal(t, "alice", e.store.user(t, alice.Sub).Username)
			},
		},
		{
			name:   "missing profile and Cognito user: a deleted account",
			caller: alice,
			status: http.StatusUnauthorized, typ: "AccountDeletedException",
		},
		{
			name:   "Cognito user of another sub",
			setup:  func(e *env) { e.accounts.add("alice", map[string]string{"sub": bob.Sub, "email": "a@example.com"}) },
			caller: alice,
			status: http.StatusInternalServerError,
			check: func(t *testing.T, e *env) {
				assert.False(t, e.store.has(alice.Sub))
				assert.Equal(t, 0, e.video.created)
			},
		},
		{
			name:   "advanced channel gets the transcode preset",
			config: func(c *Config) { c.ChannelType, c.TranscodePreset = "ADVANCED_HD", "CONSTRAINED_BANDWIDTH_DELIVERY" },
			setup:  func(e *env) { e.signUp(alice) },
			caller: alice,
			status: http.StatusCreated,
			check: func(t *testing.T, e *env) {
				assert.Contains(t, e.j.list(), "ivs.CreateChannel alices-channel preset=CONSTRAINED_BANDWIDTH_DELIVERY")
				assert.Equal(t, "ADVANCED_HD", e.store.user(t, alice.Sub).ChannelType)
			},
		},
		{
			name:   "preset ignored for other types",
			config: func(c *Config) { c.ChannelType, c.TranscodePreset = "BASIC", "CONSTRAINED_BANDWIDTH_DELIVERY" },
			setup:  func(e *env) { e.signUp(alice) },
			caller: alice,
			status: http.StatusCreated,
			check: func(t *testing.T, e *env) {
				assert.Contains(t, e.j.list(), "ivs.CreateChannel alices-channel preset=")
			},
		},
		{
			name:   "tracking id carries the region code",
			config: func(c *Config) { c.ProductLinkRegionCode = "20" },
			setup:  func(e *env) { e.signUp(alice) },
			caller: alice,
			status: http.StatusCreated,
			check: func(t *testing.T, e *env) {
				assert.Equal(t, "ch1abcdef-20", e.store.user(t, alice.Sub).TrackingID)
			},
		},
		{
			name:   "throttled IVS keeps its class",
			setup:  func(e *env) { e.signUp(alice); e.video.inject("CreateChannel", errThrottled) },
			caller: alice,
			status: http.StatusTooManyRequests, typ: "TooManyRequestsException",
			check: func(t *testing.T, e *env) {
				assert.Nil(t, e.store.user(t, alice.Sub).Provisioning, "claim released: nothing was made")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.config != nil {
				tc.config(&e.svc.Config)
			}
			if tc.setup != nil {
				tc.setup(e)
			}
			w := do(e.svc.CreateChannelResources(), tc.caller, http.MethodPost, createPath, "")
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.typ != "" {
				assert.Equal(t, tc.typ, errorType(t, w))
			}
			if tc.status == http.StatusCreated {
				u := e.store.user(t, tc.caller.Sub)
				assert.NotEmpty(t, u.ChannelArn)
				assert.Nil(t, u.Provisioning)
				assert.Equal(t, 1, e.video.count())
				assert.Equal(t, 1, e.chat.count())
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// claim puts a provisioning claim of another request on c's profile.
func (e *env) claim(c onair.Caller, at time.Time) {
	e.signUp(c)
	u, _ := e.store.GetUser(context.Background(), c.Sub)
	u.Provisioning = &onair.Claim{Token: "other", StartedAt: at}
	e.store.put(u)
}

func TestProvisionConcurrentCallsMakeOneChannel(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	const n = 16
	// The winner waits inside CreateChannel until every other request has
	// been answered, so they all meet its fresh claim.
	e.video.createGate = make(chan struct{})
	codes := make(chan int, n)
	refused := make(chan struct{}, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
			codes <- w.Code
			if w.Code == http.StatusConflict {
				refused <- struct{}{}
			}
		}()
	}
	timeout := time.After(5 * time.Second)
wait:
	for range n - 1 {
		select {
		case <-refused:
		case <-timeout:
			t.Error("the other requests were not refused while the claim was held")
			break wait
		}
	}
	close(e.video.createGate)
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, got)
	assert.Equal(t, 1, e.video.created)
	assert.Equal(t, 1, e.chat.count())
	u := e.store.user(t, alice.Sub)
	assert.NotEmpty(t, u.ChannelArn)
	assert.Nil(t, u.Provisioning)
}

func TestProvisionConcurrentUngated(t *testing.T) {
	for round := range 20 {
		e := newEnv(t)
		e.signUp(alice)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
				assert.Contains(t, []int{http.StatusCreated, http.StatusOK, http.StatusConflict}, w.Code)
			}()
		}
		wg.Wait()
		require.Equal(t, 1, e.video.created, "round %d", round)
		require.Equal(t, 1, e.chat.count(), "round %d", round)
		w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
		require.Equal(t, http.StatusOK, w.Code)
	}
}

func TestProvisionFailureHalfWayThenRetry(t *testing.T) {
	cases := []struct {
		name string
		// fail injects the failure of the first attempt.
		fail         func(e *env)
		typ          string
		status       int
		orphans      int  // IVS resources left after the failed attempt
		claimLeft    bool // abandoned claim kept on the profile
		createdTotal int  // channels created over both attempts
	}{
		{
			name:   "room creation fails: the new channel is deleted",
			fail:   func(e *env) { e.chat.inject("CreateRoom", errBoom) },
			status: http.StatusInternalServerError, typ: "CreateChannelResourcesException",
			orphans: 0, createdTotal: 2,
		},
		{
			name:   "room creation and cleanup fail: the channel is adopted on retry",
			fail:   func(e *env) { e.chat.inject("CreateRoom", errBoom); e.video.inject("DeleteChannel", errBoom) },
			status: http.StatusInternalServerError, typ: "CreateChannelResourcesException",
			orphans: 1, claimLeft: true, createdTotal: 1,
		},
		{
			name:   "storing fails: channel and room are deleted",
			fail:   func(e *env) { e.store.Fail("UpdateUser", nil, errBoom) },
			status: http.StatusInternalServerError, typ: "CreateChannelResourcesException",
			orphans: 0, createdTotal: 2,
		},
		{
			name: "storing and cleanup fail: both are adopted on retry",
			fail: func(e *env) {
				e.store.Fail("UpdateUser", nil, errBoom)
				e.video.inject("DeleteChannel", errBoom)
				e.chat.inject("DeleteRoom", errBoom)
			},
			status: http.StatusInternalServerError, typ: "CreateChannelResourcesException",
			orphans: 2, claimLeft: true, createdTotal: 1,
		},
		{
			name:   "room lookup throttled",
			fail:   func(e *env) { e.chat.inject("FindRooms", errThrottled) },
			status: http.StatusTooManyRequests, typ: "TooManyRequestsException",
			orphans: 0, createdTotal: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.signUp(alice)
			tc.fail(e)
			w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
			require.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Equal(t, tc.typ, errorType(t, w))
			assert.Equal(t, tc.orphans, e.video.count()+e.chat.count(), "left behind")
			u := e.store.user(t, alice.Sub)
			assert.Empty(t, u.ChannelArn)
			if tc.claimLeft {
				require.NotNil(t, u.Provisioning)
				assert.True(t, u.Provisioning.StartedAt.IsZero(), "marked abandoned")
			} else {
				assert.Nil(t, u.Provisioning)
			}

			w = do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
			require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
			u = e.store.user(t, alice.Sub)
			assert.Equal(t, 1, e.video.count(), "exactly one channel")
			assert.Equal(t, 1, e.chat.count(), "exactly one room")
			assert.Contains(t, e.video.channels, u.ChannelArn)
			assert.Contains(t, e.chat.rooms, u.ChatRoomArn)
			assert.Len(t, e.video.keysOf(u.ChannelArn), 1)
			assert.Equal(t, e.video.keysOf(u.ChannelArn)[0].Value, u.StreamKeyValue)
			assert.Equal(t, tc.createdTotal, e.video.created)
			assert.Nil(t, u.Provisioning)
		})
	}
}

func TestProvisionAdoptsOrphans(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	e.claim(alice, e.now.Add(-10*time.Minute)) // a crashed attempt
	tags := map[string]string{"project": "onair-test", "onair:owner": alice.Sub}
	ctx := context.Background()
	orphan, _, err := e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: tags})
	require.NoError(t, err)
	// A second orphan (two crashed attempts) and look-alikes that are not hers.
	extra, _, err := e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: tags})
	require.NoError(t, err)
	notHers, _, err := e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: map[string]string{"project": "onair-test", "onair:owner": bob.Sub}})
	require.NoError(t, err)
	otherStack, _, err := e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: map[string]string{"project": "other", "onair:owner": alice.Sub}})
	require.NoError(t, err)
	// The orphan's key was deleted by a half-done step: a new one is needed.
	for _, k := range e.video.keysOf(orphan.Arn) {
		require.NoError(t, e.video.DeleteStreamKey(ctx, k.Arn))
	}
	room, err := e.chat.CreateRoom(ctx, onair.ChatRoomSpec{Name: "alices-room", Tags: tags})
	require.NoError(t, err)
	createdBefore := e.video.created

	w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	u := e.store.user(t, alice.Sub)
	assert.Equal(t, orphan.Arn, u.ChannelArn, "adopted")
	assert.Equal(t, room.Arn, u.ChatRoomArn, "adopted")
	assert.Equal(t, e.svc.Config.Review, e.chat.reviews[room.Arn], "the adopted room gets the review handler")
	assert.Equal(t, e.svc.Config.Review.Marker(), u.ChatReview)
	assert.Equal(t, createdBefore, e.video.created, "no channel created")
	assert.NotContains(t, e.video.channels, extra.Arn, "extra orphan deleted")
	assert.Contains(t, e.video.channels, notHers.Arn, "other owner's channel untouched")
	assert.Contains(t, e.video.channels, otherStack.Arn, "other stack's channel untouched")
	keys := e.video.keysOf(orphan.Arn)
	require.Len(t, keys, 1)
	assert.Equal(t, keys[0].Value, u.StreamKeyValue)
	assert.Equal(t, 1, e.chat.count())
}

func TestProvisionAdoptsExistingKey(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	ctx := context.Background()
	orphan, key, err := e.video.CreateChannel(ctx, onair.IVSChannelSpec{Name: "alices-channel", Tags: e.svc.ownerTags(alice.Sub)})
	require.NoError(t, err)
	w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
	require.Equal(t, http.StatusCreated, w.Code)
	u := e.store.user(t, alice.Sub)
	assert.Equal(t, orphan.Arn, u.ChannelArn)
	assert.Equal(t, key.Arn, u.StreamKeyArn)
	assert.Equal(t, key.Value, u.StreamKeyValue)
}

func TestProvisionCommitWhoseReplyWasLost(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	// The second UpdateUser (the commit) is written, but its reply is lost,
	// as a write whose reply timed out.
	e.store.Before(func(ctx context.Context, op string, args []any) error {
		if op != "UpdateUser" || e.store.Calls("UpdateUser") != 2 {
			return nil
		}
		if _, err := e.store.Store.UpdateUser(ctx, args[0].(string), args[1].(func(*onair.User) error)); err != nil {
			return err
		}
		return context.DeadlineExceeded
	})
	w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	u := e.store.user(t, alice.Sub)
	assert.Contains(t, e.video.channels, u.ChannelArn, "stored channel not deleted")
	assert.Contains(t, e.chat.rooms, u.ChatRoomArn)
}

func TestProvisionAccountDeletedMeanwhile(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	// The profile disappears between the claim and the commit.
	e.video.createGate = make(chan struct{})
	done := make(chan int)
	go func() {
		done <- do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "").Code
	}()
	require.Eventually(t, func() bool {
		u, err := e.store.GetUser(context.Background(), alice.Sub)
		return err == nil && u.Provisioning != nil
	}, time.Second, time.Millisecond)
	require.NoError(t, e.store.DeleteUser(context.Background(), alice.Sub))
	close(e.video.createGate)
	assert.Equal(t, http.StatusNotFound, <-done)
	assert.Equal(t, 0, e.video.count(), "created channel deleted")
	assert.Equal(t, 0, e.chat.count(), "created room deleted")
}

func TestNames(t *testing.T) {
	assert.Equal(t, "alices-channel", ChannelName("alice"))
	assert.Equal(t, "al_ice-9s-room", RoomName("al_ice-9"))
	assert.Equal(t, "alices-channel", ChannelName("a.li ce"))
	assert.Equal(t, "abcdef", TrackingID("arn:aws:ivs:us-east-1:1:channel/AbCdEf", ""))
	assert.Equal(t, "abcdef-20", TrackingID("arn:aws:ivs:us-east-1:1:channel/AbCdEf", "20"))
}

func TestChannelAssetID(t *testing.T) {
	// Values from Python's uuid.uuid5(uuid.NAMESPACE_OID, name).
	assert.Equal(t, "7697a46f-b283-5da3-8e7c-62c11c03dd9e", ChannelAssetID("abc"))
	assert.Equal(t, "7da3ae67-761a-53ed-afce-c189cfd698ae", ChannelAssetID(alice.Sub))
}

func TestFailedAttemptKeepsClaimWhenOrphansMayRemain(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *env)
	}{
		{
			name: "an adopted channel stays for the retry",
			setup: func(e *env) {
				e.signUp(alice)
				_, _, err := e.video.CreateChannel(context.Background(), onair.IVSChannelSpec{Name: "alices-channel", Tags: e.svc.ownerTags(alice.Sub)})
				require.NoError(t, err)
				e.chat.inject("CreateRoom", errBoom)
			},
		},
		{
			name: "a claim taken over may hide resources not yet seen",
			setup: func(e *env) {
				e.claim(alice, e.now.Add(-time.Hour))
				e.video.inject("FindChannels", errThrottled)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(e)
			w := do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
			require.NotEqual(t, http.StatusCreated, w.Code)
			u := e.store.user(t, alice.Sub)
			require.NotNil(t, u.Provisioning, "claim kept so renames wait")
			assert.True(t, u.Provisioning.StartedAt.IsZero(), "abandoned: free to take over")
			// A rename must wait for the retry...
			w = do(e.svc.UpdateUsername(), alice, http.MethodPut, "/channel/username/update", `{"newUsername":"alice2"}`)
			assert.Equal(t, http.StatusConflict, w.Code)
			// ...which succeeds at once.
			w = do(e.svc.CreateChannelResources(), alice, http.MethodPost, createPath, "")
			require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
			assert.Equal(t, 1, e.video.count())
		})
	}
}

func TestProvisionStopsBeforeTheFunctionTimeout(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	e.video.createGate = make(chan struct{}) // IVS never answers
	ctx, cancel := context.WithTimeout(context.Background(), CleanupReserve+300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.svc.Provision(ctx, alice)
	require.Error(t, err)
	assert.Less(t, time.Since(start), CleanupReserve, "gave up early enough to clean up")
	assert.Nil(t, e.store.user(t, alice.Sub).Provisioning, "claim released")
}
