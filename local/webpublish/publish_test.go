package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/s3emu"
	"github.com/onair/onair/shared/webheaders"
)

const bucket = "onair-local-webappbucket"

// emulator is the offline stack's S3, recording the keys PUT to it in order.
type emulator struct {
	srv  *httptest.Server
	svc  *s3emu.Service
	mu   sync.Mutex
	puts []string
}

func newEmulator(t *testing.T) *emulator {
	t.Helper()
	svc, err := s3emu.Open(s3emu.Config{DataDir: t.TempDir(), Buckets: []string{bucket}, Region: "us-east-1"})
	require.NoError(t, err)
	e := &emulator{svc: svc}
	h := svc.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			e.mu.Lock()
			e.puts = append(e.puts, strings.TrimPrefix(r.URL.Path, "/"+bucket+"/"))
			e.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.srv.Close()
		_ = svc.Close()
	})
	return e
}

// takePuts returns and forgets the keys PUT so far.
func (e *emulator) takePuts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.puts
	e.puts = nil
	return p
}

func (e *emulator) client() *sdks3.Client {
	return sdks3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, func(o *sdks3.Options) {
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
}

// object reads key back from the emulator.
func (e *emulator) object(t *testing.T, key string) (body []byte, contentType, cacheControl string) {
	t.Helper()
	out, err := e.client().GetObject(context.Background(), &sdks3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err, key)
	defer out.Body.Close()
	body, err = io.ReadAll(out.Body)
	require.NoError(t, err)
	return body, aws.ToString(out.ContentType), aws.ToString(out.CacheControl)
}

var outputs = Outputs{
	"ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com", "Region": "eu-west-1",
	"UserPoolId": "eu-west-1_AbCd", "UserPoolClientId": "client123", "ChannelType": "STANDARD",
	"EnableAmazonProductStreamAction": "false", "Stage": "dev",
	"WebAppBucketName": bucket, "WebAppDistributionId": "E123", "WebAppUrl": "https://d111.cloudfront.net",
	"ChannelAssetsBucketName": "onair-dev-assets-123456789012-eu-west-1",
}

func writeBuild(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
}

func build(t *testing.T) string {
	dir := t.TempDir()
	writeBuild(t, dir, map[string]string{
		"index.html":                           `<!doctype html><script type="module" src="/assets/index-a1.js"></script>`,
		"assets/index-a1.js":                   "console.log('app')",
		"assets/index-b2.css":                  "body{margin:0}",
		"assets/amazon-ivs-wasmworker-c3.wasm": "\x00asm\x01\x00\x00\x00",
		"assets/logo-d4.svg":                   "<svg/>",
		"favicon.svg":                          "<svg/>",
		"config.json":                          `{"apiUrl":"http://stale"}`, // make web-config's, replaced
		".DS_Store":                            "junk",
	})
	return dir
}

type recordedInvalidations struct {
	mu    sync.Mutex
	calls [][]string
}

func (r *recordedInvalidations) invalidate(_ context.Context, paths []string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, paths)
	return "I1", nil
}

