package stack

import (
	"context"
	"time"

	"github.com/onair/onair/local/internal/streamsim"
	"github.com/onair/onair/shared/streams"
)

// simMetrics reads the simulation's ingest metrics through the stream health
// port, where CloudWatch's GetMetricData serves them in the cloud: averages
// per period, gaps filled with the previous value when asked (FILL REPEAT),
// and the window's average.
type simMetrics struct{ sim *streamsim.Sim }

// Lag is zero: the media plane and the simulation store each point when
// they measure it, so a live chart's newest points are data (CloudWatch
// lags ~30 s; holding that back offline would leave the charts of a new
// session empty for half a minute).
func (simMetrics) Lag() time.Duration { return 0 }

func (m simMetrics) ReadMetrics(_ context.Context, req streams.MetricsRequest) ([]streams.MetricSeries, error) {
	period := time.Duration(req.Period) * time.Second
	out := make([]streams.MetricSeries, 0, len(req.Metrics))
	for _, q := range req.Metrics {
		ts, vs := m.sim.Metrics(req.ChannelID, q.Name, req.Start, req.End, period)
		s := streams.MetricSeries{Name: q.Name, Timestamps: ts, Values: vs}
		if len(vs) > 0 {
			sum := 0.0
			for _, v := range vs {
				sum += v
			}
			avg := sum / float64(len(vs))
			s.Average = &avg
		}
		if q.Fill && len(ts) > 0 && period > 0 {
			s.Timestamps, s.Values = fillRepeat(ts, vs, req.End, period)
		}
		out = append(out, s)
	}
	return out, nil
}

// fillRepeat returns one point per period from the first data point to end,
// repeating the last known value across gaps, as CloudWatch's FILL(m, REPEAT).
func fillRepeat(ts []time.Time, vs []float64, end time.Time, period time.Duration) ([]time.Time, []float64) {
	byTime := make(map[int64]float64, len(ts))
	first := ts[0]
	for i, t := range ts {
		byTime[t.Unix()] = vs[i]
		if t.Before(first) {
			first = t
		}
	}
	var outT []time.Time
	var outV []float64
	last := byTime[first.Unix()]
	for t := first; t.Before(end); t = t.Add(period) {
		if v, ok := byTime[t.Unix()]; ok {
			last = v
		}
		outT = append(outT, t)
		outV = append(outV, last)
	}
	return outT, outV
}
