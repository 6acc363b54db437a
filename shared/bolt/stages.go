package bolt

import (
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

func stageIndex(st *onair.Stage) []indexEntry {
	if st == nil {
		return nil
	}
	return []indexEntry{{bucketStageAge, key(sortable(st.CreatedAt), st.ID)}}
}

func getStage(tx *bbolt.Tx, id string) (*onair.Stage, error) {
	return getRecord[onair.Stage](tx, bucketStages, key(id))
}

// putStage writes st over old (nil: new) and returns it as a read would.
func putStage(tx *bbolt.Tx, old *onair.Stage, st onair.Stage) (onair.Stage, error) {
	// Stored, like DynamoDB's index attribute, in UTC.
	st.CreatedAt = st.CreatedAt.UTC()
	return putRecord(tx, bucketStages, key(st.ID), stageIndex, old, &st)
}

// PutStage inserts the stage with Version 1; ErrConflict if it exists.
func (s *Store) PutStage(ctx context.Context, st onair.Stage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st.ID == "" {
		return invalid("A stage needs an id.")
	}
	if err := checkParts(st.ID); err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		old, err := getStage(tx, st.ID)
		if err != nil {
			return err
		}
		if old != nil {
			return onair.Errorf(onair.Conflict, "ConflictException", "The stage already exists.")
		}
		st.Version = 1
		_, err = putStage(tx, nil, st)
		return err
	})
}

// GetStage reads the stage.
func (s *Store) GetStage(ctx context.Context, id string) (onair.Stage, error) {
	var out onair.Stage
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		st, err := getStage(tx, id)
		if err != nil {
			return err
		}
		if st == nil {
			return notFound("Stage")
		}
		out = *st
		return nil
	})
	return out, err
}

// UpdateStage applies fn inside one write transaction.
func (s *Store) UpdateStage(ctx context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error) {
	return update(ctx, s.db,
		func(tx *bbolt.Tx) (*onair.Stage, error) { return getStage(tx, id) },
		func() (*onair.Stage, error) { return nil, notFound("Stage") },
		fn,
		func(tx *bbolt.Tx, cur, next *onair.Stage) (onair.Stage, error) {
			if next.ID != id {
				return onair.Stage{}, fmt.Errorf("bolt: UpdateStage: fn changed the id %q to %q", id, next.ID)
			}
			next.Version = cur.Version + 1
			return putStage(tx, cur, *next)
		})
}

// DeleteStage deletes the stage and its index entry.
func (s *Store) DeleteStage(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		st, err := getStage(tx, id)
		if err != nil || st == nil {
			return err
		}
		if err := tx.Bucket([]byte(bucketStages)).Delete(key(id)); err != nil {
			return err
		}
		return reindex(tx, stageIndex(st), nil)
	})
}

// ListStages walks the creation index from the newest entry.
func (s *Store) ListStages(ctx context.Context, limit int) ([]onair.Stage, error) {
	if limit < 1 {
		return nil, invalid("The limit must be positive.")
	}
	out := []onair.Stage{}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var ids []string
		scanBefore(tx.Bucket([]byte(bucketStageAge)), nil, nil, func(k, _ []byte) bool {
			if ps, err := parts(k); err == nil && len(ps) == 2 {
				ids = append(ids, ps[1])
			}
			return len(ids) < limit
		})
		for _, id := range ids {
			st, err := getStage(tx, id)
			if err != nil {
				return err
			}
			if st != nil {
				out = append(out, *st)
			}
		}
		return nil
	})
	return out, err
}
