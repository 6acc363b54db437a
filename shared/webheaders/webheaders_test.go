package webheaders_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/webheaders"
)

func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, part := range strings.Split(csp, ";") {
		f := strings.Fields(part)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

func TestCloudPolicy(t *testing.T) {
	s := webheaders.Cloud("eu-west-1", "amazonaws.com", "d111.cloudfront.net", "onair-dev-assets-123456789012-eu-west-1")
	d := directives(s.CSP())
	tests := []struct {
		directive string
		want      []string
	}{
		{"default-src", []string{"'self'"}},
		{"script-src", []string{"'self'", "'wasm-unsafe-eval'"}},
		{"style-src", []string{"'self'"}},
		{"img-src", []string{"'self'", "data:", "blob:", "https:", "https://d111.cloudfront.net"}},
		{"media-src", []string{"'self'", "blob:", "https://*.live-video.net"}},
		{"connect-src", []string{"'self'", "https://*.execute-api.eu-west-1.amazonaws.com",
			"https://cognito-idp.eu-west-1.amazonaws.com", "wss://edge.ivschat.eu-west-1.amazonaws.com",
			"https://*.live-video.net", "wss://*.live-video.net",
			"https://onair-dev-assets-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com"}},
		{"worker-src", []string{"'self'", "blob:"}},
		{"object-src", []string{"'none'"}},
		{"base-uri", []string{"'self'"}},
		{"frame-ancestors", []string{"'none'"}},
		{"upgrade-insecure-requests", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.directive, func(t *testing.T) {
			got, ok := d[tt.directive]
			require.True(t, ok, "missing %s in %s", tt.directive, s.CSP())
			assert.Equal(t, tt.want, got)
		})
	}
	assert.NotContains(t, s.CSP(), "unsafe-inline")
	assert.NotContains(t, s.CSP(), "'unsafe-eval'")
	assert.NotContains(t, d, "report-uri", "CloudFront has no report endpoint")

	h := s.Headers()
	assert.Equal(t, "max-age=63072000; includeSubDomains", h.Get("Strict-Transport-Security"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
	assert.Equal(t, "strict-origin-when-cross-origin", h.Get("Referrer-Policy"))
	assert.Contains(t, h.Get("Permissions-Policy"), "camera=(self), microphone=(self), display-capture=(self)")
}

func TestOfflinePolicy(t *testing.T) {
	s := webheaders.Offline("http://127.0.0.1:3000", "http://127.0.0.1:3001", "http://127.0.0.1:4566",
		[]string{"https://127.0.0.1:8443"}, "/_local/csp-report")
	d := directives(s.CSP())
	assert.Equal(t, []string{"'self'", "http://127.0.0.1:3001", "http://127.0.0.1:4566", "ws://127.0.0.1:4566", "https://127.0.0.1:8443"}, d["connect-src"])
	assert.Equal(t, []string{"'self'", "data:", "blob:", "https:", "http://127.0.0.1:4566"}, d["img-src"], "product overlays' images come from anywhere")
	assert.Equal(t, []string{"'self'", "blob:", "https://127.0.0.1:8443"}, d["media-src"])
	assert.Equal(t, []string{"'self'", "'wasm-unsafe-eval'"}, d["script-src"])
	assert.Equal(t, []string{"/_local/csp-report"}, d["report-uri"])
	assert.NotContains(t, d, "upgrade-insecure-requests", "the offline app is plain HTTP")

	h := s.Headers()
	assert.Empty(t, h.Get("Strict-Transport-Security"), "browsers ignore HSTS over HTTP")
	assert.Equal(t, webheaders.PermissionsPolicy, h.Get("Permissions-Policy"))

	rec := httptest.NewRecorder()
	s.Handler(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x.js", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, s.CSP(), rec.Header().Get("Content-Security-Policy"), "every response, errors too")
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
}

// appPaths are request paths and whether each is a page of the app; the
// template test runs template.yaml's CloudFront function over them too.
var appPaths = []struct {
	path string
	page bool
}{
	{"/", true},
	{"/alice", true},
	{"/login", true},
	{"/settings/stream", true},
	{"/Some_User-1", true},
	{"/index.html", false},
	{"/config.json", false},
	{"/assets/index-3f9a1c.js", false},
	{"/assets/ivs/amazon-ivs-wasmworker.min.wasm", false},
	{"/favicon.ico", false},
	{"/assets/", true},
}

func TestIsPage(t *testing.T) {
	for _, tt := range appPaths {
		assert.Equal(t, tt.page, webheaders.IsPage(tt.path), tt.path)
	}
}
