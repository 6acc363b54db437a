package webapp

import (
	"compress/gzip"
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

func writeApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":            "<!doctype html><title>app</title>",
		"favicon.svg":           "<svg/>",
		"assets/index-AbC12.js": strings.Repeat("console.log('x');", 100),
		"assets/w-1.wasm":       "\x00asm",
		"config.json":           `{"from":"file"}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func get(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

func TestRoutes(t *testing.T) {
	h := New(Options{Dir: writeApp(t), Config: func() any { return map[string]any{"apiUrl": "http://api"} }})
	tests := []struct {
		name, path   string
		status       int
		contains     string
		cache, ctype string
	}{
		{"root is index", "/", 200, "<title>app</title>", Revalidate, "text/html"},
		{"page path falls back to index", "/alice/profile", 200, "<title>app</title>", Revalidate, "text/html"},
		{"login with query", "/login?code=1&username=a", 200, "<title>app</title>", Revalidate, "text/html"},
		{"hashed asset is immutable", "/assets/index-AbC12.js", 200, "console.log", Immutable, "text/javascript"},
		{"wasm type", "/assets/w-1.wasm", 200, "asm", Immutable, "application/wasm"},
		{"unhashed file revalidates", "/favicon.svg", 200, "<svg/>", Revalidate, "image/svg+xml"},
		{"config from the stack wins over the file", "/config.json", 200, `"apiUrl":"http://api"`, Revalidate, "application/json"},
		{"missing asset is 404, not index", "/assets/gone-123.js", 404, "", Revalidate, ""},
		{"missing file with extension is 404", "/robots.txt", 404, "", Revalidate, ""},
		{"traversal stays inside", "/../../etc/passwd", 200, "<title>app</title>", Revalidate, "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, h, tc.path)
			assert.Equal(t, tc.status, res.StatusCode)
			assert.Equal(t, tc.cache, res.Header.Get("Cache-Control"))
			if tc.ctype != "" {
				assert.Contains(t, res.Header.Get("Content-Type"), tc.ctype)
			}
			assert.Contains(t, body(t, res), tc.contains)
		})
	}
}

func TestConfigFileWithoutStackConfig(t *testing.T) {
	h := New(Options{Dir: writeApp(t)})
	res := get(t, h, "/config.json")
	assert.Equal(t, 200, res.StatusCode)
	assert.JSONEq(t, `{"from":"file"}`, body(t, res))
	assert.Equal(t, Revalidate, res.Header.Get("Cache-Control"))
}

func TestGzip(t *testing.T) {
	h := New(Options{Dir: writeApp(t)})
	for _, accept := range []string{"gzip", "br, gzip;q=0.5"} {
		res := get(t, h, "/assets/index-AbC12.js", "Accept-Encoding", accept)
		require.Equal(t, "gzip", res.Header.Get("Content-Encoding"), accept)
		zr, err := gzip.NewReader(res.Body)
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("console.log('x');", 100), string(plain))
		assert.Contains(t, res.Header.Values("Vary"), "Accept-Encoding")
	}
	for _, accept := range []string{"", "gzip;q=0", "br"} {
		res := get(t, h, "/assets/index-AbC12.js", "Accept-Encoding", accept)
		assert.Empty(t, res.Header.Get("Content-Encoding"), accept)
	}
}

func TestNotBuilt(t *testing.T) {
	dir := t.TempDir()
	info := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "not built") })
	h := New(Options{Dir: dir, NotBuilt: info, Config: func() any { return map[string]string{"a": "b"} }})
	assert.Equal(t, "not built", body(t, get(t, h, "/")))
	assert.JSONEq(t, `{"a":"b"}`, body(t, get(t, h, "/config.json")), "config is served before the app is built")

	// Built later: served without a restart.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<title>now</title>"), 0o644))
	assert.Contains(t, body(t, get(t, h, "/settings")), "now")

	assert.Equal(t, 404, get(t, New(Options{Dir: t.TempDir()}), "/").StatusCode)
}

func TestMethods(t *testing.T) {
	h := New(Options{Dir: writeApp(t)})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
}
