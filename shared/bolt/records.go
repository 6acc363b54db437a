package bolt

import (
	"context"
	"errors"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

// getRecord decodes the record stored under k in bucket (nil if missing).
func getRecord[T any](tx *bbolt.Tx, bucket string, k []byte) (*T, error) {
	raw := tx.Bucket([]byte(bucket)).Get(k)
	if raw == nil {
		return nil, nil
	}
	var v T
	if err := decode(raw, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// putRecord writes v under k in bucket over old (nil: new), moves the index
// entries from old's to v's, and returns v as a read would return it.
func putRecord[T any](tx *bbolt.Tx, bucket string, k []byte, index func(*T) []indexEntry, old, v *T) (T, error) {
	var out T
	raw, err := encode(v)
	if err != nil {
		return out, err
	}
	if err := tx.Bucket([]byte(bucket)).Put(k, raw); err != nil {
		return out, err
	}
	if err := reindex(tx, index(old), index(v)); err != nil {
		return out, err
	}
	return out, decode(raw, &out)
}

// update is the read-apply-write loop of the Update methods, in one write
// transaction unless ctx is already done.
//
// get reads the stored record (nil if missing); for a missing one, missing
// returns either the record fn starts from (called once for cur and once for
// next, so the two share nothing) or the error to return. fn gets a second
// decode, not a copy, of the stored record: it may change maps and slices in
// place, and cur must stay what is stored. If fn returns onair.ErrUnchanged,
// update returns cur and writes nothing; otherwise write checks next, sets
// its version from cur's and stores it over cur.
func update[T any](ctx context.Context, db *bbolt.DB, get func(*bbolt.Tx) (*T, error), missing func() (*T, error), fn func(*T) error, write func(tx *bbolt.Tx, cur, next *T) (T, error)) (T, error) {
	var out, zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		cur, err := get(tx)
		if err != nil {
			return err
		}
		var next *T
		if cur == nil {
			if cur, err = missing(); err != nil {
				return err
			}
			if next, err = missing(); err != nil {
				return err
			}
		} else if next, err = get(tx); err != nil {
			return err
		}
		if err := fn(next); err != nil {
			if errors.Is(err, onair.ErrUnchanged) {
				out = *cur
				return nil
			}
			return err
		}
		out, err = write(tx, cur, next)
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}
