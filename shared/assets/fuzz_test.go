package assets

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/bolt/bolttest"
)

// FuzzUpdateAssetVersion: any SQS message body (an S3 event notification,
// a test event, or garbage) is applied, skipped or reported as a failed
// item; the handler never panics and never fails the whole batch.
func FuzzUpdateAssetVersion(f *testing.F) {
	if raw, err := os.ReadFile(filepath.Join("..", "..", "events", "UpdateAssetVersion.json")); err == nil {
		var ev struct{ Records []struct{ Body string } }
		if json.Unmarshal(raw, &ev) == nil {
			for _, r := range ev.Records {
				f.Add(r.Body)
			}
		}
	}
	f.Add(`{"Event":"s3:TestEvent"}`)
	f.Add(`{"Records":[{"eventName":"ObjectCreated:Post","s3":{"bucket":{"name":"b"},"object":{"key":"asset-1%2Favatar","versionId":"v1","sequencer":"0A"}}}]}`)
	f.Add(`{"Records":[]}`)
	f.Add(`not json`)
	db := bolttest.New(f)
	handle := UpdateAssetVersion(db, "https://cdn.example.com", func() time.Time { return time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC) })
	f.Fuzz(func(t *testing.T, body string) {
		resp, err := handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: body}}})
		if err != nil {
			t.Fatalf("the batch failed instead of the item: %v", err)
		}
		if len(resp.BatchItemFailures) > 1 {
			t.Fatalf("more failures than messages: %+v", resp)
		}
	})
}
