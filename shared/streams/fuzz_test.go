package streams

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onair/onair/shared/bolt/bolttest"
)

// FuzzHandleEventBridge: any payload delivered to the IVS events function
// is applied, dropped or retried; it never panics. Seeds: the sample events.
func FuzzHandleEventBridge(f *testing.F) {
	for _, name := range []string{"StreamEvents.json", "StreamEvents.account-limit.json"} {
		if raw, err := os.ReadFile(filepath.Join("..", "..", "events", name)); err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"detail-type":"IVS Stream State Change","time":"2026-01-10T18:00:00Z","resources":["arn:aws:ivs:us-east-1:1:channel/x"],"detail":{"event_name":"Stream Start","stream_id":"st-1"}}`))
	f.Add([]byte(`{"detail-type":"IVS Limit Breach","time":"bad","detail":[]}`))
	f.Add([]byte(`null`))
	db := bolttest.New(f)
	p := &Processor{Sessions: db, Users: db, Now: func() time.Time { return time.Date(2026, 1, 10, 18, 5, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_ = p.Handle(context.Background(), json.RawMessage(raw))
	})
}
