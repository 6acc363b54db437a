package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

func fullStage(id string, created time.Time) onair.Stage {
	return onair.Stage{
		ID:             id,
		Arn:            "arn:aws:ivs:us-east-1:111122223333:stage/" + id,
		Name:           "stage " + id,
		OwnerSub:       "owner-" + id,
		CreatedAt:      created,
		AllowAnonymous: true,
		Invited:        map[string]time.Time{"guest": at(time.Minute)},
		Publishing: map[string]onair.StageParticipant{
			"p1": {ParticipantID: "p1", UserID: "guest", SessionID: "s1", Published: true, EventTime: at(2 * time.Minute), EventIDs: []string{"e1"}},
		},
		LastActivity: at(3 * time.Minute),
	}
}

func stageIDs(stages []onair.Stage) []string {
	out := make([]string, len(stages))
	for i, st := range stages {
		out[i] = st.ID
	}
	return out
}

func stageCases() []testCase {
	return []testCase{
		{"Stage/PutGet", func(t *testing.T, s store.Store) {
			st := fullStage("s1", at(0))
			st.Version = 9
			require.NoError(t, s.PutStage(ctx(t), st))
			got, err := s.GetStage(ctx(t), "s1")
			require.NoError(t, err)
			st.Version = 1
			assert.Equal(t, st, got)
			_, err = s.GetStage(ctx(t), "s2")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"Stage/PutDuplicateConflicts", func(t *testing.T, s store.Store) {
			require.NoError(t, s.PutStage(ctx(t), fullStage("s1", at(0))))
			err := s.PutStage(ctx(t), onair.Stage{ID: "s1", Name: "other"})
			assert.ErrorIs(t, err, onair.ErrConflict)
			got, err := s.GetStage(ctx(t), "s1")
			require.NoError(t, err)
			assert.Equal(t, "stage s1", got.Name)
			requireCode(t, s.PutStage(ctx(t), onair.Stage{Name: "no id"}), onair.Invalid)
		}},
		{"Stage/Update", func(t *testing.T, s store.Store) {
			require.NoError(t, s.PutStage(ctx(t), fullStage("s1", at(0))))
			got, err := s.UpdateStage(ctx(t), "s1", func(st *onair.Stage) error {
				delete(st.Invited, "guest")
				st.LastActivity = at(time.Hour)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, int64(2), got.Version)
			assert.Empty(t, got.Invited)
			stored, err := s.GetStage(ctx(t), "s1")
			require.NoError(t, err)
			assert.Equal(t, got, stored)

			_, err = s.UpdateStage(ctx(t), "s1", func(st *onair.Stage) error { st.Name = "x"; return errBoom })
			assert.Same(t, errBoom, err)
			unchanged, err := s.UpdateStage(ctx(t), "s1", func(st *onair.Stage) error { st.Name = "x"; return onair.ErrUnchanged })
			require.NoError(t, err)
			assert.Equal(t, stored, unchanged)
			_, err = s.UpdateStage(ctx(t), "s1", func(st *onair.Stage) error { st.ID = "s2"; return nil })
			require.Error(t, err)
			again, err := s.GetStage(ctx(t), "s1")
			require.NoError(t, err)
			assert.Equal(t, stored, again, "failed and skipped updates write nothing")

			called := false
			_, err = s.UpdateStage(ctx(t), "none", func(*onair.Stage) error { called = true; return nil })
			assert.ErrorIs(t, err, onair.ErrNotFound)
			assert.False(t, called)
		}},
		{"Stage/DeleteAndList", func(t *testing.T, s store.Store) {
			require.NoError(t, s.PutStage(ctx(t), fullStage("s1", at(500*time.Millisecond))))
			require.NoError(t, s.PutStage(ctx(t), fullStage("s2", at(0).Truncate(time.Second).Add(time.Second))))
			require.NoError(t, s.PutStage(ctx(t), fullStage("s3", at(time.Hour))))
			require.NoError(t, s.PutStage(ctx(t), fullStage("s4", at(0).Truncate(time.Second))))
			// A user record is not a stage.
			mustCreate(t, s, fullUser("u1", "Alice"))
			list := func(limit int) []string {
				got, err := s.ListStages(ctx(t), limit)
				require.NoError(t, err)
				return stageIDs(got)
			}
			assert.Equal(t, []string{"s3", "s2", "s1", "s4"}, list(10), "newest first")
			assert.Equal(t, []string{"s3", "s2"}, list(2))
			require.NoError(t, s.DeleteStage(ctx(t), "s2"))
			_, err := s.GetStage(ctx(t), "s2")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			assert.Equal(t, []string{"s3", "s1", "s4"}, list(10))
			assert.NoError(t, s.DeleteStage(ctx(t), "s2"), "deleting a missing stage is fine")
			got, err := s.ListStages(ctx(t), 1)
			require.NoError(t, err)
			require.Len(t, got, 1)
			want := fullStage("s3", at(time.Hour))
			want.Version = 1
			assert.Equal(t, want, got[0], "whole records")
			_, err = s.ListStages(ctx(t), 0)
			requireCode(t, err, onair.Invalid)
		}},
	}
}
