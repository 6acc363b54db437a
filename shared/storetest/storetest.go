// Package storetest is the contract suite of shared/store: one set of tests
// that every adapter (shared/dynamo, shared/bolt) must pass, so the offline
// stack behaves like the cloud one. Adapters run it from their own tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// testCase is one behaviour of the contract, run against a fresh store.
type testCase struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run runs every contract test. open must return a new, empty store each
// time it is called (it is called once per test, from parallel tests) and
// release it with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	var cases []testCase
	cases = append(cases, userCases()...)
	cases = append(cases, edgeCases()...)
	cases = append(cases, sessionCases()...)
	cases = append(cases, stageCases()...)
	cases = append(cases, documentCases()...)
	cases = append(cases, counterCases()...)
	cases = append(cases, concurrencyCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// t0 is the suite's reference time: UTC with nanoseconds, so that a store
// that loses precision or sorts times as variable-width strings fails.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

// errBoom is an update function's own error, which must come back as is.
var errBoom = errors.New("boom")

func requireCode(t *testing.T, err error, code onair.Code) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, code, onair.ErrorCode(err), "error: %v", err)
}

// fullUser is a user with every field set.
func fullUser(sub, username string) onair.User {
	return onair.User{
		Sub:            sub,
		Username:       username,
		Email:          username + "@Example.com",
		Avatar:         "bird",
		Color:          "blue",
		Banner:         "custom",
		CreatedAt:      at(-time.Hour),
		ChannelArn:     "arn:aws:ivs:us-east-1:111122223333:channel/" + sub,
		ChatRoomArn:    "arn:aws:ivschat:us-east-1:111122223333:room/" + sub,
		IngestEndpoint: "abc.global-contribute.live-video.net",
		PlaybackURL:    "https://abc.us-east-1.playback.live-video.net/api/video/v1/" + sub + ".m3u8",
		StreamKeyArn:   "arn:aws:ivs:us-east-1:111122223333:stream-key/" + sub,
		StreamKeyValue: "sk_us-east-1_secret",
		TrackingID:     sub + "-01",
		ChannelAssetID: "asset-" + sub,
		ChannelType:    "STANDARD",
		Provisioning:   &onair.Claim{Token: "tok", StartedAt: at(-time.Minute)},
		ChannelAssets: map[string]onair.Asset{
			"avatar": {URL: "https://cdn.example/avatar?versionId=1", Sequencer: "0055AED6DCD90281E5", LastModified: at(-2 * time.Minute)},
		},
		StageID:      "stage-" + sub,
		ChatReview:   "arn:aws:lambda:us-east-1:111122223333:function:review DENY",
		BlockedWords: []string{"darn", "heck no"},
	}
}

// ctx is the test's context.
func ctx(t *testing.T) context.Context { return t.Context() }

// mustCreate creates users with the given subs and usernames ("sub:name").
func mustCreate(t *testing.T, s store.Store, users ...onair.User) {
	t.Helper()
	for _, u := range users {
		require.NoError(t, s.CreateUser(ctx(t), u), "create %s", u.Sub)
	}
}

func subsOf(users []onair.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Sub
	}
	return out
}

func name(prefix string, i int) string { return fmt.Sprintf("%s%03d", prefix, i) }

func contextCanceled(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
