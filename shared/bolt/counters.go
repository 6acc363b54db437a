package bolt

import (
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// counter is a stored counter.
type counter struct {
	N       int64     `json:"n"`
	Expires time.Time `json:"expires"`
}

// counterGrace is how long past its expiry a counter is kept. The embedded
// store has no clock of its own (the offline stack may run on a test
// clock), so "now" is the expiry of the increment being made: a counter is
// forgotten once an increment comes whose expiry is counterGrace past its
// own.
const counterGrace = time.Hour

// IncrementCounter adds one to the counter in one write transaction (bbolt
// has one writer at a time, so increments never interleave), first
// forgetting the counters that expired (see counterGrace): the walk follows
// the expiry index from its oldest entry, so its cost is the number of
// expired counters, not of all counters.
func (s *Store) IncrementCounter(ctx context.Context, name string, expires time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, invalid("A counter needs a name.")
	}
	if err := checkParts(name); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := purgeCounters(tx, expires.Add(-counterGrace)); err != nil {
			return err
		}
		c, err := getRecord[counter](tx, bucketCounters, key(name))
		if err != nil {
			return err
		}
		exp := tx.Bucket([]byte(bucketCounterExp))
		if c == nil {
			c = &counter{}
		} else if err := exp.Delete(key(sortable(c.Expires), name)); err != nil {
			return err
		}
		c.N++
		c.Expires = expires
		raw, err := encode(c)
		if err != nil {
			return err
		}
		if err := tx.Bucket([]byte(bucketCounters)).Put(key(name), raw); err != nil {
			return err
		}
		n = c.N
		return exp.Put(key(sortable(c.Expires), name), []byte{})
	})
	return n, err
}

// purgeCounters deletes the counters that expired before cutoff.
func purgeCounters(tx *bbolt.Tx, cutoff time.Time) error {
	exp, counters := tx.Bucket([]byte(bucketCounterExp)), tx.Bucket([]byte(bucketCounters))
	limit := key(sortable(cutoff))
	c := exp.Cursor()
	for k, _ := c.First(); k != nil && string(k) < string(limit); k, _ = c.First() {
		ps, err := parts(k)
		if err != nil || len(ps) != 2 {
			return fmt.Errorf("bolt: bad %s key %q", bucketCounterExp, k)
		}
		if err := counters.Delete(key(ps[1])); err != nil {
			return err
		}
		if err := exp.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
