// Package events is the conformance suite of Amazon EventBridge's PutEvents
// on the default bus (the one operation the offline bus serves), checked
// against local/internal/eventbus in `make test` and against AWS with -tags
// awsconformance. onair has no EventBridge SDK dependency, so the suite
// sends signed JSON 1.1 requests.
package events

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// Service is the id operations are recorded under ("EventBridge/PutEvents").
const Service = "EventBridge"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

type entry map[string]any

type result struct {
	FailedEntryCount int
	Entries          []struct {
		EventID      string `json:"EventId"`
		ErrorCode    string
		ErrorMessage string
	}
}

func putEvents(t *testing.T, target conformance.Target, entries []entry) (conformance.Response, result) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"Entries": entries})
	require.NoError(t, err)
	h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AWSEvents.PutEvents"}}
	res, err := target.Signed(t.Context(), Service+"/PutEvents", "events", "events", http.MethodPost, "/", h, body)
	require.NoError(t, err)
	var out result
	if res.Status == http.StatusOK {
		require.NoError(t, json.Unmarshal(res.Body, &out), string(res.Body))
	}
	return res, out
}

// Run runs every case against target. The events go to the default bus
// with source "onair.conformance" (no rule of onair's matches it).
func Run(t *testing.T, target conformance.Target) {
	ok := func(n int) entry {
		return entry{"Source": "onair.conformance", "DetailType": "Conformance Check", "Detail": `{"n":` + string(rune('0'+n)) + `}`,
			"Resources": []string{"arn:aws:ivs:us-east-1:123456789012:channel/AAAAAAAAAAAA"}}
	}
	t.Run("Accepted", func(t *testing.T) {
		t.Parallel()
		res, out := putEvents(t, target, []entry{ok(1), ok(2)})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		assert.Equal(t, 0, out.FailedEntryCount)
		require.Len(t, out.Entries, 2, "one result per entry, in order")
		for _, e := range out.Entries {
			assert.Regexp(t, uuidPattern, e.EventID)
			assert.Empty(t, e.ErrorCode)
		}
		assert.NotEqual(t, out.Entries[0].EventID, out.Entries[1].EventID)
	})
	t.Run("PartialFailure", func(t *testing.T) {
		t.Parallel()
		noType := ok(1)
		delete(noType, "DetailType")
		badDetail := ok(2)
		badDetail["Detail"] = "not json"
		res, out := putEvents(t, target, []entry{ok(0), noType, badDetail})
		require.Equal(t, http.StatusOK, res.Status, "entry errors are per entry, not the request's: %s", res.Body)
		assert.Equal(t, 2, out.FailedEntryCount)
		require.Len(t, out.Entries, 3)
		assert.Regexp(t, uuidPattern, out.Entries[0].EventID)
		assert.Equal(t, "InvalidArgument", out.Entries[1].ErrorCode)
		assert.Empty(t, out.Entries[1].EventID)
		assert.Equal(t, "MalformedDetail", out.Entries[2].ErrorCode)
	})
	t.Run("TooManyEntries", func(t *testing.T) {
		t.Parallel()
		var entries []entry
		for i := range 11 {
			entries = append(entries, ok(i%10))
		}
		res, _ := putEvents(t, target, entries)
		assert.Equal(t, http.StatusBadRequest, res.Status)
		assert.Equal(t, "ValidationException", res.ErrorType(), string(res.Body))
		res, _ = putEvents(t, target, []entry{})
		assert.Equal(t, http.StatusBadRequest, res.Status)
		assert.True(t, strings.HasSuffix(res.ErrorType(), "ValidationException"), string(res.Body))
	})
}
