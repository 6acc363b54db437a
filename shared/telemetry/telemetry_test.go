package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsWritesEMF(t *testing.T) {
	var buf bytes.Buffer
	m := NewMetrics(&buf, "BanUser", func() time.Time { return time.UnixMilli(1700000000000) })
	m.Count(context.Background(), "Bans", 1, "Outcome", "ok")

	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, 1.0, doc["Bans"])
	assert.Equal(t, "BanUser", doc["Function"])
	assert.Equal(t, "ok", doc["Outcome"])
	aws := doc["_aws"].(map[string]any)
	assert.Equal(t, 1700000000000.0, aws["Timestamp"])
	cw := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
	assert.Equal(t, Namespace, cw["Namespace"])
	assert.Equal(t, []any{[]any{"Function", "Outcome"}}, cw["Dimensions"])
}

func TestNilMetricsIsNoop(t *testing.T) {
	var m *Metrics
	m.Count(context.Background(), "X", 1)
	MetricsFrom(context.Background()).Count(context.Background(), "X", 1)
}

func TestLoggerFromContext(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(&buf, "GetChannel", "debug")
	Logger(WithLogger(context.Background(), l)).Info("hello", "k", "v")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, "GetChannel", doc["function"])
	assert.Equal(t, "hello", doc["msg"])
	Logger(context.Background()).Info("discarded")
}
