package media

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
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
				if msn, part, ok := blockingPart(r); ok && part > 0 {
					b.serveBlockingPlaylist(w, r, msn)
					return
				}
			}
			if strings.HasSuffix(file, ".mp4") && strings.Contains(file, "video") {
				b.serveInjected(w, r, b.ll.Handle, func(body []byte) []byte { return injectEMSG(body, b.cuesSnapshot()) })
				return
			}
			serveMuxer(w, r, b.ll.Handle)
		}
	})
}

// nextSegmentAfter: how long a blocking reload for a part waits before it
// also waits for the next segment's first part (a little over the part
// target: a part that is coming has come by then).
const nextSegmentAfter = 300 * time.Millisecond

// blockingPart returns an LL-HLS blocking playlist reload's _HLS_msn and
// _HLS_part.
func blockingPart(r *http.Request) (msn, part uint64, ok bool) {
	q := r.URL.Query()
	m, err1 := strconv.ParseUint(q.Get("_HLS_msn"), 10, 64)
	p, err2 := strconv.ParseUint(q.Get("_HLS_part"), 10, 64)
	return m, p, err1 == nil && err2 == nil
}

// serveBlockingPlaylist answers a blocking reload for part P of segment M
// as RFC 8216bis requires: when that part exists, or — if M ends with
// fewer parts — when part 0 of M+1 does ("the Server MUST treat the
// request as one for Part Index 0 of the following Parent Segment").
// gohlslib v2.2.5 answers the second case only once M+1 is complete, a
// segment late: a player that asks for the part after a segment's last one
// (hls.js does, at every segment boundary) then learns of the new parts up
// to a second late and keeps that much more buffer (docs/performance.md).
// So the request goes to the muxer as is and, if it has not been answered
// after nextSegmentAfter, also as one for part 0 of M+1; the first answer
// is served. The other waits inside the muxer until its part exists, the
// segment after it ends or the muxer closes.
func (b *broadcast) serveBlockingPlaylist(w http.ResponseWriter, r *http.Request, msn uint64) {
	answers := make(chan *bufferedResponse, 2)
	ask := func(req *http.Request) {
		rec := &bufferedResponse{header: http.Header{}}
		b.ll.Handle(rec, req)
		answers <- rec
	}
	go ask(r)
	timer := time.NewTimer(nextSegmentAfter)
	defer timer.Stop()
	var rec *bufferedResponse
	select {
	case rec = <-answers:
	case <-r.Context().Done():
		return
	case <-timer.C:
		next := r.Clone(r.Context())
		q := next.URL.Query()
		q.Set("_HLS_msn", strconv.FormatUint(msn+1, 10))
		q.Set("_HLS_part", "0")
		next.URL.RawQuery = q.Encode()
		go ask(next)
		select {
		case rec = <-answers:
		case <-r.Context().Done():
			return
		}
	}
	copyHeader(w.Header(), rec.header)
	if rec.status == 0 {
		rec.status = http.StatusNotFound
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
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
	for _, line := range strings.Split(rec.body.String(), "\n") {
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
