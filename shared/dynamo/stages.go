package dynamo

import (
	"context"
	"fmt"

	"github.com/onair/onair/shared/onair"
)

// PutStage inserts the stage with Version 1; ErrConflict if it exists.
func (s *Store) PutStage(ctx context.Context, st onair.Stage) error {
	if st.ID == "" {
		return invalid("A stage needs an id.")
	}
	st.Version = 1
	it, err := stageItem(st)
	if err != nil {
		return err
	}
	created, err := s.putIfAbsent(ctx, s.tables.Channels, attrPK, it)
	if err != nil {
		return err
	}
	if !created {
		return onair.Errorf(onair.Conflict, "ConflictException", "The stage already exists.")
	}
	return nil
}

// GetStage reads the stage item (strongly consistent).
func (s *Store) GetStage(ctx context.Context, id string) (onair.Stage, error) {
	it, err := s.get(ctx, s.tables.Channels, stageKey(id))
	if err != nil {
		return onair.Stage{}, err
	}
	if it == nil {
		return onair.Stage{}, notFound("Stage")
	}
	return decodeStage(it)
}

// UpdateStage is the conditional read-modify-write cycle on a stage.
func (s *Store) UpdateStage(ctx context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error) {
	return update(ctx, s, record[onair.Stage]{
		op:      "UpdateStage",
		table:   s.tables.Channels,
		key:     stageKey(id),
		hashKey: attrPK,
		missing: func() error { return notFound("Stage") },
		decode:  decodeStage,
		encode:  stageItem,
		version: func(st *onair.Stage) *int64 { return &st.Version },
		sameKey: func(st onair.Stage) error {
			if st.ID != id {
				return fmt.Errorf("dynamo: UpdateStage: fn changed the id %q to %q", id, st.ID)
			}
			return nil
		},
	}, fn)
}

// DeleteStage deletes the stage item.
func (s *Store) DeleteStage(ctx context.Context, id string) error {
	_, err := s.deleteKey(ctx, s.tables.Channels, stageKey(id))
	return err
}

// ListStages queries the sparse stageIndex, newest first.
func (s *Store) ListStages(ctx context.Context, limit int) ([]onair.Stage, error) {
	if limit < 1 {
		return nil, invalid("The limit must be positive.")
	}
	items, err := s.queryShard(ctx, indexStage, attrStageShard, stageShard, limit)
	if err != nil {
		return nil, err
	}
	return decodeAll(items, decodeStage)
}
