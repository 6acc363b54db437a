package lambdaapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeInvoker struct {
	mu    sync.Mutex
	calls []string
	done  chan string
}

func (f *fakeInvoker) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	f.mu.Lock()
	f.calls = append(f.calls, function+" "+string(payload))
	f.mu.Unlock()
	if f.done != nil {
		defer func() { f.done <- function }()
	}
	switch function {
	case "Echo":
		return payload, nil
	case "Fails":
		return nil, &FunctionError{Message: "bad input", Type: "ValidationError"}
	case "Panics":
		return nil, errors.New("runtime exited")
	}
	return nil, ErrFunctionNotFound
}

func invoke(t *testing.T, srv *httptest.Server, name, invocationType, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+PathPrefix+name+"/invocations", strings.NewReader(body))
	if invocationType != "" {
		req.Header.Set("X-Amz-Invocation-Type", invocationType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestInvokeRequestResponse(t *testing.T) {
	api := New(Config{Invoker: &fakeInvoker{}})
	defer api.Close()
	mux := http.NewServeMux()
	mux.Handle(Pattern, api)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, body := invoke(t, srv, "Echo", "", `{"a":1}`)
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"a":1}`, body)
	assert.Empty(t, resp.Header.Get("X-Amz-Function-Error"))
	assert.Equal(t, "$LATEST", resp.Header.Get("X-Amz-Executed-Version"))

	// Full ARN with qualifier, URL-encoded as the SDK sends it.
	resp, body = invoke(t, srv, "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3AEcho%3A%24LATEST", "RequestResponse", `{"b":2}`)
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"b":2}`, body)

	// Empty payload is an empty object, as with Lambda.
	_, body = invoke(t, srv, "Echo", "", ``)
	assert.JSONEq(t, `{}`, body)
}

func TestInvokeFunctionErrors(t *testing.T) {
	api := New(Config{Invoker: &fakeInvoker{}})
	srv := httptest.NewServer(api)
	defer srv.Close()

	resp, body := invoke(t, srv, "Fails", "", `{}`)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Unhandled", resp.Header.Get("X-Amz-Function-Error"))
	assert.JSONEq(t, `{"errorMessage":"bad input","errorType":"ValidationError"}`, body)

	resp, body = invoke(t, srv, "Panics", "", `{}`)
	assert.Equal(t, "Unhandled", resp.Header.Get("X-Amz-Function-Error"))
	var fe FunctionError
	require.NoError(t, json.Unmarshal([]byte(body), &fe))
	assert.Equal(t, "runtime exited", fe.Message)
	assert.NotEmpty(t, fe.Type)
}

func TestInvokeUnknownFunction(t *testing.T) {
	srv := httptest.NewServer(New(Config{Invoker: &fakeInvoker{}}))
	defer srv.Close()
	resp, body := invoke(t, srv, "Nope", "", `{}`)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "ResourceNotFoundException", resp.Header.Get("X-Amzn-ErrorType"))
	assert.Contains(t, body, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:Nope")

	// With Exists, the function is not even called.
	inv := &fakeInvoker{}
	srv2 := httptest.NewServer(New(Config{Invoker: inv, Exists: func(n string) bool { return n == "Echo" }}))
	defer srv2.Close()
	resp, _ = invoke(t, srv2, "Fails", "", `{}`)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Empty(t, inv.calls)
}

func TestInvokeEventAndDryRun(t *testing.T) {
	inv := &fakeInvoker{done: make(chan string, 1)}
	srv := httptest.NewServer(New(Config{Invoker: inv}))
	defer srv.Close()
	resp, body := invoke(t, srv, "Echo", "Event", `{"x":true}`)
	assert.Equal(t, 202, resp.StatusCode)
	assert.Empty(t, body)
	select {
	case f := <-inv.done:
		assert.Equal(t, "Echo", f)
	case <-time.After(2 * time.Second):
		t.Fatal("asynchronous invocation did not run")
	}
	resp, _ = invoke(t, srv, "Echo", "DryRun", `{}`)
	assert.Equal(t, 204, resp.StatusCode)
}

func TestInvokeBadRequests(t *testing.T) {
	srv := httptest.NewServer(New(Config{Invoker: &fakeInvoker{}}))
	defer srv.Close()
	resp, _ := invoke(t, srv, "Echo", "", `not json`)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "InvalidRequestContentException", resp.Header.Get("X-Amzn-ErrorType"))
	resp, _ = invoke(t, srv, "Echo", "Sometimes", `{}`)
	assert.Equal(t, 400, resp.StatusCode)
	resp, _ = invoke(t, srv, "Echo", "Event", `"`+strings.Repeat("a", maxAsyncPayload)+`"`)
	assert.Equal(t, 413, resp.StatusCode)
}

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"GetChannel":                       "GetChannel",
		"GetChannel:prod":                  "GetChannel",
		"123456789012:function:GetChannel": "GetChannel",
		"arn:aws:lambda:us-east-1:123456789012:function:GetChannel:$LATEST": "GetChannel",
	} {
		assert.Equal(t, want, FunctionName(in), in)
	}
}
