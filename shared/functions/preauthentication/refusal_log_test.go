package preauthentication

import (
	"bytes"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
)

// TestExpectedRefusalsAreLoggedAtInfo: a trigger refusing a sign-in (the
// rule doing its job) is logged at info, not as an error.
func TestExpectedRefusalsAreLoggedAtInfo(t *testing.T) {
	var logs bytes.Buffer
	p := &app.Platform{Name: "PreAuthentication", Env: app.Env(func(string) string { return "" }),
		Clock:      time.Now,
		Logger:     slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MetricsOut: &bytes.Buffer{}}
	h, err := Function().Build(t.Context(), p)
	require.NoError(t, err)
	ev, err := os.ReadFile("../../../events/PreAuthentication.oldName.json")
	require.NoError(t, err)
	_, err = h.Invoke(t.Context(), ev)
	require.Error(t, err, "the old name is refused")
	assert.Contains(t, logs.String(), `"level":"INFO","msg":"invocation refused"`)
	assert.NotContains(t, logs.String(), `"level":"ERROR"`)
}
