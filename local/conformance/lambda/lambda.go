// Package lambda is the conformance suite of AWS Lambda's Invoke (the one
// operation the offline Lambda API serves), checked against
// local/internal/lambdaapi in `make test` and against AWS with -tags
// awsconformance. onair has no Lambda SDK dependency, so the suite sends
// signed rest-json requests.
package lambda

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// Service is the id operations are recorded under ("Lambda/Invoke").
const Service = "Lambda"

// Functions names the functions the suite invokes. Echo returns its event
// unchanged; Fail returns an error (a Go handler's errors.New("boom")).
// Empty names skip the cases that need them.
type Functions struct {
	Echo string
	Fail string
}

func invoke(t *testing.T, target conformance.Target, function, invocationType string, payload []byte) conformance.Response {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	if invocationType != "" {
		h.Set("X-Amz-Invocation-Type", invocationType)
	}
	res, err := target.Signed(t.Context(), Service+"/Invoke", "lambda", "lambda", http.MethodPost,
		"/2015-03-31/functions/"+url.PathEscape(function)+"/invocations", h, payload)
	require.NoError(t, err)
	return res
}

// Run runs every case against target with fns.
func Run(t *testing.T, target conformance.Target, fns Functions) {
	t.Run("UnknownFunction", func(t *testing.T) {
		t.Parallel()
		name := target.Unique("missing")
		for _, typ := range []string{"", "RequestResponse", "Event", "DryRun"} {
			res := invoke(t, target, name, typ, []byte(`{}`))
			assert.Equal(t, http.StatusNotFound, res.Status, "%s: %s", typ, res.Body)
			assert.Equal(t, "ResourceNotFoundException", res.ErrorType(), typ)
		}
	})
	t.Run("RequestResponse", func(t *testing.T) {
		t.Parallel()
		if fns.Echo == "" {
			t.Skip("needs an echo function (set ONAIR_CONFORMANCE_ECHO_FUNCTION on AWS)")
		}
		res := invoke(t, target, fns.Echo, "", []byte(`{"hello":"world","n":1}`))
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		assert.JSONEq(t, `{"hello":"world","n":1}`, string(res.Body))
		assert.Empty(t, res.Header.Get("X-Amz-Function-Error"))
		assert.Equal(t, "$LATEST", res.Header.Get("X-Amz-Executed-Version"))
	})
	t.Run("EventAndDryRun", func(t *testing.T) {
		t.Parallel()
		if fns.Echo == "" {
			t.Skip("needs an echo function (set ONAIR_CONFORMANCE_ECHO_FUNCTION on AWS)")
		}
		res := invoke(t, target, fns.Echo, "Event", []byte(`{}`))
		assert.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
		res = invoke(t, target, fns.Echo, "DryRun", []byte(`{}`))
		assert.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
		res = invoke(t, target, fns.Echo, "Sometimes", []byte(`{}`))
		assert.Equal(t, http.StatusBadRequest, res.Status, string(res.Body))
	})
	t.Run("InvalidPayload", func(t *testing.T) {
		t.Parallel()
		if fns.Echo == "" {
			t.Skip("needs an echo function (set ONAIR_CONFORMANCE_ECHO_FUNCTION on AWS)")
		}
		res := invoke(t, target, fns.Echo, "", []byte(`{not json`))
		assert.Equal(t, http.StatusBadRequest, res.Status, string(res.Body))
		assert.Equal(t, "InvalidRequestContentException", res.ErrorType(), string(res.Body))
	})
	t.Run("FunctionError", func(t *testing.T) {
		t.Parallel()
		if fns.Fail == "" {
			t.Skip("needs a failing function (set ONAIR_CONFORMANCE_FAIL_FUNCTION on AWS)")
		}
		res := invoke(t, target, fns.Fail, "", []byte(`{}`))
		require.Equal(t, http.StatusOK, res.Status, "a function's error is a 200 with X-Amz-Function-Error: %s", res.Body)
		assert.Equal(t, "Unhandled", res.Header.Get("X-Amz-Function-Error"))
		var payload struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		require.NoError(t, json.Unmarshal(res.Body, &payload), string(res.Body))
		assert.Equal(t, "boom", payload.ErrorMessage)
		assert.NotEmpty(t, payload.ErrorType)
	})
}
