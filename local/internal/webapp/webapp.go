// Package webapp serves the built web app (web-ui/dist) the way a CDN in
// front of a single-page app would: files as they are, every unknown page
// path answered with index.html (the router in the browser decides), the
// run-time configuration at /config.json, and caching headers that let
// browsers keep Vite's content-hashed assets forever while always
// revalidating index.html and the configuration.
//
// The handler is a plain http.Handler so that other concerns (security
// headers, logging) wrap it as middleware.
package webapp

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cache-Control values.
const (
	// Immutable is for files whose name holds a hash of their content.
	Immutable = "public, max-age=31536000, immutable"
	// Revalidate is for index.html, /config.json and unhashed files: the
	// browser may keep a copy but must ask before using it.
	Revalidate = "no-cache"
)

// Options configure New.
type Options struct {
	// Dir is the built app: index.html and Vite's assets/ directory.
	Dir string
	// Config returns the JSON served at /config.json (the same document as
	// the stack's /_local/config). Nil serves no /config.json, so the
	// file in Dir (written by `make web-config`), if any, is used.
	Config func() any
	// NotBuilt answers every request while Dir has no index.html (e.g. a
	// page explaining how to build the app). Nil answers 404.
	NotBuilt http.Handler
}

// Handler serves the app. It looks for index.html on each request, so an
// app built after the stack started is served without a restart.
type Handler struct {
	opts  Options
	files fs.FS

	mu   sync.Mutex
	gzip map[string]gzipped // path → compressed body, for its modification time
}

type gzipped struct {
	mod  time.Time
	body []byte
}

// New returns the handler for opts.
func New(opts Options) *Handler {
	h := &Handler{opts: opts, gzip: map[string]gzipped{}}
	if opts.Dir != "" {
		h.files = os.DirFS(opts.Dir)
	}
	return h
}

// hashedDir holds Vite's output, whose file names carry a content hash.
const hashedDir = "assets/"

// compressible lists the types worth compressing (images and wasm are
// already compressed or not worth the CPU).
var compressible = map[string]bool{".js": true, ".css": true, ".html": true, ".json": true, ".svg": true, ".map": true, ".txt": true}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == "/config.json" && h.opts.Config != nil {
		h.serveConfig(w)
		return
	}
	if !h.built() {
		if h.opts.NotBuilt != nil {
			h.opts.NotBuilt.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(h.files, name); err == nil && !st.IsDir() {
		h.serveFile(w, r, name, st)
		return
	}
	// Missing assets are errors, not pages: answering index.html for a
	// stale /assets/x.js would fail later with a confusing MIME error.
	last := name[strings.LastIndex(name, "/")+1:]
	if strings.HasPrefix(name, hashedDir) || strings.Contains(last, ".") {
		w.Header().Set("Cache-Control", Revalidate)
		http.NotFound(w, r)
		return
	}
	st, err := fs.Stat(h.files, "index.html")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h.serveFile(w, r, "index.html", st)
}

func (h *Handler) built() bool {
	if h.files == nil {
		return false
	}
	_, err := fs.Stat(h.files, "index.html")
	return err == nil
}

func (h *Handler) serveConfig(w http.ResponseWriter) {
	body, err := json.Marshal(h.opts.Config())
	if err != nil {
		http.Error(w, "configuration: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", Revalidate)
	_, _ = w.Write(append(body, '\n'))
}

func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, name string, st fs.FileInfo) {
	hdr := w.Header()
	if strings.HasPrefix(name, hashedDir) {
		hdr.Set("Cache-Control", Immutable)
	} else {
		hdr.Set("Cache-Control", Revalidate)
	}
	ext := path.Ext(name)
	switch ext {
	case ".ts":
		// Go's mime table (from /etc/mime.types) says text/vnd.trolltech.linguist.
		hdr.Set("Content-Type", "video/mp2t")
	case ".wasm":
		hdr.Set("Content-Type", "application/wasm")
	}
	f, err := h.files.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		http.Error(w, "unreadable file", http.StatusInternalServerError)
		return
	}
	if compressible[ext] && acceptsGzip(r) && r.Header.Get("Range") == "" {
		if body, err := h.compressed(name, st, rs); err == nil {
			hdr.Set("Content-Encoding", "gzip")
			hdr.Add("Vary", "Accept-Encoding")
			http.ServeContent(w, r, name, st.ModTime(), bytes.NewReader(body))
			return
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			http.Error(w, "unreadable file", http.StatusInternalServerError)
			return
		}
	}
	if compressible[ext] {
		hdr.Add("Vary", "Accept-Encoding")
	}
	http.ServeContent(w, r, name, st.ModTime(), rs)
}

// compressed returns the gzip form of a file, compressing it once per
// modification time.
func (h *Handler) compressed(name string, st fs.FileInfo, r io.Reader) ([]byte, error) {
	h.mu.Lock()
	c, ok := h.gzip[name]
	h.mu.Unlock()
	if ok && c.mod.Equal(st.ModTime()) {
		return c.body, nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(zw, r); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.gzip[name] = gzipped{mod: st.ModTime(), body: buf.Bytes()}
	h.mu.Unlock()
	return buf.Bytes(), nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q, isQ := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if v, err := strconv.ParseFloat(q, 64); isQ && err == nil && v == 0 {
			return false
		}
		return true
	}
	return false
}
