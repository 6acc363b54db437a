package eventbus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// TargetPrefix is the X-Amz-Target prefix of EventBridge operations
// (`AWSEvents.PutEvents`). The offline program routes `POST /` requests whose
// target starts with it to Handler.
const TargetPrefix = "AWSEvents."

// maxEntrySize is EventBridge's limit on one entry (and on the whole request).
const maxEntrySize = 256 * 1024

// Operations lists the API operations Handler serves: what the conformance
// suite (local/conformance/events) must cover.
func Operations() []string { return []string{"PutEvents"} }

// Handler serves the EventBridge JSON 1.1 API on `POST /`: PutEvents only.
func (b *Bus) Handler() http.Handler {
	return http.HandlerFunc(b.serveHTTP)
}

type putEventsInput struct {
	Entries []struct {
		Source       *string         `json:"Source"`
		DetailType   *string         `json:"DetailType"`
		Detail       *string         `json:"Detail"`
		Resources    []string        `json:"Resources"`
		Time         json.RawMessage `json:"Time"`
		EventBusName string          `json:"EventBusName"`
		TraceHeader  string          `json:"TraceHeader"`
	} `json:"Entries"`
	EndpointID string `json:"EndpointId"`
}

type putEventsResultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

func (b *Bus) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSONError(w, http.StatusMethodNotAllowed, "UnknownOperationException", "EventBridge operations are POST requests.")
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if target != TargetPrefix+"PutEvents" {
		writeJSONError(w, http.StatusBadRequest, "UnknownOperationException",
			fmt.Sprintf("Operation %q is not supported by the offline EventBridge (only PutEvents).", strings.TrimPrefix(target, TargetPrefix)))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 11*maxEntrySize))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "Could not read the request body.")
		return
	}
	if len(body) > 10*maxEntrySize {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "ValidationException", "Total size of the entries in the request is over the limit.")
		return
	}
	var in putEventsInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "The request body is not valid JSON.")
		return
	}
	if len(in.Entries) < 1 || len(in.Entries) > 10 {
		writeJSONError(w, http.StatusBadRequest, "ValidationException",
			"1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10")
		return
	}
	out := struct {
		FailedEntryCount int                    `json:"FailedEntryCount"`
		Entries          []putEventsResultEntry `json:"Entries"`
	}{Entries: []putEventsResultEntry{}}
	for _, e := range in.Entries {
		res := b.putEntry(r, e.Source, e.DetailType, e.Detail, e.Resources, e.Time, e.EventBusName)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		}
		out.Entries = append(out.Entries, res)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", NewUUID())
	_ = json.NewEncoder(w).Encode(out)
}

func (b *Bus) putEntry(r *http.Request, source, detailType, detail *string, resources []string, rawTime json.RawMessage, busName string) putEventsResultEntry {
	invalid := func(param, reason string) putEventsResultEntry {
		return putEventsResultEntry{ErrorCode: "InvalidArgument",
			ErrorMessage: fmt.Sprintf("Parameter %s is not valid. Reason: %s", param, reason)}
	}
	if !b.isDefaultBus(busName) {
		return putEventsResultEntry{ErrorCode: "ResourceNotFoundException",
			ErrorMessage: fmt.Sprintf("Event bus %s does not exist.", busName)}
	}
	if source == nil || *source == "" {
		return invalid("Source", "Source is a required argument.")
	}
	if detailType == nil || *detailType == "" {
		return invalid("DetailType", "DetailType is a required argument.")
	}
	if detail == nil || *detail == "" {
		return invalid("Detail", "Detail is a required argument.")
	}
	if len(*source)+len(*detailType)+len(*detail) > maxEntrySize {
		return invalid("Detail", "Entry size is over the limit of 256 KB.")
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(*detail), &obj); err != nil || obj == nil {
		return putEventsResultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	t, err := parseEntryTime(rawTime)
	if err != nil {
		return invalid("Time", err.Error())
	}
	// Compact the detail so the delivered envelope is the same whatever the
	// caller's formatting.
	var compact bytes.Buffer
	_ = json.Compact(&compact, []byte(*detail))
	ev := Event{Source: *source, DetailType: *detailType, Resources: resources, Detail: compact.Bytes()}
	ev.Time = t // zero: Publish stamps the time of publication
	ev, err = b.Publish(r.Context(), ev)
	if err != nil {
		return putEventsResultEntry{ErrorCode: "InternalException", ErrorMessage: err.Error()}
	}
	return putEventsResultEntry{EventID: ev.ID}
}

func (b *Bus) isDefaultBus(name string) bool {
	return name == "" || name == "default" ||
		name == fmt.Sprintf("arn:aws:events:%s:%s:event-bus/default", b.cfg.Region, b.cfg.Account)
}

// parseEntryTime reads a JSON 1.1 timestamp: epoch seconds (what the SDKs and
// the CLI send) or an ISO-8601 string.
func parseEntryTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err == nil {
		whole, frac := math.Modf(secs)
		return time.Unix(int64(whole), int64(frac*1e9)), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("Time must be epoch seconds or an ISO-8601 timestamp.")
}

func writeJSONError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", NewUUID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
