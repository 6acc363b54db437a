// Package lambdaapi serves the AWS Lambda Invoke API offline, like
// `sam local start-lambda`: `POST /2015-03-31/functions/{FunctionName}/invocations`
// runs the function through an Invoker, so `aws lambda invoke --endpoint-url`
// and SDK clients work against the offline stack.
package lambdaapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// PathPrefix is where the API is mounted; requests are
// POST PathPrefix + "{FunctionName}/invocations".
const PathPrefix = "/2015-03-31/functions/"

// Pattern is a net/http ServeMux pattern for the Invoke route.
const Pattern = "POST /2015-03-31/functions/{function}/invocations"

// Invoker runs a function (same contract as eventbus.Invoker).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// ErrFunctionNotFound is what an Invoker returns (wrapped or not) for a
// function that does not exist; the API answers 404 ResourceNotFoundException.
var ErrFunctionNotFound = errors.New("function not found")

// FunctionError is the error an Invoker returns when the function itself
// failed. Its JSON is Lambda's error payload.
type FunctionError struct {
	Message    string   `json:"errorMessage"`
	Type       string   `json:"errorType"`
	StackTrace []string `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Config configures the API.
type Config struct {
	Invoker Invoker
	// Exists reports whether a function exists; nil means "ask the Invoker"
	// (unknown functions then surface as ErrFunctionNotFound).
	Exists  func(function string) bool
	Account string // for ARNs in messages; default "000000000000"
	Region  string // default "us-east-1"
	Logger  *slog.Logger
}

// API is the Lambda Invoke API.
type API struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
}

// New returns the API. Close stops asynchronous (Event) invocations in flight.
func New(cfg Config) *API {
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &API{cfg: cfg, ctx: ctx, cancel: cancel}
}

// Close cancels asynchronous invocations still running.
func (a *API) Close() { a.cancel() }

const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 1024 * 1024
)

// Operations lists the API operations served: what the conformance suite
// (local/conformance/lambda) must cover.
func Operations() []string { return []string{"Invoke"} }

// ServeHTTP handles POST PathPrefix{FunctionName}/invocations.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), PathPrefix)
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if !ok || !ok2 || name == "" || strings.Contains(name, "/") {
		a.writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Unknown Lambda API path "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		a.writeError(w, http.StatusMethodNotAllowed, "InvalidRequestContentException", "Invoke is a POST request.")
		return
	}
	function := FunctionName(unescape(name))
	invocationType := r.Header.Get("X-Amz-Invocation-Type")
	if invocationType == "" {
		invocationType = "RequestResponse"
	}
	limit := maxSyncPayload
	if invocationType == "Event" {
		limit = maxAsyncPayload
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		a.writeError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not read the request payload.")
		return
	}
	if len(payload) > limit {
		a.writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the %s invocation type", limit, invocationType))
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		a.writeError(w, http.StatusBadRequest, "InvalidRequestContentException",
			"Could not parse request body into json: the payload is not valid JSON.")
		return
	}
	if a.cfg.Exists != nil && !a.cfg.Exists(function) {
		a.notFound(w, function)
		return
	}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	switch invocationType {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	case "Event":
		go a.invokeAsync(function, payload)
		w.WriteHeader(http.StatusAccepted)
	case "RequestResponse":
		a.invokeSync(w, r, function, payload)
	default:
		a.writeError(w, http.StatusBadRequest, "InvalidParameterValueException",
			"X-Amz-Invocation-Type must be RequestResponse, Event or DryRun.")
	}
}

func (a *API) invokeSync(w http.ResponseWriter, r *http.Request, function string, payload []byte) {
	out, err := a.cfg.Invoker.Invoke(r.Context(), function, payload)
	if errors.Is(err, ErrFunctionNotFound) {
		a.notFound(w, function)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		a.cfg.Logger.Warn("lambda: function error", "function", function, "error", err.Error())
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(errorPayload(err))
		return
	}
	a.cfg.Logger.Info("lambda: invoked", "function", function, "invocation_type", "RequestResponse")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func (a *API) invokeAsync(function string, payload []byte) {
	_, err := a.cfg.Invoker.Invoke(a.ctx, function, payload)
	if err != nil {
		a.cfg.Logger.Error("lambda: asynchronous invocation failed", "function", function, "error", err.Error())
		return
	}
	a.cfg.Logger.Info("lambda: invoked", "function", function, "invocation_type", "Event")
}

// errorPayload is the body Lambda returns for an unhandled function error.
func errorPayload(err error) []byte {
	var fe *FunctionError
	if !errors.As(err, &fe) {
		fe = &FunctionError{Message: err.Error(), Type: errorTypeName(err)}
	}
	b, _ := json.Marshal(fe)
	return b
}

// errorTypeName mirrors the Go runtime, which reports the error's type name.
func errorTypeName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return "error"
	}
	return t.Name()
}

// FunctionName extracts the function name from a name, a partial ARN
// ("123456789012:function:Name") or a full ARN, dropping any qualifier.
func FunctionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
	}
	if i := strings.Index(s, ":"); i >= 0 {
		s = s[:i]
	}
	return s
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func (a *API) notFound(w http.ResponseWriter, function string) {
	a.writeError(w, http.StatusNotFound, "ResourceNotFoundException",
		fmt.Sprintf("Function not found: arn:aws:lambda:%s:%s:function:%s", a.cfg.Region, a.cfg.Account, function))
}

func (a *API) writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": msg})
}
