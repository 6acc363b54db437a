package dynamo_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// losesPutAnswers sends every request on, but answers the first attempt of
// each PutItem and UpdateItem with a 500 instead of what DynamoDB said, as
// when a response is lost after the write was applied. The SDK then retries
// the same request; in CI a CreateUser once conflicted with itself that way.
type losesPutAnswers struct {
	mu      sync.Mutex
	next    aws.HTTPClient
	lost    int
	retried bool // the previous request was a lost PutItem: let its retry through
}

func (c *losesPutAnswers) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(req)
	target := req.Header.Get("X-Amz-Target")
	if err != nil || !(strings.HasSuffix(target, ".PutItem") || strings.HasSuffix(target, ".UpdateItem")) {
		return resp, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.retried {
		c.retried = false
		return resp, nil
	}
	c.retried = true
	c.lost++
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return &http.Response{
		StatusCode: http.StatusInternalServerError,
		Status:     "500 Internal Server Error",
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:       io.NopCloser(bytes.NewBufferString(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"lost"}`)),
		Request:    req,
	}, nil
}

// TestRetriedWriteAfterLostAnswer: a write whose answer was lost is retried
// by the SDK and must count once: a create succeeds rather than conflicting
// with itself, an update applies its change once, and an increment counts
// once.
func TestRetriedWriteAfterLostAnswer(t *testing.T) {
	cfg := dynamotest.Config(t)
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		write func(t *testing.T, s store.Store)
	}{
		{"CreateUser", func(t *testing.T, s store.Store) {
			require.NoError(t, s.CreateUser(t.Context(), onair.User{Sub: "u1", Username: "alice"}))
			assert.ErrorIs(t, s.CreateUser(t.Context(), onair.User{Sub: "u1", Username: "alice"}), onair.ErrConflict,
				"another create of the same user still conflicts")
			got, err := s.GetUser(t.Context(), "u1")
			require.NoError(t, err)
			assert.Equal(t, onair.User{Sub: "u1", Username: "alice", Version: 1}, got)
		}},
		{"PutFollow", func(t *testing.T, s store.Store) {
			created, err := s.PutFollow(t.Context(), onair.Follow{FollowerSub: "u1", FollowedSub: "u2", At: at})
			require.NoError(t, err)
			assert.True(t, created)
			created, err = s.PutFollow(t.Context(), onair.Follow{FollowerSub: "u1", FollowedSub: "u2", At: at})
			require.NoError(t, err)
			assert.False(t, created, "a second follow finds the first")
		}},
		{"PutStage", func(t *testing.T, s store.Store) {
			require.NoError(t, s.PutStage(t.Context(), onair.Stage{ID: "st1", Name: "s", OwnerSub: "u1", CreatedAt: at}))
			got, err := s.GetStage(t.Context(), "st1")
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version)
		}},
		{"UpdateUserAppliesOnce", func(t *testing.T, s store.Store) {
			require.NoError(t, s.CreateUser(t.Context(), onair.User{Sub: "u1", Username: "alice"}))
			calls := 0
			got, err := s.UpdateUser(t.Context(), "u1", func(u *onair.User) error {
				calls++
				u.Username += "!"
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, 1, calls, "the change is applied once")
			assert.Equal(t, "alice!", got.Username)
			stored, err := s.GetUser(t.Context(), "u1")
			require.NoError(t, err)
			assert.Equal(t, onair.User{Sub: "u1", Username: "alice!", Version: 2}, stored)
		}},
		{"IncrementCounterCountsOnce", func(t *testing.T, s store.Store) {
			for want := int64(1); want <= 3; want++ {
				n, err := s.IncrementCounter(t.Context(), "rate/u1", at.Add(time.Hour))
				require.NoError(t, err)
				assert.Equal(t, want, n, "each increment counts once")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lossy := &losesPutAnswers{next: &http.Client{Timeout: 30 * time.Second}}
			c := cfg
			c.HTTPClient = lossy
			tc.write(t, dynamotest.Open(t, c))
			lossy.mu.Lock()
			defer lossy.mu.Unlock()
			assert.Positive(t, lossy.lost, "the test lost an answer")
		})
	}
}
