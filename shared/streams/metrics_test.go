package streams

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

func TestPeriodFor(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		age  time.Duration
		want int
	}{
		{0, 5},
		{time.Hour, 5},
		{3 * time.Hour, 5},
		{3*time.Hour + time.Second, 60},
		{15 * day, 60},
		{15*day + time.Second, 300},
		{63 * day, 300},
		{63*day + time.Second, 3600},
		{400 * day, 3600},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, periodFor(now, now.Add(-tc.age)), "age %s", tc.age)
	}
}

func TestWindowFor(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	cases := []struct {
		name               string
		start, end         time.Time
		period             int
		wantStart, wantEnd time.Time
	}{
		{"live, 5 s, end is now aligned up", at("2026-06-01T11:00:03Z"), time.Time{}, 5, at("2026-06-01T11:00:00Z"), now},
		{"end aligned up", at("2026-06-01T11:00:03Z"), at("2026-06-01T11:30:01Z"), 5, at("2026-06-01T11:00:00Z"), at("2026-06-01T11:30:05Z")},
		{"10 days: 60 s", at("2026-05-22T10:00:30Z"), at("2026-05-22T11:00:30Z"), 60, at("2026-05-22T10:00:00Z"), at("2026-05-22T11:01:00Z")},
		{"30 days: 300 s", at("2026-05-02T10:02:00Z"), at("2026-05-02T11:00:00Z"), 300, at("2026-05-02T10:00:00Z"), at("2026-05-02T11:00:00Z")},
		// 63 days minus 20 minutes: aligning down to the hour would make it
		// older than 63 days (a coarser band), so the start is aligned up.
		{"band edge: aligned up", now.Add(-63*24*time.Hour + 20*time.Minute), now.Add(-62 * 24 * time.Hour), 300, now.Add(-63*24*time.Hour + 20*time.Minute), now.Add(-62 * 24 * time.Hour)},
		// now is 3 s past a 5 s boundary: aligning 09:00:04 down to 09:00:00
		// makes it 3 h 3 s old, in the 60 s band, so it is aligned up.
		{"band edge 3h: aligned up", at("2026-06-01T09:00:04Z"), at("2026-06-01T10:00:00Z"), 5, at("2026-06-01T09:00:05Z"), at("2026-06-01T10:00:00Z")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := now
			if strings.HasPrefix(tc.name, "band edge 3h") {
				now = now.Add(3 * time.Second)
			}
			w := windowFor(now, tc.start, tc.end)
			assert.Equal(t, tc.period, w.Period)
			assert.Equal(t, tc.wantStart, w.Start)
			assert.Equal(t, tc.wantEnd, w.End)
		})
	}
}

func fptr(v float64) *float64 { return &v }

func series(name string, start time.Time, period int, values ...float64) MetricSeries {
	s := MetricSeries{Name: name, Average: fptr(values[0])}
	// CloudWatch returns newest first by default.
	for i := len(values) - 1; i >= 0; i-- {
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i*period)*time.Second))
		s.Values = append(s.Values, values[i])
	}
	return s
}

