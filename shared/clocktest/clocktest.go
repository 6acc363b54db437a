// Package clocktest is the one settable clock of onair's tests. Code under
// test takes its time source as an argument (a `func() time.Time`, or a
// value with a Now method); tests pass a Clock's Now and move it with
// Advance or Set.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a time source tests control. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	// at is the time of a stopped clock; for a running one, offset is added
	// to the wall clock.
	at      time.Time
	offset  time.Duration
	running bool
}

// New returns a clock stopped at t: it moves only by Advance and Set.
func New(t time.Time) *Clock { return &Clock{at: t} }

// Running returns a clock that follows the wall clock, shifted by what
// Advance adds: for tests of real servers and timers, which need time to
// pass by itself while the test jumps ahead (a token's expiry, a schedule).
func Running() *Clock { return &Clock{running: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().Add(c.offset)
	}
	return c.at
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset += d
		return
	}
	c.at = c.at.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset = time.Until(t)
		return
	}
	c.at = t
}
