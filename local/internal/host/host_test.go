package host

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/store"
)

// nilStore panics on every call, standing in for a function that crashes.
type nilStore struct{ store.Store }

func event(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../../events/ListChannels.json")
	require.NoError(t, err)
	return raw
}

func TestInvoke(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	env := app.Env(func(string) string { return "" })
	h := New([]Function{
		{Name: "ListChannels", Deps: func() (*app.Deps, error) { return &app.Deps{Name: "ListChannels", Env: env, Store: db}, nil }},
		{Name: "Crashes", Deps: func() (*app.Deps, error) { return &app.Deps{Name: "ListChannels", Env: env, Store: nilStore{}}, nil }},
		{Name: "NoDeps", Deps: func() (*app.Deps, error) { return nil, errors.New("missing environment: X") }},
	}, "us-east-1", "000000000000", nil)

	out, err := h.Invoke(context.Background(), "ListChannels", event(t))
	require.NoError(t, err)
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	require.NoError(t, json.Unmarshal(out, &resp))
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"channels":[],"maxResults":50}`, resp.Body)

	_, err = h.Invoke(context.Background(), "Crashes", event(t))
	var ferr *FunctionError
	require.ErrorAs(t, err, &ferr, "a panic is contained and reported as the function's error")

	_, err = h.Invoke(context.Background(), "Nope", nil)
	assert.ErrorAs(t, err, &ErrUnknownFunction{})

	_, err = h.Invoke(context.Background(), "NoDeps", nil)
	assert.ErrorContains(t, err, "missing environment: X")

	assert.True(t, h.Has("ListChannels"))
	assert.ElementsMatch(t, []string{"ListChannels", "Crashes", "NoDeps"}, h.Names())
}
