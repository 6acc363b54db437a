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
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/onair"
)

// fakeAssetAWS answers S3 DeleteObject (path-style) and Secrets Manager
// GetSecretValue, and records the calls.
type fakeAssetAWS struct {
	mu     sync.Mutex
	calls  []string
	secret string
}

func (f *fakeAssetAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		f.calls = append(f.calls, t)
		b, _ := json.Marshal(map[string]string{"ARN": "arn:secret", "Name": "products", "SecretString": f.secret})
		_, _ = w.Write(b)
		return
	}
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	w.WriteHeader(http.StatusNoContent)
}

type assetFixture struct {
	store *bolt.Store
	api   *fakeAssetAWS
	deps  func(name string) *app.Platform
	url   string
}

// newAssetFixture has the sample caller (events/*.json) provisioned, with the
// asset id derived from the sub as provisioning derives it.
func newAssetFixture(t *testing.T) *assetFixture {
	t.Helper()
	st := bolttest.New(t)
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	require.NoError(t, st.CreateUser(context.Background(), onair.User{
		Sub: sampleSub, Username: "viewer42", Email: "viewer42@example.com", Avatar: "custom", Color: "blue", CreatedAt: now,
		ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/Viewer0000001", TrackingID: "viewer0000001-20",
		ChannelAssetID: channels.ChannelAssetID(sampleSub),
		ChannelAssets:  map[string]onair.Asset{"avatar": {URL: "https://assets.example/old/avatar?versionId=v0", Sequencer: "0055AED6DCD9028100"}},
	}))
	f := &assetFixture{store: st, api: &fakeAssetAWS{secret: "{}"}}
	srv := httptest.NewServer(f.api)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	env := map[string]string{
		"CHANNELS_TABLE": "channels", "STREAMS_TABLE": "streams",
		"CHANNEL_ASSETS_BUCKET": "onair-test-assets", "CHANNEL_ASSETS_BASE_URL": "https://d111111abcdef8.cloudfront.net",
		"PRODUCT_API_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:products", "PRODUCT_API_LOCALE": "United States",
	}
	f.deps = func(name string) *app.Platform {
		return &app.Platform{
			Name: name,
			Env:  func(k string) string { return env[k] },
			AWS: aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session"),
				Retryer:     func() aws.Retryer { return aws.NopRetryer{} }},
			Clock:   func() time.Time { return now },
			Offline: app.Offline{Store: st},
		}
	}
	return f
}

func TestAssetFunctionsServeTheirSampleEvents(t *testing.T) {
	assetID := channels.ChannelAssetID(sampleSub)
	require.Equal(t, "f41414de-7507-57b7-beba-1665d19a35ea", assetID, "the asset id in events/UpdateAssetVersion.json")

	t.Run("CreateAssetUpload", func(t *testing.T) {
		f := newAssetFixture(t)
		for file, key := range map[string]string{"CreateAssetUpload.json": assetID + "/avatar", "CreateAssetUpload.banner.json": assetID + "/banner"} {
			out, err := invokeSample(t, f.deps("CreateAssetUpload"), file)
			require.NoError(t, err)
			resp := httpResponse(t, out)
			require.Equal(t, 200, resp.StatusCode, resp.Body)
			var post struct {
				URL    string            `json:"url"`
				Fields map[string]string `json:"fields"`
			}
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &post))
			assert.Equal(t, f.url+"/onair-test-assets", post.URL)
			assert.Equal(t, key, post.Fields["key"])
			assert.Equal(t, "session", post.Fields["x-amz-security-token"])
			assert.Equal(t, "AKIDEXAMPLE/20260110/us-east-1/s3/aws4_request", post.Fields["x-amz-credential"])
		}
		assert.Empty(t, f.api.calls, "signing needs no AWS call")
	})

	t.Run("DeleteAsset", func(t *testing.T) {
		f := newAssetFixture(t)
		out, err := invokeSample(t, f.deps("DeleteAsset"), "DeleteAsset.json")
		require.NoError(t, err)
		resp := httpResponse(t, out)
		assert.Equal(t, 204, resp.StatusCode, resp.Body)
		assert.Equal(t, []string{"DELETE /onair-test-assets/" + assetID + "/avatar"}, f.api.calls)
		u, err := f.store.GetUser(context.Background(), sampleSub)
		require.NoError(t, err)
		assert.Empty(t, u.ChannelAssets["avatar"].URL)
		assert.NotEqual(t, "custom", u.Avatar)
	})

	t.Run("UpdateAssetVersion", func(t *testing.T) {
		f := newAssetFixture(t)
		out, err := invokeSample(t, f.deps("UpdateAssetVersion"), "UpdateAssetVersion.json")
		require.NoError(t, err)
		var resp events.SQSEventResponse
		require.NoError(t, json.Unmarshal(out, &resp))
		assert.Empty(t, resp.BatchItemFailures)
		u, err := f.store.GetUser(context.Background(), sampleSub)
		require.NoError(t, err)
		assert.Equal(t, onair.Asset{
			URL:          "https://d111111abcdef8.cloudfront.net/" + assetID + "/avatar?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
			Sequencer:    "0055AED6DCD90281E5",
			LastModified: time.Date(2026, 1, 10, 18, 0, 1, 123_000_000, time.UTC),
		}, u.ChannelAssets["avatar"])

		out, err = invokeSample(t, f.deps("UpdateAssetVersion"), "UpdateAssetVersion.testEvent.json")
		require.NoError(t, err)
		resp = events.SQSEventResponse{}
		require.NoError(t, json.Unmarshal(out, &resp))
		assert.Empty(t, resp.BatchItemFailures)
	})

	t.Run("UpdateAssetVersion needs its base URL", func(t *testing.T) {
		f := newAssetFixture(t)
		d := f.deps("UpdateAssetVersion")
		d.Env = func(string) string { return "" }
		_, err := buildNamed(context.Background(), d)
		assert.ErrorContains(t, err, "CHANNEL_ASSETS_BASE_URL")
	})
}

func TestSearchProductsServesItsSampleEvent(t *testing.T) {
	f := newAssetFixture(t)
	// The template creates the secret empty: the route answers, and says why
	// it cannot search (the sample was a sort change: the reference's name).
	out, err := invokeSample(t, f.deps("SearchProducts"), "SearchProducts.json")
	require.NoError(t, err)
	resp := httpResponse(t, out)
	assert.Equal(t, 503, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"__type":"SortProductsException"`)
	assert.Contains(t, resp.Body, "product API secret")
	assert.Equal(t, []string{"secretsmanager.GetSecretValue"}, f.api.calls)

	// A keyword of 150 characters passes the edge (its path parameters are
	// otherwise limited to 100).
	payload := strings.Replace(readSample(t, "SearchProducts.json"), "wireless%20earbuds", strings.Repeat("k", 150), 1)
	h, err := buildNamed(context.Background(), f.deps("SearchProducts"))
	require.NoError(t, err)
	out, err = h.Invoke(context.Background(), []byte(payload))
	require.NoError(t, err)
	assert.Equal(t, 503, httpResponse(t, out).StatusCode)
	payload = strings.Replace(readSample(t, "SearchProducts.json"), "wireless%20earbuds", strings.Repeat("k", 151), 1)
	out, err = h.Invoke(context.Background(), []byte(payload))
	require.NoError(t, err)
	assert.Equal(t, 400, httpResponse(t, out).StatusCode)
}

func readSample(t *testing.T, file string) string {
	t.Helper()
	out, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	require.NoError(t, err)
	return string(out)
}
