package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type call struct {
	function string
	event    Event
}

// fakeInvoker records calls; failures[function] makes the next n calls fail.
type fakeInvoker struct {
	mu       sync.Mutex
	calls    []call
	failures map[string]int
}

func (f *fakeInvoker) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ev Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.calls = append(f.calls, call{function, ev})
	if f.failures[function] > 0 {
		f.failures[function]--
		return nil, errors.New("boom")
	}
	return []byte("null"), nil
}

func (f *fakeInvoker) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

var fixed = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

func newTestBus(t *testing.T, inv Invoker, rules ...Rule) *Bus {
	t.Helper()
	b, err := New(Config{Account: "111122223333", Region: "us-west-2", Rules: rules, Invoker: inv,
		Now: func() time.Time { return fixed }, RetryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return b
}

func waitBus(t *testing.T, b *Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, b.Wait(ctx))
}

func ivsRule() Rule {
	return Rule{Name: "StreamEvents.IVS", Function: "StreamEvents",
		Pattern: json.RawMessage(`{"source":["aws.ivs"],"detail-type":[{"prefix":"IVS Stream"}]}`)}
}

func TestPutEventsDeliversMatchingEntries(t *testing.T) {
	inv := &fakeInvoker{}
	b := newTestBus(t, inv, ivsRule(),
		Rule{Name: "Other", Function: "Other", Pattern: json.RawMessage(`{"source":["onair.test"]}`)})
	srv := httptest.NewServer(b.Handler())
	defer srv.Close()

	body := `{"Entries":[
	  {"Source":"aws.ivs","DetailType":"IVS Stream State Change","Detail":"{\"event_name\": \"Stream Start\"}",
	   "Resources":["arn:aws:ivs:us-west-2:111122223333:channel/abc"],"Time":1768068000},
	  {"Source":"aws.ivs","DetailType":"IVS Limit Breach","Detail":"{}"},
	  {"Source":"aws.ivs","DetailType":"IVS Stream State Change"},
	  {"Source":"aws.ivs","DetailType":"X","Detail":"not json"},
	  {"Source":"aws.ivs","DetailType":"X","Detail":"{}","EventBusName":"custom"}
	]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		FailedEntryCount int
		Entries          []putEventsResultEntry
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	assert.Equal(t, 3, out.FailedEntryCount)
	require.Len(t, out.Entries, 5)
	assert.Len(t, out.Entries[0].EventID, 36)
	assert.NotEmpty(t, out.Entries[1].EventID)
	assert.Equal(t, "InvalidArgument", out.Entries[2].ErrorCode)
	assert.Equal(t, "MalformedDetail", out.Entries[3].ErrorCode)
	assert.Equal(t, "ResourceNotFoundException", out.Entries[4].ErrorCode)

	waitBus(t, b)
	calls := inv.Calls()
	require.Len(t, calls, 1, "only the Stream State Change matches a rule")
	c := calls[0]
	assert.Equal(t, "StreamEvents", c.function)
	assert.Equal(t, out.Entries[0].EventID, c.event.ID)
	assert.Equal(t, "0", c.event.Version)
	assert.Equal(t, "IVS Stream State Change", c.event.DetailType)
	assert.Equal(t, "aws.ivs", c.event.Source)
	assert.Equal(t, "111122223333", c.event.AccountID)
	assert.Equal(t, "us-west-2", c.event.Region)
	assert.Equal(t, "2026-01-10T18:00:00Z", c.event.Time.Format(time.RFC3339))
	assert.Equal(t, []string{"arn:aws:ivs:us-west-2:111122223333:channel/abc"}, c.event.Resources)
	assert.JSONEq(t, `{"event_name":"Stream Start"}`, string(c.event.Detail))
}

func TestPutEventsValidation(t *testing.T) {
	b := newTestBus(t, &fakeInvoker{})
	srv := httptest.NewServer(b.Handler())
	defer srv.Close()
	post := func(target, body string) (int, map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, m := post("AWSEvents.PutEvents", `{"Entries":[]}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ValidationException", m["__type"])
	status, m = post("AWSEvents.PutEvents", `{`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "SerializationException", m["__type"])
	status, m = post("AWSEvents.ListRules", `{}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "UnknownOperationException", m["__type"])
}

func TestPublishRetriesThenDelivers(t *testing.T) {
	inv := &fakeInvoker{failures: map[string]int{"StreamEvents": 2}}
	b := newTestBus(t, inv, ivsRule())
	ev, err := NewEvent("aws.ivs", "IVS Stream State Change", []string{"arn:x"}, time.Time{}, map[string]string{"event_name": "Session Created"})
	require.NoError(t, err)
	ev, err = b.Publish(context.Background(), ev)
	require.NoError(t, err)
	waitBus(t, b)
	calls := inv.Calls()
	require.Len(t, calls, 3, "two failures, then success")
	for _, c := range calls {
		assert.Equal(t, ev.ID, c.event.ID, "retries carry the same event id")
	}
}

func TestPublishGivesUpAfterAttempts(t *testing.T) {
	inv := &fakeInvoker{failures: map[string]int{"StreamEvents": 100}}
	b := newTestBus(t, inv, ivsRule())
	ev, _ := NewEvent("aws.ivs", "IVS Stream Health Change", nil, time.Time{}, map[string]string{})
	_, err := b.Publish(context.Background(), ev)
	require.NoError(t, err)
	waitBus(t, b)
	assert.Len(t, inv.Calls(), 4)
}

func TestPublishKeepsOrderPerTarget(t *testing.T) {
	inv := &fakeInvoker{}
	b := newTestBus(t, inv, ivsRule())
	names := []string{"Session Created", "Stream Start", "Stream End", "Session Ended"}
	for _, n := range names {
		ev, _ := NewEvent("aws.ivs", "IVS Stream State Change", nil, time.Time{}, map[string]string{"event_name": n})
		_, err := b.Publish(context.Background(), ev)
		require.NoError(t, err)
	}
	waitBus(t, b)
	var got []string
	for _, c := range inv.Calls() {
		var d map[string]string
		require.NoError(t, json.Unmarshal(c.event.Detail, &d))
		got = append(got, d["event_name"])
	}
	assert.Equal(t, names, got)
}

func TestNewRejectsBadRule(t *testing.T) {
	_, err := New(Config{Invoker: &fakeInvoker{}, Rules: []Rule{{Name: "bad", Function: "F", Pattern: json.RawMessage(`{"source":"x"}`)}}})
	assert.Error(t, err)
}

func TestPublishAfterCloseFails(t *testing.T) {
	inv := &fakeInvoker{}
	b, err := New(Config{Invoker: inv, Rules: []Rule{ivsRule()}})
	require.NoError(t, err)
	b.Close()
	ev, _ := NewEvent("aws.ivs", "IVS Stream State Change", nil, time.Time{}, map[string]string{})
	_, err = b.Publish(context.Background(), ev)
	assert.Error(t, err)
}
