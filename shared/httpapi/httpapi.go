// Package httpapi is the HTTP edge shared by every route: JSON bodies, the
// error contract ({"__type", "message"}), the caller's identity, and routing.
// A route is a plain http.Handler; Lambda runs it behind the API Gateway
// proxy adapter, the offline stack mounts it on a mux.
package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// MaxBodyBytes bounds request bodies; larger ones get 413.
const MaxBodyBytes = 64 << 10

// MaxPathParamLength bounds each path parameter, as the reference does.
const MaxPathParamLength = 100

// Func is a handler that returns an error instead of writing it.
type Func func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP runs f and writes any error it returns.
func (f Func) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// Status maps an error code to its HTTP status.
func Status(code onair.Code) int {
	switch code {
	case onair.Invalid:
		return http.StatusBadRequest
	case onair.Unauthorized:
		return http.StatusUnauthorized
	case onair.Forbidden:
		return http.StatusForbidden
	case onair.NotFound:
		return http.StatusNotFound
	case onair.Conflict:
		return http.StatusConflict
	case onair.TooLarge:
		return http.StatusRequestEntityTooLarge
	case onair.Throttled:
		return http.StatusTooManyRequests
	case onair.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the error contract of every route.
type ErrorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// WriteError writes err as {"__type","message"} with the status of its code.
// Server-side failures are logged with their cause; client errors at debug.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	code := onair.ErrorCode(err)
	status := Status(code)
	log := telemetry.Logger(r.Context())
	if status >= 500 {
		log.Error("request failed", "status", status, "err", err.Error())
	} else {
		log.Debug("request refused", "status", status, "err", err.Error())
	}
	_ = WriteJSON(w, status, ErrorBody{Type: onair.ErrorType(err), Message: onair.ErrorMessage(err)})
}

// WriteJSON writes v as JSON with status. A 204 gets no body.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// Decode reads a JSON object body into dst. An empty, oversized or malformed
// body is an Invalid (or TooLarge) error with a message that says what is wrong.
func Decode(r *http.Request, dst any) error {
	if r.Body == nil {
		return onair.Errorf(onair.Invalid, "BadRequestException", "Missing request body.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return onair.Wrap(onair.Invalid, "BadRequestException", "Could not read the request body.", err)
	}
	if len(body) > MaxBodyBytes {
		return onair.Errorf(onair.TooLarge, "PayloadTooLargeException", "Request body is larger than %d bytes.", MaxBodyBytes)
	}
	trimmed := strings.TrimSpace(string(body))
	if len(trimmed) == 0 {
		return onair.Errorf(onair.Invalid, "BadRequestException", "Missing request body.")
	}
	// Every route's body is an object. Anything else is refused here rather
	// than left to encoding/json, which reads `null` as "change nothing" (an
	// empty request that would, e.g., replace saved presets with none) and
	// reports an array as a type error without a field.
	if trimmed[0] != '{' {
		if json.Valid(body) {
			return onair.Errorf(onair.Invalid, "BadRequestException", "Request body must be a JSON object.")
		}
		return onair.Errorf(onair.Invalid, "BadRequestException", "Request body is not valid JSON.")
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return typeError("BadRequestException", "", typeErr)
		}
		return onair.Wrap(onair.Invalid, "BadRequestException", "Request body is not valid JSON.", err)
	}
	return nil
}

// DecodeValue reads raw, a JSON value inside a request body that has a
// shape of its own (an overlay's data, a preference), into dst, strictly:
// fields dst does not have, and anything after the value, are refused. at
// is the value's path in the body ("data", "avatar"); messages name fields
// by their path from the body, in Decode's words, so a client sees one
// wording whatever the route:
//
//	Field "data.duration" must be a number.
//	Field "avatar" must be an object.
//	Unknown field "color.hex".
//	Field "data" is not valid JSON.
//
// Errors are Invalid, of type errType (the route's __type for a bad value).
func DecodeValue(raw json.RawMessage, dst any, at, errType string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		// An element of a list of the wrong type: encoding/json names no
		// field, and "must be a string" would describe the list wrongly.
		var typeErr *json.UnmarshalTypeError
		if t := reflect.TypeOf(dst); errors.As(err, &typeErr) && typeErr.Field == "" &&
			t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice && t.Elem().Elem() == typeErr.Type {
			kind := strings.TrimPrefix(strings.TrimPrefix(jsonKind(typeErr.Type), "an "), "a ")
			return onair.Errorf(onair.Invalid, errType, "Field %q must be an array of %ss.", at, kind)
		}
		return ValueError(err, at, errType)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return onair.Errorf(onair.Invalid, errType, "Field %q must be a single JSON value.", at)
	}
	return nil
}

// ValueError words an encoding/json error of decoding the value at path at
// (see DecodeValue), for values decoded leniently with json.Unmarshal.
func ValueError(err error, at, errType string) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return typeError(errType, at, typeErr)
	}
	// encoding/json has no error type for an unknown field, only this text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, uerr := strconv.Unquote(name)
		if uerr != nil {
			field = name
		}
		return onair.Errorf(onair.Invalid, errType, "Unknown field %q.", joinPath(at, field))
	}
	return onair.Wrap(onair.Invalid, errType, fmt.Sprintf("Field %q is not valid JSON.", at), err)
}

// typeError is the one wording of a value of the wrong JSON type.
func typeError(errType, at string, e *json.UnmarshalTypeError) error {
	return onair.Errorf(onair.Invalid, errType, "Field %q must be %s.", joinPath(at, e.Field), jsonKind(e.Type))
}

func joinPath(at, field string) string {
	switch {
	case at == "":
		return field
	case field == "":
		return at
	}
	return at + "." + field
}

// jsonKind names a Go type the way a JSON client thinks of it ("a number",
// not "a int").
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of another type"
}

var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_]+)\.{0,3}\}`)

// Route returns a handler serving h at pattern ("GET /channels/{username}")
// and a JSON 404/405 for anything else. Path parameters longer than
// MaxPathParamLength are refused with 400, as the reference does.
func Route(pattern string, h http.Handler) http.Handler {
	return Routes(map[string]http.Handler{pattern: h})
}

// Routes is Route for a function that serves several patterns (e.g. the same
// path under two methods).
func Routes(routes map[string]http.Handler) http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range routes {
		var names []string
		for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
			names = append(names, m[1])
		}
		mux.Handle(pattern, checkParams(names, h))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, onair.Errorf(onair.NotFound, "NotFoundException", "No route for %s %s.", r.Method, r.URL.Path))
	})
	return mux
}

func checkParams(names []string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, n := range names {
			if v := r.PathValue(n); len(v) > MaxPathParamLength {
				WriteError(w, r, onair.Errorf(onair.Invalid, "BadRequestException",
					"params/%s must NOT have more than %d characters", n, MaxPathParamLength))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