func TestPublishToTheS3Emulator(t *testing.T) {
	ctx := context.Background()
	e := newEmulator(t)
	dir := build(t)
	inv := &recordedInvalidations{}
	pub := Publisher{S3: e.client(), Bucket: bucket, Workers: 3}
	var out bytes.Buffer

	// First deploy: everything, hashed assets first, index.html last.
	require.NoError(t, publish(ctx, outputs, dir, pub, inv.invalidate, &out))
	puts := e.takePuts()
	require.Len(t, puts, 7, "the build's files and config.json, no dot files")
	assert.ElementsMatch(t, []string{"assets/index-a1.js", "assets/index-b2.css", "assets/amazon-ivs-wasmworker-c3.wasm", "assets/logo-d4.svg"}, puts[:4])
	assert.Equal(t, []string{"favicon.svg", "config.json", "index.html"}, puts[4:])
	assert.Equal(t, [][]string{{"/favicon.svg", "/config.json", "/index.html"}}, inv.calls)
	assert.Contains(t, out.String(), "web app: 7 files uploaded to s3://"+bucket+", 0 unchanged")
	assert.Contains(t, out.String(), "web app: https://d111.cloudfront.net")

	// What the bucket holds: the bytes, the types and the caching.
	tests := []struct{ key, contentType, cacheControl string }{
		{"index.html", "text/html; charset=utf-8", "no-cache"},
		{"config.json", "application/json", "no-cache"},
		{"favicon.svg", "image/svg+xml", "no-cache"},
		{"assets/index-a1.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"assets/index-b2.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"assets/amazon-ivs-wasmworker-c3.wasm", "application/wasm", "public, max-age=31536000, immutable"},
		{"assets/logo-d4.svg", "image/svg+xml", "public, max-age=31536000, immutable"},
	}
	for _, tt := range tests {
		body, ct, cc := e.object(t, tt.key)
		assert.Equal(t, tt.contentType, ct, tt.key)
		assert.Equal(t, tt.cacheControl, cc, tt.key)
		if tt.key != "config.json" {
			want, err := os.ReadFile(filepath.Join(dir, tt.key))
			require.NoError(t, err)
			if tt.key == "index.html" {
				want, err = NarrowCSP(want, outputs)
				require.NoError(t, err)
			}
			assert.Equal(t, want, body, tt.key)
		}
	}
	cfg, _, _ := e.object(t, "config.json")
	var got map[string]any
	require.NoError(t, json.Unmarshal(cfg, &got))
	assert.Equal(t, map[string]any{
		"region": "eu-west-1", "userPoolId": "eu-west-1_AbCd", "userPoolClientId": "client123",
		"apiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com", "channelType": "STANDARD",
		"enableAmazonProductStreamAction": false, "stage": "dev", "offline": false,
	}, got, "config.json from the stack's outputs, not the build's")

	// Re-deploy without changes: nothing uploaded, nothing invalidated.
	out.Reset()
	require.NoError(t, publish(ctx, outputs, dir, pub, inv.invalidate, &out))
	assert.Empty(t, e.takePuts())
	assert.Len(t, inv.calls, 1)
	assert.Contains(t, out.String(), "0 files uploaded to s3://"+bucket+", 7 unchanged")

	// A new build and a changed stack: only what changed, in order.
	writeBuild(t, dir, map[string]string{
		"index.html":         `<!doctype html><script type="module" src="/assets/index-e5.js"></script>`,
		"assets/index-e5.js": "console.log('app v2')",
	})
	changed := Outputs{}
	for k, v := range outputs {
		changed[k] = v
	}
	changed["ChannelType"] = "BASIC"
	require.NoError(t, publish(ctx, changed, dir, pub, inv.invalidate, &out))
	assert.Equal(t, []string{"assets/index-e5.js", "config.json", "index.html"}, e.takePuts())
	assert.Equal(t, []string{"/config.json", "/index.html"}, inv.calls[1])
	_, _, _ = e.object(t, "assets/index-a1.js") // the old build's assets stay for open tabs

	// Metadata alone counts: a file with the wrong Cache-Control is re-sent.
	_, err := e.client().PutObject(ctx, &sdks3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("assets/logo-d4.svg"),
		Body: strings.NewReader("<svg/>"), ContentType: aws.String("image/svg+xml"), CacheControl: aws.String("max-age=60")})
	require.NoError(t, err)
	e.takePuts()
	require.NoError(t, publish(ctx, changed, dir, pub, inv.invalidate, &out))
	assert.Equal(t, []string{"assets/logo-d4.svg"}, e.takePuts())
	_, _, cc := e.object(t, "assets/logo-d4.svg")
	assert.Equal(t, "public, max-age=31536000, immutable", cc)
	assert.Len(t, inv.calls, 2, "a hashed asset needs no invalidation")
}

