// Package telemetry holds the JSON logger and CloudWatch embedded-metric-format
// (EMF) writer every function uses. Loggers travel in the context so that each
// log line carries the request id, function and user.
package telemetry

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// NewLogger returns a JSON logger tagged with the function name. level is a
// slog level name ("debug", "info", "warn", "error"); empty means info.
func NewLogger(w io.Writer, function, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil || level == "" {
		lv = slog.LevelInfo
	}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv})
	return slog.New(h).With("function", function)
}

type loggerKey struct{}

// WithLogger returns a context carrying logger.
func WithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// Logger returns the logger in ctx, or a logger that discards everything so
// that code under test never has to set one up.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// Namespace is the CloudWatch namespace of onair's business metrics.
const Namespace = "onair"

// Metrics writes business metrics in CloudWatch embedded metric format: one
// JSON document per line on w (Lambda ships stdout to CloudWatch Logs, which
// extracts the metrics). Safe for concurrent use.
type Metrics struct {
	mu       sync.Mutex
	w        io.Writer
	function string
	now      func() time.Time
}

// NewMetrics returns a metrics writer for function. now may be nil.
func NewMetrics(w io.Writer, function string, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	return &Metrics{w: w, function: function, now: now}
}

// Count records value occurrences of name (unit Count), with the function as
// dimension plus any extra dimensions given as key/value pairs.
func (m *Metrics) Count(ctx context.Context, name string, value float64, dims ...string) {
	if m == nil || m.w == nil {
		return
	}
	doc := map[string]any{}
	dimNames := []string{"Function"}
	doc["Function"] = m.function
	for i := 0; i+1 < len(dims); i += 2 {
		dimNames = append(dimNames, dims[i])
		doc[dims[i]] = dims[i+1]
	}
	doc[name] = value
	doc["_aws"] = map[string]any{
		"Timestamp": m.now().UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  Namespace,
			"Dimensions": [][]string{dimNames},
			"Metrics":    []any{map[string]string{"Name": name, "Unit": "Count"}},
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		Logger(ctx).Error("emf marshal", "err", err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.w.Write(append(b, '\n'))
}

type metricsKey struct{}

// WithMetrics returns a context carrying m.
func WithMetrics(ctx context.Context, m *Metrics) context.Context {
	return context.WithValue(ctx, metricsKey{}, m)
}

// MetricsFrom returns the metrics writer in ctx; nil (a no-op) if none.
func MetricsFrom(ctx context.Context) *Metrics {
	m, _ := ctx.Value(metricsKey{}).(*Metrics)
	return m
}
