// Package awstest fakes AWS service endpoints for the adapters' tests: a
// local server with an SDK config that sends every call to it, and a fake
// that answers JSON operations (rest-json and awsJson) from scripted replies
// and records what it was sent.
package awstest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Server serves h on a local httptest server until the test ends and
// returns a config that sends every SDK call there: region us-east-1,
// static test credentials (requests are signed as in production), and no
// retries, so that the server sees each call exactly once.
func Server(t testing.TB, h http.Handler) aws.Config {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "awstest"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// Reply is one scripted answer.
type Reply struct {
	Status int // 0: 200
	// ErrType is sent as X-Amzn-ErrorType, where rest-json services name
	// their errors; awsJson services name theirs in the body's __type.
	ErrType string
	Body    string
}

// Call is one request the fake received.
type Call struct {
	Op   string
	Body map[string]any // the request's JSON body (nil if none)
}

// Fake answers AWS JSON operations from Replies, keyed by operation name:
// the X-Amz-Target's operation for awsJson services (POST / with
// X-Amz-Target: Service.Operation), else the path's for rest-json ones
// (POST /<Operation>). The replies of one operation are used in order and
// the last one repeats. An operation with none gets a 400
// ValidationException, which fails the call under test. Safe for
// concurrent calls.
type Fake struct {
	Replies map[string][]Reply

	mu    sync.Mutex
	calls []Call
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	op := strings.TrimPrefix(r.URL.Path, "/")
	w.Header().Set("Content-Type", "application/json")
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op = target[strings.LastIndex(target, ".")+1:]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	}
	f.calls = append(f.calls, Call{Op: op, Body: body})
	rs := f.Replies[op]
	if len(rs) == 0 {
		msg, _ := json.Marshal("unexpected call " + op)
		w.Header().Set("X-Amzn-ErrorType", "ValidationException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"ValidationException","message":`+string(msg)+`,"exceptionMessage":`+string(msg)+`}`)
		return
	}
	rp := rs[0]
	if len(rs) > 1 {
		f.Replies[op] = rs[1:]
	}
	if rp.ErrType != "" {
		w.Header().Set("X-Amzn-ErrorType", rp.ErrType)
	}
	if rp.Status != 0 {
		w.WriteHeader(rp.Status)
	}
	_, _ = io.WriteString(w, rp.Body)
}

// Calls returns the requests received so far, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Ops returns the operations called so far, in order.
func (f *Fake) Ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.Op)
	}
	return out
}

// Body returns the body of the i-th request (from 0).
func (f *Fake) Body(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[i].Body
}
