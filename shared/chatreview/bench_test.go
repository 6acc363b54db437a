package chatreview_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/store"
)

// benchmarkReview reviews clean messages from many senders (so none is
// rate limited): the path every allowed message takes, three store calls.
// It reports the slowest review as max-ms, to compare with IVS Chat's
// 200 ms budget (docs/performance.md).
func benchmarkReview(b *testing.B, st store.Store) {
	seed(b, st)
	r := chatreview.New(st, time.Now)
	ctx := context.Background()
	// A warm instance: the first review of a room finds its owner by the
	// room index (and opens the connections), later ones read by key.
	if _, err := r.Review(ctx, event("viewer-warm", "hello")); err != nil {
		b.Fatal(err)
	}
	var slowest time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		res, err := r.Review(ctx, event(fmt.Sprintf("viewer-%d", i), "hello there, nice stream"))
		if d := time.Since(start); d > slowest {
			slowest = d
		}
		if err != nil || res.ReviewResult != chatreview.Allow {
			b.Fatalf("review: %v %+v", err, res)
		}
	}
	b.ReportMetric(float64(slowest.Microseconds())/1000, "max-ms")
}

func BenchmarkReviewBolt(b *testing.B) { benchmarkReview(b, openStore(b)) }

// BenchmarkReviewDynamoDB runs against moto (dynamotest): the DynamoDB
// adapter's calls over HTTP, though not DynamoDB's own latency.
func BenchmarkReviewDynamoDB(b *testing.B) {
	benchmarkReview(b, dynamotest.Open(b, dynamotest.Config(b)))
}
