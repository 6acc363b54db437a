package wait

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSleep(t *testing.T) {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"waits the duration", context.Background(), time.Millisecond, nil},
		{"nothing to wait", context.Background(), 0, nil},
		{"an ended context cuts it short", ended, time.Hour, context.Canceled},
		{"an ended context with nothing to wait", ended, -time.Second, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			assert.ErrorIs(t, Sleep(tc.ctx, tc.d), tc.want)
			if tc.want == nil {
				assert.GreaterOrEqual(t, time.Since(start), tc.d)
			}
			assert.Less(t, time.Since(start), time.Minute, "never the hour")
		})
	}
}
