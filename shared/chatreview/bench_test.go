package chatreview_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/store"
)

// benchmarkReview reviews clean messages from many senders (so none is
// rate limited): the path every allowed message takes, three store calls.
// It reports the 99th percentile and the slowest review (p99-ms, max-ms),
// to compare with IVS Chat's 200 ms budget, and how many reviews ran over
// the handler's own budget (over-budget: IVS Chat would apply the
// fallbackResult to those) — docs/performance.md.
func benchmarkReview(b *testing.B, st store.Store) {
	seed(b, st)
	r := chatreview.New(st, time.Now)
	ctx := context.Background()
	// A warm instance: the first review of a room finds its owner by the
	// room index (and opens the connections), later ones read by key.
	if _, err := r.Review(ctx, event("viewer-warm", "hello")); err != nil {
		b.Fatal(err)
	}
	var (
		took []time.Duration
		over int
	)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		res, err := r.Review(ctx, event(fmt.Sprintf("viewer-%d", i), "hello there, nice stream"))
		took = append(took, time.Since(start))
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			over++
		case err != nil || res.ReviewResult != chatreview.Allow:
			b.Fatalf("review: %v %+v", err, res)
		}
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
	b.ReportMetric(ms(took[len(took)-1]), "max-ms")
	b.ReportMetric(float64(over), "over-budget")
}

func BenchmarkReviewBolt(b *testing.B) { benchmarkReview(b, openStore(b)) }

// BenchmarkReviewDynamoDB runs against moto (dynamotest): the DynamoDB
// adapter's calls over HTTP, though not DynamoDB's own latency.
func BenchmarkReviewDynamoDB(b *testing.B) {
	benchmarkReview(b, dynamotest.Open(b, dynamotest.Config(b)))
}
