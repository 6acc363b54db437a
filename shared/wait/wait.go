// Package wait is the one way onair's code pauses: for a duration, cut
// short when the context ends (a Lambda deadline, a closed request).
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends, and then returns ctx's error. A d of
// zero or less returns at once (ctx's error if it has ended).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
