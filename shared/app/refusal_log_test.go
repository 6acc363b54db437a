package app

import (
	"bytes"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpectedRefusalsAreLoggedAtInfo: a trigger refusing a sign-in (the
// rule doing its job) is logged at info, not as an error.
func TestExpectedRefusalsAreLoggedAtInfo(t *testing.T) {
	var logs bytes.Buffer
	d := &Deps{Name: "PreAuthentication", Env: Env(func(string) string { return "" }),
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	h, err := Build(t.Context(), d)
	require.NoError(t, err)
	ev, err := os.ReadFile("../../events/PreAuthentication.oldName.json")
	require.NoError(t, err)
	_, err = h.Invoke(t.Context(), ev)
	require.Error(t, err, "the old name is refused")
	assert.Contains(t, logs.String(), `"level":"INFO","msg":"invocation refused"`)
	assert.NotContains(t, logs.String(), `"level":"ERROR"`)
}