// The command end to end, as the offline stack's S3 is addressed: outputs
// from a file, the endpoint's static credentials.
func TestRunAgainstTheEmulator(t *testing.T) {
	e := newEmulator(t)
	dir := build(t)
	raw, err := json.Marshal([]map[string]string{
		{"OutputKey": "ApiUrl", "OutputValue": outputs["ApiUrl"]}, {"OutputKey": "Region", "OutputValue": "us-east-1"},
		{"OutputKey": "UserPoolId", "OutputValue": "p"}, {"OutputKey": "UserPoolClientId", "OutputValue": "c"},
		{"OutputKey": "WebAppBucketName", "OutputValue": bucket}, {"OutputKey": "ChannelAssetsBucketName", "OutputValue": "assets"},
	})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(file, raw, 0o600))

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-outputs", file, "-dir", dir, "-endpoint", e.srv.URL}, &out))
	assert.Len(t, e.takePuts(), 7)
	require.NoError(t, run(context.Background(), []string{"-outputs", file, "-dir", dir, "-endpoint", e.srv.URL}, &out))
	assert.Empty(t, e.takePuts(), "idempotent")

	// A stack without the web app (PublishWebApp=false) has nothing to publish.
	raw, err = json.Marshal([]map[string]string{{"OutputKey": "ApiUrl", "OutputValue": "x"}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, raw, 0o600))
	assert.ErrorIs(t, run(context.Background(), []string{"-outputs", file, "-dir", dir, "-endpoint", e.srv.URL}, &out), ErrNotPublished)
}

// failingStore fails the upload of one key, as a network error would.
type failingStore struct {
	ObjectStore
	fail string
	mu   sync.Mutex
	puts []string
}

func (f *failingStore) PutObject(ctx context.Context, in *sdks3.PutObjectInput, opts ...func(*sdks3.Options)) (*sdks3.PutObjectOutput, error) {
	if aws.ToString(in.Key) == f.fail {
		return nil, errors.New("connection reset")
	}
	f.mu.Lock()
	f.puts = append(f.puts, aws.ToString(in.Key))
	f.mu.Unlock()
	return f.ObjectStore.PutObject(ctx, in, opts...)
}

// A failed asset upload stops the deploy before index.html can point
// visitors at a build that is not all there.
func TestPublishStopsBeforeIndexWhenAnAssetFails(t *testing.T) {
	e := newEmulator(t)
	store := &failingStore{ObjectStore: e.client(), fail: "assets/index-b2.css"}
	files, _, err := Plan(build(t), []byte("{}"))
	require.NoError(t, err)
	_, err = Publisher{S3: store, Bucket: bucket, Workers: 2}.Publish(context.Background(), files)
	require.ErrorContains(t, err, "assets/index-b2.css")
	for _, k := range store.puts {
		assert.True(t, strings.HasPrefix(k, "assets/"), "%s uploaded after an asset failed", k)
	}
}

func TestPlan(t *testing.T) {
	dir := t.TempDir()
	writeBuild(t, dir, map[string]string{"index.html": "<!doctype html>", "assets/a-1.js": "x", "robots.txt": "", "LICENSE.blob": "?"})
	files, warnings, err := Plan(dir, []byte(`{"region":"r"}`))
	require.NoError(t, err)
	var keys []string
	for _, f := range files {
		keys = append(keys, f.Key)
	}
	assert.Equal(t, []string{"assets/a-1.js", "LICENSE.blob", "robots.txt", "config.json", "index.html"}, keys)
	assert.Equal(t, []string{"LICENSE.blob: unknown file type, served as application/octet-stream"}, warnings)
	assert.Equal(t, md5.Sum([]byte(`{"region":"r"}`)), files[3].MD5())

	_, _, err = Plan(t.TempDir(), nil)
	assert.ErrorContains(t, err, "no index.html")
}

func TestConfigJSON(t *testing.T) {
	a, err := ConfigJSON(outputs)
	require.NoError(t, err)
	b, err := ConfigJSON(outputs)
	require.NoError(t, err)
	assert.Equal(t, a, b, "same outputs, same bytes (and so no upload)")

	_, err = ConfigJSON(Outputs{"ApiUrl": "x", "Region": "r"})
	assert.EqualError(t, err, "config.json: the stack has no UserPoolId, UserPoolClientId output")
}

