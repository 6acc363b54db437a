// Package host runs onair's functions in the offline stack's process, the
// way Lambda runs them: each function is built once from its template
// environment (app.Function.Build), then invoked with a JSON payload, a request id and
// a deadline from its Timeout. Gateway routes, Cognito triggers, EventBridge
// rules and the Lambda Invoke API all go through Invoke.
package host

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Function says how to build and run one function.
type Function struct {
	Name    string
	Timeout time.Duration
	// Build makes the function's handler (on its first invocation).
	Build func(ctx context.Context) (lambda.Handler, error)
}

// Host invokes functions in process.
type Host struct {
	logger    *slog.Logger
	functions map[string]Function
	region    string
	account   string

	mu    sync.Mutex
	idle  map[string][]lambda.Handler // built instances not in use, per function
	built map[string]int              // instances built per function (what Lambda calls environments)
}

// New returns a host for the given functions.
func New(functions []Function, region, account string, logger *slog.Logger) *Host {
	m := make(map[string]Function, len(functions))
	for _, f := range functions {
		m[f.Name] = f
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Host{logger: logger, functions: m, region: region, account: account,
		idle: map[string][]lambda.Handler{}, built: map[string]int{}}
}

// ErrUnknownFunction is returned for a function the template does not declare.
type ErrUnknownFunction struct{ Name string }

func (e ErrUnknownFunction) Error() string { return fmt.Sprintf("function not found: %s", e.Name) }

// Has reports whether the template declares the function.
func (h *Host) Has(name string) bool {
	_, ok := h.functions[name]
	return ok
}

// Names lists the functions.
func (h *Host) Names() []string {
	out := make([]string, 0, len(h.functions))
	for n := range h.functions {
		out = append(out, n)
	}
	return out
}

// acquire takes an idle instance of the function, or builds one. An
// instance serves one invocation at a time, as a Lambda execution
// environment does: aws-lambda-go returns a response slice from a buffer it
// reuses for the next invocation of the same handler, so two concurrent
// invocations of one instance could hand one caller another's response.
func (h *Host) acquire(ctx context.Context, name string) (lambda.Handler, Function, error) {
	f, ok := h.functions[name]
	if !ok {
		return nil, Function{}, ErrUnknownFunction{name}
	}
	h.mu.Lock()
	if idle := h.idle[name]; len(idle) > 0 {
		hd := idle[len(idle)-1]
		h.idle[name] = idle[:len(idle)-1]
		h.mu.Unlock()
		return hd, f, nil
	}
	h.mu.Unlock()
	hd, err := f.Build(ctx)
	if err != nil {
		return nil, f, err
	}
	h.mu.Lock()
	h.built[name]++
	h.mu.Unlock()
	return hd, f, nil
}

// release returns an instance whose invocation is over (and whose response
// has been copied out) to the idle list.
func (h *Host) release(name string, hd lambda.Handler) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.idle[name] = append(h.idle[name], hd)
}

// Instances reports how many instances of the function have been built.
func (h *Host) Instances(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.built[name]
}

// FunctionError is a function's own failure (Lambda's "Unhandled" error),
// as opposed to a failure to run it.
type FunctionError struct {
	Function string
	Message  string
	Type     string
}

func (e *FunctionError) Error() string { return e.Message }

// Invoke runs the function with payload and returns its response.
func (h *Host) Invoke(ctx context.Context, name string, payload []byte) (out []byte, err error) {
	hd, f, err := h.acquire(ctx, name)
	if err != nil {
		return nil, err
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	reqID := newUUID()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       reqID,
		InvokedFunctionArn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", h.region, h.account, name),
	})
	start := time.Now()
	defer func() {
		// A crashed instance is dropped, as Lambda resets a crashed
		// environment; the next invocation builds a fresh one.
		if r := recover(); r != nil {
			h.logger.Error("function panicked", "function", name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			out, err = nil, &FunctionError{Function: name, Message: fmt.Sprint(r), Type: "Runtime.Panic"}
		}
	}()
	out, err = hd.Invoke(ctx, payload)
	// Copy before the instance can run again: out may alias its reused buffer.
	out = bytes.Clone(out)
	h.release(name, hd)
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = &FunctionError{Function: name, Message: fmt.Sprintf("Task timed out after %s", timeout), Type: "Sandbox.Timedout"}
		} else {
			err = &FunctionError{Function: name, Message: err.Error(), Type: "Runtime.Error"}
		}
		h.logger.Info(fmt.Sprintf("λ %s failed in %s: %s", name, elapsed, err), "requestId", reqID)
		return nil, err
	}
	h.logger.Info(fmt.Sprintf("λ %s %s", name, elapsed), "requestId", reqID)
	return out, nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
