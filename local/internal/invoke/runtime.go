// Package invoke runs a function's real binary the way Lambda does: an
// in-repo implementation of the Lambda Runtime API (the HTTP protocol a
// provided.al2023 bootstrap speaks) on a loopback port, the binary started
// with AWS_LAMBDA_RUNTIME_API pointing at it and the function's environment
// from template.yaml, one event sent, the response returned. `make invoke`
// is its command line (Main); the offline stack and the cold-start
// measurements reuse Runtime and Run.
package invoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxResponseBytes is Lambda's limit on a synchronous response payload.
const MaxResponseBytes = 6 << 20

// FunctionError is the error a function (or its runtime) reported, in the
// Runtime API's shape, which is also what Lambda's Invoke returns.
type FunctionError struct {
	Message    string `json:"errorMessage"`
	Type       string `json:"errorType"`
	StackTrace []any  `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// Response is the outcome of one invocation.
type Response struct {
	RequestID string
	// Payload is the function's response (nil when it failed).
	Payload []byte
	// Err is set when the function reported an error or timed out.
	Err *FunctionError
	// Duration runs from the runtime receiving the event to its answer.
	Duration time.Duration
}

// Runtime serves the Lambda Runtime API for one execution environment: the
// bootstrap polls /next for an event and posts its response or error.
// Invocations are handed out one at a time, in order.
type Runtime struct {
	functionArn string
	ln          net.Listener
	srv         *http.Server
	now         func() time.Time

	queue    chan *invocation
	ready    chan struct{} // closed at the first /next: init is over
	readyAt  time.Time
	initErr  chan *FunctionError
	once     sync.Once
	mu       sync.Mutex
	inflight map[string]*invocation
	closed   chan struct{}
}

type invocation struct {
	id       string
	payload  []byte
	timeout  time.Duration
	deadline time.Time
	trace    string
	sentAt   time.Time
	done     chan Response
}

// NewRuntime starts a Runtime on a free loopback port. functionArn is what
// the function sees as its invoked ARN.
func NewRuntime(functionArn string) (*Runtime, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api: %w", err)
	}
	rt := &Runtime{
		functionArn: functionArn,
		ln:          ln,
		now:         time.Now,
		queue:       make(chan *invocation),
		ready:       make(chan struct{}),
		initErr:     make(chan *FunctionError, 1),
		inflight:    map[string]*invocation{},
		closed:      make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.initError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, FunctionError{Type: "NotFound", Message: "no Runtime API resource " + r.Method + " " + r.URL.Path})
	})
	rt.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rt.srv.Serve(ln) }()
	return rt, nil
}

// Addr is the host:port for AWS_LAMBDA_RUNTIME_API.
func (rt *Runtime) Addr() string { return rt.ln.Addr().String() }

// Ready is closed when the runtime first asks for an event (its init is done).
func (rt *Runtime) Ready() <-chan struct{} { return rt.ready }

// ReadyAt is when Ready closed (zero before).
func (rt *Runtime) ReadyAt() time.Time {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.readyAt
}

// InitError delivers the error the runtime posted to /init/error, if any.
func (rt *Runtime) InitError() <-chan *FunctionError { return rt.initErr }

// Close stops the server; pending invocations fail.
func (rt *Runtime) Close() error {
	rt.once.Do(func() { close(rt.closed) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := rt.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = rt.srv.Close()
	}
	return err
}

// ErrClosed is returned by Invoke when the Runtime is closed.
var ErrClosed = errors.New("runtime api closed")

// Invoke hands payload to the runtime and waits for its answer. timeout is
// the function's timeout: the runtime gets it as its deadline, and when it
// passes Invoke returns a Sandbox.Timedout error (the caller should then
// stop the process, as Lambda does). ctx bounds the wait for the runtime to
// take the event too.
func (rt *Runtime) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Response, error) {
	inv := &invocation{
		id:      newRequestID(),
		payload: payload,
		timeout: timeout,
		trace:   newTraceID(rt.now()),
		done:    make(chan Response, 1),
	}
	select {
	case rt.queue <- inv:
	case <-ctx.Done():
		return Response{}, fmt.Errorf("the runtime did not ask for the event: %w", ctx.Err())
	case <-rt.closed:
		return Response{}, ErrClosed
	}
	// The timeout runs from the hand-over; next gave the runtime the same
	// deadline.
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case resp := <-inv.done:
		return resp, nil
	case <-timer.C:
		rt.forget(inv.id)
		return Response{RequestID: inv.id, Duration: timeout, Err: &FunctionError{
			Type:    "Sandbox.Timedout",
			Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, timeout.Seconds()),
		}}, nil
	case <-ctx.Done():
		rt.forget(inv.id)
		return Response{}, ctx.Err()
	case <-rt.closed:
		return Response{}, ErrClosed
	}
}

// Fail ends the invocation in flight, if any, with err (the process died).
func (rt *Runtime) Fail(err *FunctionError) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for id, inv := range rt.inflight {
		delete(rt.inflight, id)
		inv.done <- Response{RequestID: id, Err: err, Duration: rt.now().Sub(inv.sentAt)}
	}
}

func (rt *Runtime) forget(id string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	delete(rt.inflight, id)
}

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	rt.mu.Lock()
	if rt.readyAt.IsZero() {
		rt.readyAt = rt.now()
		close(rt.ready)
	}
	rt.mu.Unlock()
	var inv *invocation
	select {
	case inv = <-rt.queue:
	case <-r.Context().Done():
		return
	case <-rt.closed:
		writeJSON(w, http.StatusInternalServerError, FunctionError{Type: "Runtime.Closed", Message: "the execution environment is shutting down"})
		return
	}
	rt.mu.Lock()
	inv.sentAt = rt.now()
	inv.deadline = inv.sentAt.Add(inv.timeout)
	rt.inflight[inv.id] = inv
	rt.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", rt.functionArn)
	h.Set("Lambda-Runtime-Trace-Id", inv.trace)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (rt *Runtime) take(w http.ResponseWriter, r *http.Request) (*invocation, bool) {
	id := r.PathValue("id")
	rt.mu.Lock()
	inv, ok := rt.inflight[id]
	if ok {
		delete(rt.inflight, id)
	}
	rt.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, FunctionError{Type: "InvalidRequestID", Message: "no invocation in flight with request id " + id})
	}
	return inv, ok
}

func (rt *Runtime) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, FunctionError{Type: "InvalidRequest", Message: err.Error()})
		return
	}
	inv, ok := rt.take(w, r)
	if !ok {
		return
	}
	resp := Response{RequestID: inv.id, Duration: rt.now().Sub(inv.sentAt)}
	if len(body) > MaxResponseBytes {
		resp.Err = &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes)}
		inv.done <- resp
		writeJSON(w, http.StatusRequestEntityTooLarge, resp.Err)
		return
	}
	resp.Payload = body
	inv.done <- resp
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (rt *Runtime) invocationError(w http.ResponseWriter, r *http.Request) {
	fe := readError(r)
	inv, ok := rt.take(w, r)
	if !ok {
		return
	}
	inv.done <- Response{RequestID: inv.id, Err: fe, Duration: rt.now().Sub(inv.sentAt)}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (rt *Runtime) initError(w http.ResponseWriter, r *http.Request) {
	fe := readError(r)
	select {
	case rt.initErr <- fe:
	default: // only the first one counts
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

// readError reads an error body; the Lambda-Runtime-Function-Error-Type
// header names the type when the body does not.
func readError(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	fe := &FunctionError{}
	if err := json.Unmarshal(body, fe); err != nil || (fe.Message == "" && fe.Type == "") {
		fe = &FunctionError{Message: strings.TrimSpace(string(body))}
	}
	if fe.Type == "" {
		fe.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newRequestID returns a UUID v4, as Lambda's request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header that is not sampled, so the
// X-Ray SDK in the function sends nothing.
func newTraceID(now time.Time) string {
	var root [12]byte
	var parent [8]byte
	_, _ = rand.Read(root[:])
	_, _ = rand.Read(parent[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), hex.EncodeToString(root[:]), hex.EncodeToString(parent[:]))
}
