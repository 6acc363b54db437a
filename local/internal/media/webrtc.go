package media

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"
)

// WebRTC ingest: the web broadcast SDK's POST /v1/offer (JSON, base64 SDP,
// ../shared/spec/media-plane.md §5) and standard WHIP (RFC 9725: POST /whip
// with the stream key as bearer token, application/sdp). Only H.264 and
// Opus are offered, so the SDK (which offers VP8 first) sends H.264.

// pliInterval: browsers send keyframes only when asked; one a second keeps
// segments (and latency) short.
const pliInterval = time.Second

// gatherTimeout bounds ICE gathering before answering (the SDK's offer has
// no candidates; the answer must carry ours).
const gatherTimeout = 5 * time.Second

// codeInvalidKey is the /v1/offer error code the SDK maps to its invalid
// stream key error.
const codeInvalidKey = 1007

func (p *Plane) webrtcAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}
	for i, profile := range []string{"42e01f", "42001f", "4d001f", "640c1f", "64001f"} {
		if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + profile,
			RTCPFeedback: fb}, PayloadType: webrtc.PayloadType(102 + 2*i)}, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, err
		}
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

// WebRTCHandler serves /v1/offer and WHIP (mount it on an HTTPS listener
// with the stack's certificate).
func (p *Plane) WebRTCHandler() (http.Handler, error) {
	api, err := p.webrtcAPI()
	if err != nil {
		return nil, fmt.Errorf("media: WebRTC: %w", err)
	}
	w := &webrtcIngest{p: p, api: api, sessions: map[string]*rtcSession{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/offer", w.offer)
	mux.HandleFunc("POST /whip", w.whip)
	mux.HandleFunc("DELETE /whip/{id}", w.whipDelete)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Expose-Headers", "Location")
		if r.Method == http.MethodOptions {
			rw.WriteHeader(http.StatusNoContent)
			return
		}
		mux.ServeHTTP(rw, r)
	}), nil
}

type webrtcIngest struct {
	p   *Plane
	api *webrtc.API

	mu       sync.Mutex
	sessions map[string]*rtcSession // WHIP resources
}

