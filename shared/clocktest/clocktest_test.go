package clocktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestStopped(t *testing.T) {
	t0 := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	c := New(t0)
	assert.Equal(t, t0, c.Now())
	time.Sleep(time.Millisecond)
	assert.Equal(t, t0, c.Now(), "a stopped clock does not move by itself")
	c.Advance(time.Minute)
	assert.Equal(t, t0.Add(time.Minute), c.Now())
	c.Set(t0.Add(-time.Hour))
	assert.Equal(t, t0.Add(-time.Hour), c.Now())
}

func TestRunning(t *testing.T) {
	c := Running()
	before := time.Now()
	now := c.Now()
	assert.False(t, now.Before(before))
	assert.WithinDuration(t, time.Now(), now, time.Second)
	c.Advance(time.Hour)
	assert.WithinDuration(t, time.Now().Add(time.Hour), c.Now(), time.Second)
	first := c.Now()
	time.Sleep(2 * time.Millisecond)
	assert.True(t, c.Now().After(first), "a running clock moves by itself")
	target := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(target)
	assert.WithinDuration(t, target, c.Now(), time.Second)
}
