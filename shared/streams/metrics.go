package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

// The IVS metrics of the stream health page (namespace AWS/IVS, dimension
// Channel = channel resource id, statistic Average).
const (
	MetricIngestVideoBitrate = "IngestVideoBitrate"
	MetricIngestFramerate    = "IngestFramerate"
	MetricKeyframeInterval   = "KeyframeInterval"
	MetricConcurrentViews    = "ConcurrentViews"
)

// healthMetrics are read for every session; the two chart metrics have their
// gaps filled with the previous value.
// Every one is filled: the API returns each as a gap-free list read as
// AlignedStartTime + i×Period, so a period without a value (a window with
// no keyframe when keyframes are 10 s apart, a minute nobody watched) must
// repeat the previous value, or the rest of the chart is drawn too early.
var healthMetrics = []MetricQuery{
	{Name: MetricIngestVideoBitrate, Fill: true},
	{Name: MetricIngestFramerate, Fill: true},
	{Name: MetricKeyframeInterval, Fill: true},
	{Name: MetricConcurrentViews, Fill: true},
}

// MetricQuery names one metric to read.
type MetricQuery struct {
	Name string
	// Fill asks for missing periods to repeat the previous value
	// (CloudWatch FILL(m, REPEAT)), for charts.
	Fill bool
}

// MetricsRequest asks for the Average of a channel's metrics, one value per
// Period seconds, over [Start, End).
type MetricsRequest struct {
	ChannelID string
	Metrics   []MetricQuery
	Start     time.Time
	End       time.Time
	Period    int
}

// MetricSeries is what a reader returns for one metric: values with their
// timestamps (any order) and the average over the whole window (nil when
// there is no data).
type MetricSeries struct {
	Name       string
	Timestamps []time.Time
	Values     []float64
	Average    *float64
}

// MetricsReader reads channel metrics: CloudWatch in the cloud
// (shared/cloudwatch), the offline media plane's metrics offline.
type MetricsReader interface {
	ReadMetrics(ctx context.Context, req MetricsRequest) ([]MetricSeries, error)
	// Lag is how late the source's newest data is: the most recent Lag of a
	// live session's filled chart metrics is fill, not measurement, and is
	// left out. CloudWatch's high-resolution data lags ~30 s; the offline
	// media plane writes each point as it measures it (0).
	Lag() time.Duration
}

// MetricData is one metric of the session detail (the reference's shape).
type MetricData struct {
	AlignedStartTime httpapi.Time `json:"alignedStartTime"`
	Data             []float64    `json:"data"`
	Label            string       `json:"label"`
	Period           int          `json:"period"`
	Statistics       Statistics   `json:"statistics"`
}

// Statistics of a metric over the window.
type Statistics struct {
	Average *float64 `json:"average,omitempty"`
}

// liveWindow is how far back a live session's metrics go: CloudWatch keeps
// 1-second data for 3 hours, so a live view always has 5-second points.
const liveWindow = 3 * time.Hour

// periodFor picks the finest period CloudWatch still has for data that
// started at start (its roll-up schedule: 1 s for 3 h, 60 s for 15 days,
// 5 min for 63 days, 1 h after).
func periodFor(now, start time.Time) int {
	age := int64(math.Ceil(now.Sub(start).Seconds()))
	const day = 24 * 3600
	switch {
	case age > 63*day:
		return 3600
	case age > 15*day:
		return 300
	case age > 3*3600:
		return 60
	}
	return 5
}

func alignDown(t time.Time, period int) time.Time {
	p := int64(period)
	s := t.Unix()
	return time.Unix(s-((s%p)+p)%p, 0).UTC()
}

func alignUp(t time.Time, period int) time.Time {
	d := alignDown(t, period)
	if d.Before(t) {
		return d.Add(time.Duration(period) * time.Second)
	}
	return d
}

// metricsWindow is the query window of a session's metrics.
type metricsWindow struct {
	Period int
	Start  time.Time // aligned
	End    time.Time // aligned
}

// key names the window in the session's metrics cache.
func (w metricsWindow) key() string {
	return fmt.Sprintf("P%d-S%d-E%d", w.Period, w.Start.UnixMilli(), w.End.UnixMilli())
}

