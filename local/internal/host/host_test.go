package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/functions/listchannels"
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
	db := bolttest.New(t)
	env := app.Env(func(string) string { return "" })
	build := func(st store.Store) func(context.Context) (lambda.Handler, error) {
		return func(ctx context.Context) (lambda.Handler, error) {
			return listchannels.Function().Build(ctx, &app.Platform{Name: "ListChannels", Env: env, Offline: app.Offline{Store: st}})
		}
	}
	h := New([]Function{
		{Name: "ListChannels", Build: build(db)},
		{Name: "Crashes", Build: build(nilStore{})},
		{Name: "NoDeps", Build: func(context.Context) (lambda.Handler, error) { return nil, errors.New("missing environment: X") }},
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

// TestConcurrentInvocationsKeepTheirOwnResponse: one function invoked by
// many callers at once with two different requests; every caller gets the
// answer to its own request. aws-lambda-go hands back a response slice from
// a buffer it reuses for the handler's next invocation, so the host runs one
// invocation per instance at a time and copies the response out first.
func TestConcurrentInvocationsKeepTheirOwnResponse(t *testing.T) {
	db := bolttest.New(t)
	env := app.Env(func(string) string { return "" })
	h := New([]Function{{Name: "ListChannels", Build: func(ctx context.Context) (lambda.Handler, error) {
		return listchannels.Function().Build(ctx, &app.Platform{Name: "ListChannels", Env: env, Offline: app.Offline{Store: db}})
	}}}, "us-east-1", "000000000000", nil)

	var ev map[string]any
	require.NoError(t, json.Unmarshal(event(t), &ev))
	payload := func(query string) []byte {
		ev["rawQueryString"] = query
		ev["queryStringParameters"] = map[string]string{}
		if k, v, ok := strings.Cut(query, "="); ok {
			ev["queryStringParameters"] = map[string]string{k: v}
		}
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		return b
	}
	// Two requests with different answers: a listing and a refusal.
	requests := []struct {
		payload []byte
		status  int
	}{{payload("isLive=false"), 200}, {payload(""), 400}}

	const callers, calls = 16, 50
	var wg sync.WaitGroup
	wrong := make(chan string, callers*calls)
	for i := 0; i < callers; i++ {
		req := requests[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < calls; j++ {
				out, err := h.Invoke(context.Background(), "ListChannels", req.payload)
				var resp struct {
					StatusCode int `json:"statusCode"`
				}
				if err != nil || json.Unmarshal(out, &resp) != nil || resp.StatusCode != req.status {
					wrong <- fmt.Sprintf("want %d, got %.80s (%v)", req.status, out, err)
				}
			}
		}()
	}
	wg.Wait()
	close(wrong)
	var all []string
	for w := range wrong {
		all = append(all, w)
	}
	assert.Empty(t, all)
	assert.LessOrEqual(t, h.Instances("ListChannels"), callers, "instances are reused, at most one per concurrent caller")
}
