package accounts

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

type fakePool struct {
	users   []onair.PoolUser
	listErr error
	deleted []string
	failFor map[string]error
}

func (p *fakePool) ListUnconfirmedUsers(context.Context) ([]onair.PoolUser, error) {
	return p.users, p.listErr
}

func (p *fakePool) AdminDeleteUser(_ context.Context, username string) error {
	if err := p.failFor[username]; err != nil {
		return err
	}
	p.deleted = append(p.deleted, username)
	return nil
}

func TestCleanup(t *testing.T) {
	now := t0
	users := []onair.PoolUser{
		{Username: "old1", Sub: "sub-old1", Status: "UNCONFIRMED", CreatedAt: now.Add(-25 * time.Hour)},
		{Username: "fresh", Sub: "sub-fresh", Status: "UNCONFIRMED", CreatedAt: now.Add(-23 * time.Hour)},
		{Username: "old2", Sub: "sub-old2", Status: "UNCONFIRMED", CreatedAt: now.Add(-72 * time.Hour)},
		{Username: "edge", Sub: "sub-edge", Status: "UNCONFIRMED", CreatedAt: now.Add(-24 * time.Hour)},
		{Username: "nodate", Sub: "sub-nodate", Status: "UNCONFIRMED"},
	}
	cases := []struct {
		name       string
		failPool   map[string]error
		failStore  map[string]bool
		listErr    error
		wantErr    string
		wantPool   []string
		wantStore  []string
		wantMetric string
	}{
		{
			name:     "deletes users unconfirmed for more than a day, and their records",
			wantPool: []string{"old1", "old2"}, wantStore: []string{"sub-old1", "sub-old2"},
			wantMetric: `"UnconfirmedUsersDeleted":2`,
		},
		{
			name:     "a user already gone from the pool counts as deleted",
			failPool: map[string]error{"old1": onair.ErrNotFound},
			wantPool: []string{"old2"}, wantStore: []string{"sub-old1", "sub-old2"},
			wantMetric: `"UnconfirmedUsersDeleted":2`,
		},
		{
			name:     "a pool failure does not stop the others; the run fails",
			failPool: map[string]error{"old1": onair.Errorf(onair.Throttled, "", "slow")},
			wantPool: []string{"old2"}, wantStore: []string{"sub-old1", "sub-old2"},
			wantErr: "1 of 2 users could not be deleted",
		},
		{
			name:      "a record that cannot be deleted keeps the user for the next run",
			failStore: map[string]bool{"sub-old2": true},
			wantPool:  []string{"old1"}, wantStore: []string{"sub-old1"},
			wantErr: "1 of 2",
		},
		{name: "listing fails", listErr: errors.New("cognito down"), wantErr: "list unconfirmed users"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.WithFaults(bolttest.New(t, onair.User{Sub: "sub-old1", Username: "old1"}, onair.User{Sub: "sub-fresh", Username: "fresh"}))
			var deleted []string
			st.Before(func(_ context.Context, op string, args []any) error {
				if op != "DeleteUser" {
					return nil
				}
				sub := args[0].(string)
				if tc.failStore[sub] {
					return onair.Errorf(onair.Unavailable, "", "down")
				}
				deleted = append(deleted, sub)
				return nil
			})
			pool := &fakePool{users: users, listErr: tc.listErr, failFor: tc.failPool}
			var metrics bytes.Buffer
			ctx := telemetry.WithMetrics(t.Context(), telemetry.NewMetrics(&metrics, "CleanupUnconfirmedUsers", nil))
			c := &Cleanup{Pool: pool, Store: st, Now: func() time.Time { return now }}

			err := c.Run(ctx, events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"})
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantPool, pool.deleted)
			assert.Equal(t, tc.wantStore, deleted)
			_, err = st.GetUser(t.Context(), "sub-fresh")
			assert.NoError(t, err, "recent sign-ups are kept")
			for _, sub := range deleted {
				_, err = st.GetUser(t.Context(), sub)
				assert.ErrorIs(t, err, onair.ErrNotFound, "%s is deleted", sub)
			}
			if tc.wantMetric != "" {
				assert.Contains(t, metrics.String(), tc.wantMetric)
			}
		})
	}
}

func TestCleanupStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	pool := &fakePool{users: []onair.PoolUser{{Username: "old", Sub: "s", CreatedAt: t0.Add(-48 * time.Hour)}}}
	c := &Cleanup{Pool: pool, Store: bolttest.New(t), Now: func() time.Time { return t0 }}
	err := c.Run(ctx, events.EventBridgeEvent{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, pool.deleted)
}