func TestParseOutputs(t *testing.T) {
	o, err := ParseOutputs([]byte(`[{"OutputKey":"ApiUrl","OutputValue":"https://x","Description":"d"}]`))
	require.NoError(t, err)
	assert.Equal(t, Outputs{"ApiUrl": "https://x"}, o)
	_, err = ParseOutputs([]byte(`null`))
	assert.NoError(t, err, "a stack without outputs")
	_, err = ParseOutputs([]byte(`{`))
	assert.Error(t, err)
}

// fakeAWS puts an `aws` on PATH that records its arguments and prints out.
func fakeAWS(t *testing.T, out string, code int) (calls func() string) {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$@\" >> " + log + "\nprintf '%s' '" + out + "'\nexit " + strconv.Itoa(code) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() string {
		b, _ := os.ReadFile(log)
		return string(b)
	}
}

// The stack's outputs and the invalidation go through the AWS CLI.
func TestAWSCLI(t *testing.T) {
	calls := fakeAWS(t, "I2ABC\n", 0)
	id, err := cliInvalidator("E123")(context.Background(), []string{"/config.json", "/index.html"})
	require.NoError(t, err)
	assert.Equal(t, "I2ABC", id)
	assert.Equal(t, "cloudfront create-invalidation --distribution-id E123 --query Invalidation.Id --output text --paths /config.json /index.html\n", calls())

	fakeAWS(t, "", 255)
	_, err = cliInvalidator("E123")(context.Background(), []string{"/index.html"})
	assert.ErrorContains(t, err, "aws cloudfront create-invalidation")

	e := newEmulator(t)
	calls = fakeAWS(t, `[{"OutputKey":"ApiUrl","OutputValue":"https://a"},{"OutputKey":"Region","OutputValue":"us-east-1"},`+
		`{"OutputKey":"UserPoolId","OutputValue":"p"},{"OutputKey":"UserPoolClientId","OutputValue":"c"},`+
		`{"OutputKey":"WebAppBucketName","OutputValue":"`+bucket+`"},{"OutputKey":"ChannelAssetsBucketName","OutputValue":"assets"}]`, 0)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-stack", "onair-dev", "-dir", build(t), "-endpoint", e.srv.URL}, &out))
	assert.Equal(t, "cloudformation describe-stacks --stack-name onair-dev --query Stacks[0].Outputs --output json\n", calls())
	assert.Len(t, e.takePuts(), 7)
}

// The deployed index.html names the stack's API exactly, in a connect-src
// policy that is otherwise the header's.
func TestNarrowCSP(t *testing.T) {
	index := []byte("<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\" />\n    <title>onair</title>\n  </head>\n</html>\n")
	got, err := NarrowCSP(index, outputs)
	require.NoError(t, err)
	header := webheaders.Cloud("eu-west-1", "amazonaws.com", "d", "onair-dev-assets-123456789012-eu-west-1").ConnectPolicy()
	want := strings.Replace(header, "https://*.execute-api.eu-west-1.amazonaws.com", "https://abc123.execute-api.eu-west-1.amazonaws.com", 1)
	require.NotEqual(t, header, want)
	assert.Equal(t, "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\" />\n    <meta http-equiv=\"Content-Security-Policy\" content=\""+
		html.EscapeString(want)+"\">\n    <title>onair</title>\n  </head>\n</html>\n", string(got), "right after the charset")
	assert.NotContains(t, string(got), "*.execute-api")

	got, err = NarrowCSP([]byte("<html><head><title>x</title></head></html>"), outputs)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), "<html><head>\n    <meta http-equiv=\"Content-Security-Policy\""), string(got))

	got, err = NarrowCSP([]byte("<!doctype html><script src=/a.js></script>"), outputs)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), "<!doctype html>\n    <meta http-equiv"), "in the implied head: %s", got)
	bad := Outputs{"ApiUrl": "http://insecure", "Region": "r", "ChannelAssetsBucketName": "b"}
	_, err = NarrowCSP(index, bad)
	assert.ErrorContains(t, err, "not an https URL")
}
