package stack_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/stack"
	"github.com/onair/onair/shared/webheaders"
)

// The offline web app is served with the deployed app's security headers
// (shared/webheaders), its policy naming this machine's endpoints, and the
// browser's violation reports are collected for the tests.
func TestWebAppSecurityHeaders(t *testing.T) {
	dist := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dist, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dist, "index.html"), []byte("<!doctype html><title>onair</title>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dist, "assets", "index-1.js"), []byte("1"), 0o644))
	s, err := stack.Start(context.Background(), stack.Options{Template: "../../../template.yaml", DataDir: t.TempDir(), WebDir: dist,
		WebAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", AWSAddr: "127.0.0.1:0"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })

	sfuWS := "wss://" + strings.TrimPrefix(s.SFUURL, "https://")
	rtc, _ := s.Config()["webrtcIngestEndpoint"].(string)
	require.NotEmpty(t, rtc)
	want := webheaders.Offline(s.WebURL, s.APIURL, s.AWSURL, []string{s.AWSURL, s.SFUURL, sfuWS, rtc, stack.IVSSDKHosts}, stack.CSPReportPath)
	csp := want.CSP()
	assert.Contains(t, csp, "connect-src 'self' "+s.APIURL+" "+s.AWSURL+" ws://"+strings.TrimPrefix(s.AWSURL, "http://"))
	assert.Contains(t, csp, s.SFUURL+" "+sfuWS, "stage media: WHIP/WHEP and the presence socket")
	for _, path := range []string{"/", "/alice", "/assets/index-1.js", "/assets/missing.js", "/config.json"} {
		res, err := http.Get(s.WebURL + path)
		require.NoError(t, err, path)
		_ = res.Body.Close()
		for k := range want.Headers() {
			assert.Equal(t, want.Headers().Get(k), res.Header.Get(k), "%s: %s", path, k)
		}
		assert.Empty(t, res.Header.Get("Strict-Transport-Security"), "plain HTTP")
	}

	get := func() []map[string]any {
		res, err := http.Get(s.WebURL + stack.CSPReportsPath)
		require.NoError(t, err)
		defer res.Body.Close()
		var list []map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
		return list
	}
	assert.Empty(t, get())
	report := `{"csp-report":{"document-uri":"` + s.WebURL + `/","violated-directive":"script-src-elem","blocked-uri":"inline"}}`
	res, err := http.Post(s.WebURL+stack.CSPReportPath, "application/csp-report", strings.NewReader(report))
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	list := get()
	require.Len(t, list, 1)
	assert.Equal(t, "script-src-elem", list[0]["csp-report"].(map[string]any)["violated-directive"])

	res, err = http.Post(s.WebURL+stack.CSPReportPath, "application/csp-report", strings.NewReader("not json"))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, string(body))
	assert.Len(t, get(), 1)
}