// windowFor computes the window of a session's metrics from its (already
// clamped) start and its end (zero while it has none): the period by the age
// of the start, start aligned down to the period (or up when aligning down
// would cross into a coarser band), end aligned up.
func windowFor(now, start, end time.Time) metricsWindow {
	period := periodFor(now, start)
	alignedStart := alignDown(start, period)
	if periodFor(now, alignedStart) != period {
		alignedStart = alignUp(start, period)
	}
	if end.IsZero() {
		end = now
	}
	return metricsWindow{Period: period, Start: alignedStart, End: alignUp(end, period)}
}

// formatMetrics turns series into the detail's metrics: values sorted by
// time, chart metrics filled, and, while live, the source's lag (the
// reader's Lag) dropped from the end of the chart metrics (the source has
// not caught up with it, so it is fill, not data). Metrics without data are
// left out.
func formatMetrics(series []MetricSeries, w metricsWindow, live bool, lag time.Duration) []MetricData {
	byName := map[string]MetricSeries{}
	for _, s := range series {
		byName[s.Name] = s
	}
	drop := int(math.Round(max(0, lag.Seconds()) / float64(w.Period)))
	var out []MetricData
	for _, q := range healthMetrics {
		s, ok := byName[q.Name]
		if !ok || len(s.Values) == 0 || len(s.Values) != len(s.Timestamps) {
			continue
		}
		idx := make([]int, len(s.Values))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return s.Timestamps[idx[a]].Before(s.Timestamps[idx[b]]) })
		data := make([]float64, 0, len(idx))
		for _, i := range idx {
			data = append(data, s.Values[i])
		}
		if live && q.Fill {
			data = data[:max(0, len(data)-drop)]
		}
		out = append(out, MetricData{
			AlignedStartTime: httpapi.TimeOf(seriesStart(w, s.Timestamps[idx[0]])),
			Data:             data,
			Label:            q.Name,
			Period:           w.Period,
			Statistics:       Statistics{Average: s.Average},
		})
	}
	return out
}

// seriesStart is the time of a series' first value on the window's grid.
// Data is read as AlignedStartTime + i×Period, and a series often starts
// after the window does (the encoder's first metrics arrive a period or two
// after Session Created; a fill only repeats forward from the first real
// value), so labelling it with the window's start would shift every point
// early by that gap.
func seriesStart(w metricsWindow, first time.Time) time.Time {
	if !first.After(w.Start) {
		return w.Start
	}
	period := time.Duration(w.Period) * time.Second
	return w.Start.Add(first.Sub(w.Start) / period * period)
}

// maxCachedSessionBytes bounds the encoded session once metrics are cached,
// well under DynamoDB's 400 KB item limit (attribute names and the store's
// own attributes take the rest).
const maxCachedSessionBytes = 300_000

// cacheMetrics adds data under key to the session's metrics cache, keeping
// the other resolutions, and drops the finest (oldest: resolutions only get
// coarser as a session ages) other entries while the session would be too
// large. It reports false when even the new entry alone does not fit.
func cacheMetrics(s *onair.StreamSession, w metricsWindow, data []MetricData) (bool, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return false, err
	}
	if s.Metrics == nil {
		s.Metrics = map[string]json.RawMessage{}
	}
	key := w.key()
	s.Metrics[key] = raw
	for {
		b, err := json.Marshal(s)
		if err != nil {
			return false, err
		}
		if len(b) <= maxCachedSessionBytes {
			return true, nil
		}
		others := make([]string, 0, len(s.Metrics))
		for k := range s.Metrics {
			if k != key {
				others = append(others, k)
			}
		}
		if len(others) == 0 {
			delete(s.Metrics, key)
			return false, nil
		}
		slices.SortFunc(others, compareCacheKeys)
		delete(s.Metrics, others[0])
	}
}

// compareCacheKeys orders cache keys finest period first, then oldest start.
func compareCacheKeys(a, b string) int {
	var pa, pb int
	var sa, sb, ea, eb int64
	_, errA := fmt.Sscanf(a, "P%d-S%d-E%d", &pa, &sa, &ea)
	_, errB := fmt.Sscanf(b, "P%d-S%d-E%d", &pb, &sb, &eb)
	switch {
	case errA != nil && errB == nil:
		return -1 // unreadable keys go first
	case errA == nil && errB != nil:
		return 1
	case pa != pb:
		return pa - pb
	case sa != sb:
		if sa < sb {
			return -1
		}
		return 1
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}
