package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const arn = "arn:aws:lambda:us-east-1:000000000000:function:onair-local-Fn"

// client plays a bootstrap: it speaks the Runtime API over HTTP.
type client struct {
	t    *testing.T
	base string
}

func newClient(t *testing.T, rt *Runtime) client {
	return client{t: t, base: "http://" + rt.Addr() + "/2018-06-01/runtime"}
}

func (c client) next() (*http.Response, []byte) {
	c.t.Helper()
	resp, err := http.Get(c.base + "/invocation/next")
	require.NoError(c.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, body
}

func (c client) post(path string, body []byte, header map[string]string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	require.NoError(c.t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func newRuntime(t *testing.T) *Runtime {
	t.Helper()
	rt, err := NewRuntime(arn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

// invokeAsync runs rt.Invoke in the background.
func invokeAsync(rt *Runtime, payload string, timeout time.Duration) <-chan Response {
	ch := make(chan Response, 1)
	go func() {
		resp, err := rt.Invoke(context.Background(), []byte(payload), timeout)
		if err != nil {
			resp.Err = &FunctionError{Type: "test", Message: err.Error()}
		}
		ch <- resp
	}()
	return ch
}

func TestRuntimeNextGivesTheEventAndItsHeaders(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	before := time.Now()
	done := invokeAsync(rt, `{"hello":"world"}`, 7*time.Second)

	resp, body := c.next()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"hello":"world"}`, string(body))
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	assert.Equal(t, arn, resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"))
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`, resp.Header.Get("Lambda-Runtime-Trace-Id"))
	deadline, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	require.NoError(t, err)
	assert.InDelta(t, before.Add(7*time.Second).UnixMilli(), deadline, 1000)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))

	select {
	case <-rt.Ready():
	default:
		t.Fatal("Ready must close at the first /next")
	}
	assert.False(t, rt.ReadyAt().IsZero())

	status, out := c.post("/invocation/"+id+"/response", []byte(`{"ok":true}`), nil)
	assert.Equal(t, http.StatusAccepted, status)
	assert.Equal(t, "OK", out["status"])
	r := <-done
	assert.Equal(t, id, r.RequestID)
	assert.JSONEq(t, `{"ok":true}`, string(r.Payload))
	assert.Nil(t, r.Err)
}

func TestRuntimeInvocationError(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		header string
		want   FunctionError
	}{
		{"json body", `{"errorMessage":"bad input","errorType":"ValidationError","stackTrace":["a"]}`, "", FunctionError{Message: "bad input", Type: "ValidationError", StackTrace: []any{"a"}}},
		{"type from header", `{"errorMessage":"no type"}`, "Runtime.Unknown", FunctionError{Message: "no type", Type: "Runtime.Unknown"}},
		{"plain text", `segfault`, "", FunctionError{Message: "segfault", Type: "Unhandled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newRuntime(t)
			c := newClient(t, rt)
			done := invokeAsync(rt, `{}`, 5*time.Second)
			resp, _ := c.next()
			id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
			h := map[string]string{}
			if tt.header != "" {
				h["Lambda-Runtime-Function-Error-Type"] = tt.header
			}
			status, _ := c.post("/invocation/"+id+"/error", []byte(tt.body), h)
			assert.Equal(t, http.StatusAccepted, status)
			r := <-done
			require.NotNil(t, r.Err)
			assert.Equal(t, tt.want, *r.Err)
			assert.Nil(t, r.Payload)
		})
	}
}

func TestRuntimeRefusesUnknownRequestIDs(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	status, out := c.post("/invocation/nope/response", []byte(`{}`), nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "InvalidRequestID", out["errorType"])

	done := invokeAsync(rt, `{}`, 5*time.Second)
	resp, _ := c.next()
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	status, _ = c.post("/invocation/"+id+"/response", []byte(`1`), nil)
	assert.Equal(t, http.StatusAccepted, status)
	<-done
	status, _ = c.post("/invocation/"+id+"/response", []byte(`2`), nil)
	assert.Equal(t, http.StatusBadRequest, status, "an invocation is answered once")
}

func TestRuntimeResponseTooLarge(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	done := invokeAsync(rt, `{}`, 5*time.Second)
	resp, _ := c.next()
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	status, _ := c.post("/invocation/"+id+"/response", bytes.Repeat([]byte("x"), MaxResponseBytes+1), nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	r := <-done
	require.NotNil(t, r.Err)
	assert.Equal(t, "Function.ResponseSizeTooLarge", r.Err.Type)
}

func TestRuntimeInitError(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	status, _ := c.post("/init/error", []byte(`{"errorMessage":"missing environment: X","errorType":"Runtime.InitError"}`), nil)
	assert.Equal(t, http.StatusAccepted, status)
	select {
	case fe := <-rt.InitError():
		assert.Equal(t, &FunctionError{Message: "missing environment: X", Type: "Runtime.InitError"}, fe)
	case <-time.After(time.Second):
		t.Fatal("no init error")
	}
}

func TestRuntimeTimeout(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	done := invokeAsync(rt, `{}`, 50*time.Millisecond)
	resp, _ := c.next()
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	r := <-done
	require.NotNil(t, r.Err)
	assert.Equal(t, "Sandbox.Timedout", r.Err.Type)
	assert.Contains(t, r.Err.Message, "Task timed out after 0.05 seconds")
	status, _ := c.post("/invocation/"+id+"/response", []byte(`{}`), nil)
	assert.Equal(t, http.StatusBadRequest, status, "a late answer is refused")
}

func TestRuntimeFailEndsTheInvocationInFlight(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	done := invokeAsync(rt, `{}`, 5*time.Second)
	c.next()
	rt.Fail(&FunctionError{Type: "Runtime.ExitError", Message: "exit status 2"})
	r := <-done
	require.NotNil(t, r.Err)
	assert.Equal(t, "Runtime.ExitError", r.Err.Type)
}

func TestRuntimeInvokeWaitsForTheRuntimeWithinContext(t *testing.T) {
	rt := newRuntime(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := rt.Invoke(ctx, []byte(`{}`), time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	require.NoError(t, rt.Close())
	_, err = rt.Invoke(context.Background(), []byte(`{}`), time.Second)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestRuntimeServesInvocationsInOrder(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	for i := range 3 {
		done := invokeAsync(rt, strconv.Itoa(i), 5*time.Second)
		resp, body := c.next()
		assert.Equal(t, strconv.Itoa(i), string(body))
		c.post("/invocation/"+resp.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", body, nil)
		assert.Equal(t, strconv.Itoa(i), string((<-done).Payload))
	}
}

func TestRuntimeUnknownPath(t *testing.T) {
	rt := newRuntime(t)
	resp, err := http.Get("http://" + rt.Addr() + "/2018-06-01/runtime/nope")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	assert.True(t, strings.Contains(string(b), "NotFound"))
}
