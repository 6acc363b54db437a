package stack_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/stack"
)

// TestSecondStackOnTheSameDataDir: it is refused at once with what is
// wrong, and the dir is usable again once the first stack stops.
func TestSecondStackOnTheSameDataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	dir := t.TempDir()
	opts := stack.Options{Template: "../../../template.yaml", DataDir: dir,
		WebAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", AWSAddr: "127.0.0.1:0"}
	first, err := stack.Start(context.Background(), opts)
	require.NoError(t, err)

	_, err = stack.Start(context.Background(), opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data dir "+dir+" is in use by another offline stack")
	assert.NotContains(t, err.Error(), "timeout")

	require.NoError(t, first.Close())
	again, err := stack.Start(context.Background(), opts)
	require.NoError(t, err, "the lock goes with the stack")
	require.NoError(t, again.Close())
}
