package invoke

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeStack answers like the offline stack: /_local/config and the Lambda
// Invoke API (GetChannel succeeds, Broken fails).
func fakeStack(t *testing.T) (*httptest.Server, *[]string) {
	var calls []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/config", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"offline":true,"awsEndpoint":"x"}`)
	})
	mux.HandleFunc("POST /2015-03-31/functions/{fn}/invocations", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls = append(calls, r.PathValue("fn")+" "+string(body))
		if r.PathValue("fn") == "Broken" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = io.WriteString(w, `{"errorMessage":"boom","errorType":"Runtime.Error"}`)
			return
		}
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"{}"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestInvokeUsesARunningOfflineStack(t *testing.T) {
	srv, calls := fakeStack(t)
	dir := t.TempDir()
	ev := filepath.Join(dir, "ev.json")
	require.NoError(t, writeFile(ev, `{"rawPath":"/channel"}`))
	var stdout, stderr bytes.Buffer
	code := main(context.Background(), []string{"-endpoint", srv.URL, "-event", ev, "GetChannel"}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.JSONEq(t, `{"statusCode":200,"body":"{}"}`, stdout.String())
	assert.Equal(t, []string{`GetChannel {"rawPath":"/channel"}`}, *calls)
	assert.Contains(t, stderr.String(), "in the offline stack at "+srv.URL)

	stdout.Reset()
	stderr.Reset()
	code = main(context.Background(), []string{"-endpoint", srv.URL, "-event", ev, "Broken"}, nil, &stdout, &stderr)
	assert.Equal(t, 1, code, "a function error exits 1")
	assert.Contains(t, stderr.String(), "Broken failed")
}

func TestInvokeWithoutStackOrCredentialsSaysSoInOneLine(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir())
	srv := httptest.NewServer(http.NotFoundHandler()) // something else, not a stack
	defer srv.Close()
	dir := t.TempDir()
	ev := filepath.Join(dir, "ev.json")
	require.NoError(t, writeFile(ev, `{}`))
	var stdout, stderr bytes.Buffer
	code := main(context.Background(), []string{"-endpoint", srv.URL, "-event", ev, "GetChannel"}, nil, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout.String())
	msg := strings.TrimSpace(stderr.String())
	assert.NotContains(t, msg, "\n", "one line")
	assert.Contains(t, msg, "no AWS credentials")
	assert.Contains(t, msg, "make dev")
	assert.NotContains(t, msg, "IMDS")
}

func TestHasCredentials(t *testing.T) {
	home := t.TempDir()
	assert.False(t, hasCredentials(map[string]string{"HOME": home}))
	assert.True(t, hasCredentials(map[string]string{"AWS_PROFILE": "dev"}))
	assert.True(t, hasCredentials(map[string]string{"AWS_ACCESS_KEY_ID": "AKID"}))
	require.NoError(t, writeFile(filepath.Join(home, ".aws", "credentials"), "[default]\n"))
	assert.True(t, hasCredentials(map[string]string{"HOME": home}))
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o600)
}

// TestInvokeNamesAnUnknownFunction: a mistyped FN is reported as such, with
// the template's functions, not as a missing events/<FN>.json.
func TestInvokeNamesAnUnknownFunction(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	require.NoError(t, writeFile(tpl, "Resources:\n  GetChannel:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n"))
	var stdout, stderr bytes.Buffer
	code := main(context.Background(), []string{"-t", tpl, "GetChanel"}, nil, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), `no function "GetChanel" in `+tpl+" (functions: GetChannel)")
	assert.NotContains(t, stderr.String(), "events/GetChanel.json")
}
