package media

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// PlaybackPrefix is where the plane serves HLS on the AWS endpoint: a
// channel's playbackUrl is <endpoint>/hls/<channelId>.m3u8 (LL-HLS, fMP4),
// its MPEG-TS rendition <endpoint>/hls/<channelId>/ts/index.m3u8.
const PlaybackPrefix = "/hls/"

// viewerWindow: a viewer counts while it fetched a playlist within it (IVS
// removes a view within about a minute).
const viewerWindow = time.Minute

// viewerSet counts distinct viewers by when each last fetched a playlist.
type viewerSet struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func newViewerSet() *viewerSet { return &viewerSet{seen: map[string]time.Time{}} }

func (v *viewerSet) touch(id string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen[id] = now
	if len(v.seen) > 100_000 { // bound memory under abuse
		v.pruneLocked(now)
	}
}

func (v *viewerSet) count(now time.Time) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pruneLocked(now)
	return len(v.seen)
}

func (v *viewerSet) pruneLocked(now time.Time) {
	for id, t := range v.seen {
		if now.Sub(t) > viewerWindow {
			delete(v.seen, id)
		}
	}
}

// viewerID identifies a player: the multivariant playlist hands each load a
// random id that hls.js carries in the media playlist URLs; other clients
// are told apart by address and user agent.
func viewerID(r *http.Request) string {
	if v := r.URL.Query().Get("v"); v != "" && len(v) <= 32 {
		return "v:" + v
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return "a:" + host + "|" + r.UserAgent()
}

func newViewerToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Handler serves the channels' playlists and segments under PlaybackPrefix,
// with CORS open (players run on other origins). A channel that is not live,
// or whose first segment is not ready, answers 404 as IVS does.
func (p *Plane) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Expose-Headers", "*")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rest := strings.TrimPrefix(r.URL.Path, PlaybackPrefix)
		id, file, _ := strings.Cut(rest, "/")
		multivariant := false
		if file == "" && strings.HasSuffix(id, ".m3u8") {
			id, multivariant = strings.TrimSuffix(id, ".m3u8"), true
		}
		b := p.getByID(id)
		if b == nil || !b.started.Load() {
			http.Error(w, "channel is not broadcasting", http.StatusNotFound)
			return
		}
		now := p.cfg.Now()
		switch {
		case multivariant:
			b.serveMultivariant(w, r, id)
		case strings.HasPrefix(file, "ts/"):
			if strings.HasSuffix(file, ".m3u8") {
				b.viewers.touch(viewerID(r), now)
			}
			if strings.HasSuffix(file, ".ts") {
				b.serveInjected(w, r, b.ts.Handle, func(body []byte) []byte { return injectID3TS(body, b.cuesSnapshot()) })
				return
			}
			serveMuxer(w, r, b.ts.Handle)
		default:
			if strings.HasSuffix(file, ".m3u8") {
				b.viewers.touch(viewerID(r), now)
			}
			if strings.HasSuffix(file, ".mp4") && strings.Contains(file, "video") {
				b.serveInjected(w, r, b.ll.Handle, func(body []byte) []byte { return injectEMSG(body, b.cuesSnapshot()) })
				return
			}
			serveMuxer(w, r, b.ll.Handle)
		}
	})
}

// serveMuxer runs a muxer's handler, answering 404 for what it does not
// know (gohlslib writes nothing then).
func serveMuxer(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	tw := &trackingWriter{ResponseWriter: w}
	h(tw, r)
	if !tw.wrote {
		http.NotFound(w, r)
	}
}

type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(p)
}

// serveMultivariant serves the LL-HLS multivariant playlist at
// /hls/<id>.m3u8; its relative URIs are rewritten to <id>/…, and carry a
// fresh viewer token.
func (b *broadcast) serveMultivariant(w http.ResponseWriter, r *http.Request, id string) {
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/index.m3u8"
	r2.URL.RawQuery = "v=" + newViewerToken()
	rec := &bufferedResponse{header: http.Header{}}
	b.ll.Handle(rec, r2)
	if rec.status != 0 && rec.status != http.StatusOK {
		w.WriteHeader(rec.status)
		return
	}
	var out bytes.Buffer
	for _, line := range strings.Split(string(rec.body.Bytes()), "\n") {
		switch {
		case line == "":
		case !strings.HasPrefix(line, "#"):
			line = id + "/" + line
		case strings.Contains(line, `URI="`):
			line = strings.Replace(line, `URI="`, `URI="`+id+"/", 1)
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	copyHeader(w.Header(), rec.header)
	w.Header().Del("Content-Length")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(bytes.TrimRight(out.Bytes(), "\n"))
}

// serveInjected serves a segment or part with the cues inserted.
func (b *broadcast) serveInjected(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, inject func([]byte) []byte) {
	rec := &bufferedResponse{header: http.Header{}}
	h(rec, r)
	copyHeader(w.Header(), rec.header)
	if rec.status != 0 && rec.status != http.StatusOK {
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	if rec.status == 0 && rec.body.Len() == 0 {
		http.NotFound(w, r)
		return
	}
	body := inject(rec.body.Bytes())
	w.Header().Del("Content-Length")
	if strings.HasSuffix(r.URL.Path, ".ts") {
		w.Header().Set("Content-Type", "video/mp2t")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		if k == "Access-Control-Allow-Origin" {
			continue
		}
		dst[k] = v
	}
}

// bufferedResponse captures a handler's response (segments are small: a
// second of media at most).
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