type rtcSession struct {
	id string
	pc *webrtc.PeerConnection
	b  *broadcast
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (wi *webrtcIngest) offer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Offer     string `json:"offer"`
		StreamKey string `json:"streamKey"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 256*1024))
	if err != nil || json.Unmarshal(body, &req) != nil || req.Offer == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 1000, "message": "expected JSON {offer, streamKey}"})
		return
	}
	raw, err := base64.StdEncoding.DecodeString(req.Offer)
	var sd webrtc.SessionDescription
	if err != nil || json.Unmarshal(raw, &sd) != nil || sd.Type != webrtc.SDPTypeOffer {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 1000, "message": "offer is not a base64 JSON RTCSessionDescription"})
		return
	}
	sess, answer, err := wi.negotiate(r.Context(), req.StreamKey, sd.SDP, "WebRTC (web broadcast SDK)")
	if err != nil {
		status, code := errStatus(err)
		writeJSON(w, status, map[string]any{"code": code, "message": err.Error()})
		return
	}
	out, _ := json.Marshal(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
	writeJSON(w, http.StatusOK, map[string]any{"answer": base64.StdEncoding.EncodeToString(out), "ingestSessionId": sess.id})
}

func (wi *webrtcIngest) whip(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || key == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		http.Error(w, "the stream key is the bearer token", http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/sdp") {
		http.Error(w, "Content-Type must be application/sdp", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 256*1024))
	if err != nil {
		http.Error(w, "could not read the offer", http.StatusBadRequest)
		return
	}
	sess, answer, err := wi.negotiate(r.Context(), strings.TrimSpace(key), string(body), "WHIP")
	if err != nil {
		status, _ := errStatus(err)
		http.Error(w, err.Error(), status)
		return
	}
	wi.mu.Lock()
	wi.sessions[sess.id] = sess
	wi.mu.Unlock()
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/whip/"+sess.id)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

func (wi *webrtcIngest) whipDelete(w http.ResponseWriter, r *http.Request) {
	wi.mu.Lock()
	sess := wi.sessions[r.PathValue("id")]
	delete(wi.sessions, r.PathValue("id"))
	wi.mu.Unlock()
	if sess == nil {
		http.NotFound(w, r)
		return
	}
	sess.b.disconnect("WHIP session deleted by the encoder")
	<-sess.b.ended
	w.WriteHeader(http.StatusOK)
}

func errStatus(err error) (int, int) {
	switch {
	case errors.Is(err, ErrBadStreamKey):
		return http.StatusForbidden, codeInvalidKey
	case errors.Is(err, ErrAlreadyLive):
		return http.StatusConflict, 1009
	case errors.Is(err, errBadOffer):
		return http.StatusBadRequest, 1000
	}
	return http.StatusInternalServerError, 1001
}

var errBadOffer = errors.New("media: unusable offer")

func newSessionID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// negotiate checks the key, answers the offer (with gathered candidates)
// and wires the tracks into a broadcast.
func (wi *webrtcIngest) negotiate(ctx context.Context, key, offer, kind string) (*rtcSession, string, error) {
	pc, err := wi.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", fmt.Errorf("media: peer connection: %w", err)
	}
	sess := &rtcSession{id: newSessionID(), pc: pc}
	b, err := wi.p.begin(ctx, key, kind, func() { go pc.Close() })
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	sess.b = b
	fail := func(err error) (*rtcSession, string, error) {
		_ = pc.Close()
		b.finish(err.Error())
		return nil, "", err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(fmt.Errorf("%w: %w", errBadOffer, err))
	}
	hasAudio, hasVideo := false, false
	for _, t := range pc.GetTransceivers() {
		switch t.Kind() {
		case webrtc.RTPCodecTypeAudio:
			hasAudio = true
		case webrtc.RTPCodecTypeVideo:
			hasVideo = true
		}
	}
	if !hasVideo {
		return fail(fmt.Errorf("%w: no H.264 video", errBadOffer))
	}
	in := &rtcInput{b: b, pc: pc, hasAudio: hasAudio, log: wi.p.log}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		wi.p.goroutine(func() { in.read(tr) })
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateFailed || s == webrtc.PeerConnectionStateClosed {
			go in.end("peer connection " + s.String())
		}
	})
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		if dc.Label() == "stopStream" {
			dc.OnMessage(func(webrtc.DataChannelMessage) { go in.end("the broadcaster stopped the stream") })
		}
	})
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", errBadOffer, err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return fail(fmt.Errorf("media: local description: %w", err))
	}
	select {
	case <-gathered:
	case <-time.After(gatherTimeout):
	}
	// The broadcaster has this long to connect and send a keyframe.
	wi.p.goroutine(func() {
		select {
		case <-b.ended:
		case <-time.After(15 * time.Second):
			if !in.mediaStarted.Load() {
				in.end("no video within 15 s of the offer")
			}
		}
	})
	return sess, pc.LocalDescription().SDP, nil
}

// rtcInput turns a peer connection's RTP into the broadcast's samples.
type rtcInput struct {
	b        *broadcast
	pc       *webrtc.PeerConnection
	hasAudio bool
	log      interface {
		Debug(string, ...any)
	}
	startOnce    sync.Once
	startErr     error
	mediaStarted atomic.Bool
	endOnce      sync.Once

	baseMu sync.Mutex
	base   time.Time // wall clock of the first packet: both tracks' origin
}

func (in *rtcInput) end(reason string) {
	in.endOnce.Do(func() {
		_ = in.pc.Close()
		in.b.finish(reason)
	})
}

// origin returns the wall-clock origin of media time (first packet of any
// track). Tracks are aligned on their first packets' arrival.
func (in *rtcInput) origin(now time.Time) time.Time {
	in.baseMu.Lock()
	defer in.baseMu.Unlock()
	if in.base.IsZero() {
		in.base = now
	}
	return in.base
}

func (in *rtcInput) read(tr *webrtc.TrackRemote) {
	defer in.end("track ended")
	switch {
	case strings.EqualFold(tr.Codec().MimeType, webrtc.MimeTypeH264):
		in.readVideo(tr)
	case strings.EqualFold(tr.Codec().MimeType, webrtc.MimeTypeOpus):
		in.readAudio(tr)
	}
}

func (in *rtcInput) readVideo(tr *webrtc.TrackRemote) {
	stop := make(chan struct{})
	defer close(stop)
	ssrc := uint32(tr.SSRC())
	pli := func() { _ = in.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}) }
	pli()
	in.b.p.goroutine(func() {
		t := time.NewTicker(pliInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-in.b.stop:
				return
			case <-t.C:
				pli()
			}
		}
	})
	sb := samplebuilder.New(512, &codecs.H264Packet{}, 90000)
	var first uint32
	var offset time.Duration
	haveFirst := false
	var sps, pps []byte
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		if !haveFirst {
			haveFirst, first = true, pkt.Timestamp
			offset = time.Since(in.origin(time.Now()))
		}
		sb.Push(pkt)
		for s := sb.Pop(); s != nil; s = sb.Pop() {
			var au h264.AnnexB
			if err := au.Unmarshal(s.Data); err != nil || len(au) == 0 {
				continue
			}
			for _, n := range au {
				switch h264.NALUType(n[0] & 0x1F) {
				case h264.NALUTypeSPS:
					sps = n
				case h264.NALUTypePPS:
					pps = n
				}
			}
			if !in.mediaStarted.Load() {
				if sps == nil || pps == nil || !h264.IsRandomAccess(au) {
					continue
				}
				in.startOnce.Do(func() {
					t := Tracks{SPS: sps, PPS: pps, Encoder: in.b.ingest}
					if in.hasAudio {
						t.OpusChannels = 2
					}
					in.startErr = in.b.startMedia(t)
					if in.startErr == nil {
						in.mediaStarted.Store(true)
					}
				})
				if in.startErr != nil {
					in.end(in.startErr.Error())
					return
				}
			}
			pts := offset + time.Duration(int64(s.PacketTimestamp-first))*time.Second/90000
			if !in.b.WriteVideo(pts, au) {
				return
			}
		}
	}
}

func (in *rtcInput) readAudio(tr *webrtc.TrackRemote) {
	var first uint32
	var offset time.Duration
	haveFirst := false
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		if !haveFirst {
			haveFirst, first = true, pkt.Timestamp
			offset = time.Since(in.origin(time.Now()))
		}
		if !in.mediaStarted.Load() || len(pkt.Payload) == 0 {
			continue // audio before the first keyframe is dropped
		}
		pts := offset + time.Duration(int64(pkt.Timestamp-first))*time.Second/48000
		if !in.b.WriteAudio(pts, pkt.Payload) {
			return
		}
	}
}