func TestFormatMetrics(t *testing.T) {
	start := time.Date(2026, 6, 1, 11, 0, 0, 0, time.UTC)
	w := metricsWindow{Period: 5, Start: start, End: start.Add(time.Minute)}
	in := []MetricSeries{
		series(MetricIngestVideoBitrate, start, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
		series(MetricKeyframeInterval, start, 5, 2, 2, 2, 2, 2, 2, 2, 2),
		{Name: MetricConcurrentViews},                                                          // no data: left out
		{Name: MetricIngestFramerate, Timestamps: []time.Time{start}, Values: []float64{1, 2}}, // inconsistent: left out
	}
	live := formatMetrics(in, w, true, 30*time.Second)
	require.Len(t, live, 2)
	assert.Equal(t, MetricIngestVideoBitrate, live[0].Label)
	assert.Equal(t, []float64{1, 2, 3, 4}, live[0].Data, "sorted ascending; the source's 30 s lag dropped from a live chart metric")
	assert.Equal(t, 1.0, *live[0].Statistics.Average)
	assert.Equal(t, 5, live[0].Period)
	assert.Equal(t, start, live[0].AlignedStartTime.Time)
	assert.Equal(t, []float64{2, 2}, live[1].Data, "every metric is filled, so every one loses the lag's tail")

	immediate := formatMetrics(in, w, true, 0)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, immediate[0].Data, "a source without lag keeps a live chart's newest points")

	offline := formatMetrics(in, w, false, 30*time.Second)
	assert.Len(t, offline[0].Data, 10, "ended sessions keep every point")

	assert.Empty(t, formatMetrics(in, w, true, time.Hour)[0].Data, "a lag longer than the data leaves nothing, not a negative slice")

	b, err := json.Marshal(offline[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"alignedStartTime":"2026-06-01T11:00:00Z","data":[1,2,3,4,5,6,7,8,9,10],"label":"IngestVideoBitrate","period":5,"statistics":{"average":1}}`, string(b))
}

// A series that starts after the window (the first metrics come a period
// or two after Session Created) is labelled with its own first time on the
// window's grid, so its points are not shifted early.
func TestFormatMetricsStartsAtTheFirstValue(t *testing.T) {
	start := time.Date(2026, 6, 1, 11, 0, 0, 0, time.UTC)
	w := metricsWindow{Period: 5, Start: start, End: start.Add(time.Minute)}
	cases := []struct {
		name  string
		first time.Time
		want  time.Time
	}{
		{"at the window's start", start, start},
		{"two periods in", start.Add(10 * time.Second), start.Add(10 * time.Second)},
		{"off the grid: the period it falls in", start.Add(12 * time.Second), start.Add(10 * time.Second)},
		{"before the window (never shifted earlier)", start.Add(-5 * time.Second), start},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := []MetricSeries{series(MetricIngestFramerate, tc.first, 5, 30, 29, 30)}
			out := formatMetrics(in, w, false, 0)
			require.Len(t, out, 1)
			assert.Equal(t, tc.want, out[0].AlignedStartTime.Time)
			assert.Equal(t, []float64{30, 29, 30}, out[0].Data)
		})
	}
}

func TestCacheMetricsKeepsResolutionsWithinBudget(t *testing.T) {
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s := onair.StreamSession{ChannelArn: testArn, StreamID: streamOne}
	mk := func(period, n int) (metricsWindow, []MetricData) {
		w := metricsWindow{Period: period, Start: start, End: start.Add(time.Hour)}
		data := make([]float64, n)
		for i := range data {
			data[i] = 1.5 // 4 bytes each in JSON
		}
		return w, []MetricData{{AlignedStartTime: httpapi.TimeOf(start), Label: MetricIngestVideoBitrate, Period: period, Data: data}}
	}
	w60, d60 := mk(60, 30000)
	ok, err := cacheMetrics(&s, w60, d60)
	require.NoError(t, err)
	require.True(t, ok)
	w300, d300 := mk(300, 5000)
	ok, err = cacheMetrics(&s, w300, d300)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Len(t, s.Metrics, 2, "each resolution is kept")

	// A big new entry pushes out the finest (oldest) resolution first
	// (~120 KB + ~20 KB + ~200 KB is over the budget; without the 60 s
	// entry it fits).
	w3600, big := mk(3600, 50000)
	ok, err = cacheMetrics(&s, w3600, big)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Contains(t, s.Metrics, w3600.key())
	assert.NotContains(t, s.Metrics, w60.key(), "the finest resolution goes first")
	assert.Contains(t, s.Metrics, w300.key(), "only as much as needed is dropped")
	enc, _ := json.Marshal(s)
	assert.LessOrEqual(t, len(enc), maxCachedSessionBytes)

	// An entry that cannot fit alone is not cached at all.
	huge := []MetricData{{Label: "x", Data: make([]float64, 200000)}}
	for i := range huge[0].Data {
		huge[0].Data[i] = 123.456
	}
	s2 := onair.StreamSession{}
	ok, err = cacheMetrics(&s2, w60, huge)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, s2.Metrics)
}

func TestCompareCacheKeys(t *testing.T) {
	keys := []string{"P300-S100-E200", "P60-S500-E900", "P60-S100-E900", "garbage", "P3600-S0-E1"}
	sorted := append([]string(nil), keys...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if compareCacheKeys(sorted[j], sorted[i]) < 0 {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	assert.Equal(t, "garbage,P60-S100-E900,P60-S500-E900,P300-S100-E200,P3600-S0-E1", strings.Join(sorted, ","))
}
