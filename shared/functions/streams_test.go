package functions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/streams"
)

// The sample events' caller and channel (events/*Stream*.json).
const (
	streamsSampleSub     = "6f1c2a4e-1b7d-4f7e-9c1a-2b3c4d5e6f70"
	streamsSampleChannel = "arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456"
	streamsSampleStream  = "st-1AbCdEfGhIjKlMnOpQrStUv"
)

// fakeStreamsAWS answers the IVS and Secrets Manager calls of the streams
// functions and records them.
type fakeStreamsAWS struct {
	mu       sync.Mutex
	ops      []string
	metadata []string
}

func (f *fakeStreamsAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	op := strings.TrimPrefix(r.URL.Path, "/")
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		op = t[strings.LastIndexByte(t, '.')+1:]
	}
	f.mu.Lock()
	f.ops = append(f.ops, op)
	if op == "PutMetadata" {
		f.metadata = append(f.metadata, body["metadata"].(string))
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch op {
	case "PutMetadata":
		w.WriteHeader(http.StatusNoContent)
	case "GetStreamSession":
		_, _ = io.WriteString(w, `{"streamSession":{"streamId":"`+streamsSampleStream+`","ingestConfiguration":{
		  "audio":{"channels":2,"codec":"mp4a.40.2","sampleRate":48000,"targetBitrate":160000},
		  "video":{"codec":"avc1.64001F","targetBitrate":6000000,"targetFramerate":30,"videoHeight":720,"videoWidth":1280}}}}`)
	case "GetSecretValue":
		_, _ = io.WriteString(w, `{"ARN":"arn:secret","SecretString":"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeStreamsAWS) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

// fakeStreamMetrics stands in for CloudWatch (the offline stack's reader
// plugs in the same way).
type fakeStreamMetrics struct{ reqs []streams.MetricsRequest }

func (f *fakeStreamMetrics) Lag() time.Duration { return 30 * time.Second }

func (f *fakeStreamMetrics) ReadMetrics(ctx context.Context, req streams.MetricsRequest) ([]streams.MetricSeries, error) {
	f.reqs = append(f.reqs, req)
	avg := 2.0
	return []streams.MetricSeries{{Name: streams.MetricKeyframeInterval, Timestamps: []time.Time{req.Start}, Values: []float64{2}, Average: &avg}}, nil
}

type streamsFixture struct {
	store   *bolt.Store
	aws     *fakeStreamsAWS
	metrics *fakeStreamMetrics
	now     time.Time
	srvURL  string
}

func newStreamsFixture(t *testing.T) *streamsFixture {
	t.Helper()
	st := bolttest.New(t)
	require.NoError(t, st.CreateUser(context.Background(), onair.User{
		Sub: streamsSampleSub, Username: "viewer42", Email: "viewer42@example.com", ChannelArn: streamsSampleChannel,
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}))
	f := &streamsFixture{store: st, aws: &fakeStreamsAWS{}, metrics: &fakeStreamMetrics{}, now: time.Date(2026, 1, 10, 18, 30, 0, 0, time.UTC)}
	srv := httptest.NewServer(f.aws)
	t.Cleanup(srv.Close)
	f.srvURL = srv.URL
	return f
}

func (f *streamsFixture) deps(name string) *app.Platform {
	env := map[string]string{
		"CHANNELS_TABLE": "channels", "STREAMS_TABLE": "streams", "PROJECT_TAG": "onair-test",
		"PAGINATION_KEY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:pagination-AbCdEf",
		"IVS_CHANNEL_TYPE":          "STANDARD",
	}
	return &app.Platform{
		Name: name,
		Env:  func(k string) string { return env[k] },
		AWS: aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srvURL), Credentials: aws.AnonymousCredentials{},
			Retryer: func() aws.Retryer { return aws.NopRetryer{} }},
		Clock:   func() time.Time { return f.now },
		Offline: app.Offline{Store: f.store, StreamMetrics: f.metrics},
	}
}

func (f *streamsFixture) invoke(t *testing.T, fn, file string) ([]byte, error) {
	t.Helper()
	payload, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	require.NoError(t, err)
	h, err := buildNamed(t.Context(), recordAWS(t, f.deps(fn)))
	require.NoError(t, err)
	return h.Invoke(t.Context(), payload)
}

func (f *streamsFixture) http(t *testing.T, fn, file string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	out, err := f.invoke(t, fn, file)
	require.NoError(t, err)
	var resp events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

func TestStreamEventsServesItsSampleEvents(t *testing.T) {
	f := newStreamsFixture(t)
	ctx := context.Background()
	for _, file := range []string{
		"StreamEvents.json", "StreamEvents.stream-start.json", "StreamEvents.recording.json",
		"StreamEvents.starvation.json", "StreamEvents.limit-breach.json", "StreamEvents.account-limit.json",
	} {
		_, err := f.invoke(t, "StreamEvents", file)
		require.NoError(t, err, file)
	}
	s, err := f.store.GetSession(ctx, streamsSampleChannel, streamsSampleStream)
	require.NoError(t, err)
	assert.True(t, s.Open)
	assert.False(t, s.IsHealthy, "starving")
	assert.True(t, s.HasErrorEvent, "the limit breach without stream_id was matched by time")
	assert.Len(t, s.Events, 5, "the account-level breach is not a session event")
	u, err := f.store.GetUser(ctx, streamsSampleSub)
	require.NoError(t, err)
	assert.Equal(t, streamsSampleStream, u.LiveStreamID)

	_, err = f.invoke(t, "StreamEvents", "StreamEvents.session-ended.json")
	require.NoError(t, err)
	u, err = f.store.GetUser(ctx, streamsSampleSub)
	require.NoError(t, err)
	assert.Nil(t, u.LiveSince, "no longer live")
	assert.Equal(t, []string{"GetStreamSession"}, f.aws.calls(),
		"event processing calls no AWS API but the store, and IVS once on Stream Start (the ingest configuration, for the channel page)")
	assert.NotEmpty(t, s.IngestConfiguration, "cached on Stream Start")
}

func TestStreamHealthFunctionsServeTheirSampleEvents(t *testing.T) {
	f := newStreamsFixture(t)
	for _, file := range []string{"StreamEvents.json", "StreamEvents.stream-start.json"} {
		_, err := f.invoke(t, "StreamEvents", file)
		require.NoError(t, err)
	}
	resp := f.http(t, "ListStreamSessions", "ListStreamSessions.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"streamId":"`+streamsSampleStream+`"`)
	assert.Contains(t, resp.Body, `"isLive":true`)
	assert.Contains(t, resp.Body, `"maxResults":50`)
	assert.Equal(t, []string{"GetStreamSession"}, f.aws.calls(),
		"only Stream Start's ingest configuration; one page: no token to seal, so the key is not even read")

	resp = f.http(t, "GetStreamSession", "GetStreamSession.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"ingestConfiguration":{`)
	assert.Contains(t, resp.Body, `"label":"KeyframeInterval"`)
	assert.Contains(t, resp.Body, `"diagnoses":[]`)
	assert.Equal(t, []string{"GetStreamSession"}, f.aws.calls(), "the configuration cached on Stream Start is served")
	require.Len(t, f.metrics.reqs, 1)
	assert.Equal(t, "AbCdEf123456", f.metrics.reqs[0].ChannelID)
}

func TestOverlayFunctionsServeTheirSampleEvents(t *testing.T) {
	f := newStreamsFixture(t)
	for _, file := range []string{"StreamEvents.json", "StreamEvents.stream-start.json"} {
		_, err := f.invoke(t, "StreamEvents", file)
		require.NoError(t, err)
	}
	resp := f.http(t, "SendStreamAction", "SendStreamAction.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"name":"quiz"`)
	require.Len(t, f.aws.metadata, 1)
	assert.True(t, strings.HasPrefix(f.aws.metadata[0], `{"v":1,"name":"quiz","data":{"question":"Which planet`), f.aws.metadata[0])

	resp = f.http(t, "GetActiveStreamAction", "GetActiveStreamAction.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"name":"quiz"`)

	resp = f.http(t, "SendStreamAction", "SendStreamAction.product.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	resp = f.http(t, "SendStreamAction", "SendStreamAction.stop.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	assert.Equal(t, `{}`, resp.Body)
	resp = f.http(t, "GetActiveStreamAction", "GetActiveStreamAction.json")
	assert.Equal(t, `{}`, resp.Body)

	resp = f.http(t, "PutStreamActionPresets", "PutStreamActionPresets.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	resp = f.http(t, "GetStreamActionPresets", "GetStreamActionPresets.json")
	assert.Equal(t, 200, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"notice":{"title":"Giveaway"`)
	assert.Equal(t, []string{"GetStreamSession", "PutMetadata", "PutMetadata", "PutMetadata"}, f.aws.calls(),
		"Stream Start's ingest configuration, then the overlays")
}

func TestListStreamSessionsNeedsItsKeySecret(t *testing.T) {
	f := newStreamsFixture(t)
	d := f.deps("ListStreamSessions")
	d.Env = func(k string) string {
		if k == "PAGINATION_KEY_SECRET_ARN" {
			return ""
		}
		return "x"
	}
	_, err := buildNamed(t.Context(), d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PAGINATION_KEY_SECRET_ARN")
}

func TestListStreamSessionsPagesWithSealedTokens(t *testing.T) {
	f := newStreamsFixture(t)
	ctx := context.Background()
	for i := range streams.PageSize + 1 {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		_, err := f.store.UpdateSession(ctx, streamsSampleChannel, "st-"+start.Format("20060102150405"), func(s *onair.StreamSession) error {
			s.OwnerSub, s.StartTime, s.EndTime = streamsSampleSub, start, start.Add(30*time.Minute)
			return nil
		})
		require.NoError(t, err)
	}
	resp := f.http(t, "ListStreamSessions", "ListStreamSessions.json")
	require.Equal(t, 200, resp.StatusCode, resp.Body)
	var page struct {
		StreamSessions []map[string]any `json:"streamSessions"`
		NextToken      string           `json:"nextToken"`
	}
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &page))
	assert.Len(t, page.StreamSessions, streams.PageSize)
	require.NotEmpty(t, page.NextToken)
	assert.Equal(t, []string{"GetSecretValue"}, f.aws.calls())

	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "ListStreamSessions.json"))
	require.NoError(t, err)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(raw, &ev))
	ev["rawQueryString"] = "nextToken=" + page.NextToken
	ev["queryStringParameters"] = map[string]string{"nextToken": page.NextToken}
	payload, _ := json.Marshal(ev)
	h, err := buildNamed(t.Context(), f.deps("ListStreamSessions"))
	require.NoError(t, err)
	out, err := h.Invoke(t.Context(), payload)
	require.NoError(t, err)
	var second events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &second))
	require.Equal(t, 200, second.StatusCode, second.Body)
	assert.Contains(t, second.Body, `"streamId":"st-20260101000000"`, "the oldest session is on the second page")
	assert.NotContains(t, second.Body, "nextToken")
}
