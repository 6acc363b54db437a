package bolt

import (
	"context"
	"sync"
	"time"
)

// counters are kept in memory, not in the database file: they live for
// seconds (the chat review's rate windows), so they need no durability, and
// a write transaction (an fsync) per chat message would make the disk the
// offline chat's bottleneck. One Store serves every function of the offline
// stack (the file is locked to one process), so the counts still hold
// across all of them, as DynamoDB's do across Lambda instances.
type counters struct {
	mu sync.Mutex
	m  map[string]*counter
	// oldest is the earliest expiry among m, to skip purges with nothing to do.
	oldest time.Time
}

type counter struct {
	n       int64
	expires time.Time
}

// counterGrace is how long past its expiry a counter is kept. The store has
// no clock of its own (the offline stack may run on a test clock), so "now"
// is the expiry of the increment being made: a counter is forgotten once an
// increment comes whose expiry is counterGrace past its own.
const counterGrace = time.Hour

// IncrementCounter adds one to the counter under a lock, first forgetting
// the counters that expired (see counterGrace).
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
	c := &s.counters
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*counter{}
	}
	if cutoff := expires.Add(-counterGrace); !c.oldest.IsZero() && c.oldest.Before(cutoff) {
		c.oldest = time.Time{}
		for k, v := range c.m {
			switch {
			case v.expires.Before(cutoff):
				delete(c.m, k)
			case c.oldest.IsZero() || v.expires.Before(c.oldest):
				c.oldest = v.expires
			}
		}
	}
	v := c.m[name]
	if v == nil {
		v = &counter{}
		c.m[name] = v
	}
	v.n++
	v.expires = expires
	if c.oldest.IsZero() || expires.Before(c.oldest) {
		c.oldest = expires
	}
	return v.n, nil
}

// counterCount returns the counter's value and whether it is kept (tests).
func (s *Store) counterCount(name string) (int64, bool) {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	v, ok := s.counters.m[name]
	if !ok {
		return 0, false
	}
	return v.n, true
}
