// Package sfu is the offline stack's media plane for IVS Real-Time stages: a
// selective forwarding unit on pion/webrtc that relays RTP between the
// participants of a stage without transcoding.
//
// IVS's own stage signalling (the one the Web Broadcast SDK speaks) is
// proprietary, so offline stages use standards instead:
//
//   - publish:   WHIP (RFC 9725)  POST   /stages/{stageId}/whip
//   - subscribe: WHEP             POST   /stages/{stageId}/whep/{publisherId}
//     (one WHEP session per publisher, as IVS subscribes per participant)
//   - end a session:              DELETE /sessions/{sessionId}  (the Location)
//   - presence:  WebSocket        GET    /stages/{stageId}/events
//
// The credential is the participant token IVS Real-Time would take: the
// stack's ES384 JWTs (minted by the emulator, or self-signed by the backend
// with an imported key), as `Authorization: Bearer <token>` on WHIP/WHEP and
// as the WebSocket sub-protocol on the presence socket (as IVS's own events
// socket does; browsers cannot set headers on WebSockets).
//
// The SFU keeps the IVS Real-Time emulator true: a participant joins the
// stage (session, CONNECTED) with its first connection and leaves with its
// last; WHIP publishing is the emulator's Publish (which enforces the
// 12-publisher limit and emits the `IVS Stage Update` events) and its end is
// Unpublish. DisconnectParticipant and DeleteStage reach the SFU through
// Disconnect and StageDeleted and cut the media at once.
package sfu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/onair/onair/local/internal/ivsemu"
)

// Stages is the IVS Real-Time emulator as the SFU uses it (*ivsemu.Service).
type Stages interface {
	// VerifyStageToken checks a participant token as IVS does at join:
	// signature (the emulator's key or an imported one), claims, expiry and
	// that the stage exists.
	VerifyStageToken(ctx context.Context, token string) (*ivsemu.StageTokenClaims, error)
	// Join connects the token's participant (starting a session if needed);
	// a participant that was disconnected by the API is refused.
	Join(ctx context.Context, stageArn, token string) (*ivsemu.Participant, error)
	// Publish starts publishing (12 publishers at most per stage).
	Publish(ctx context.Context, stageArn, participantID string) error
	Unpublish(ctx context.Context, stageArn, participantID string) error
	Leave(ctx context.Context, stageArn, participantID string) error
}

// Config configures a Server.
type Config struct {
	Stages Stages
	Logger *slog.Logger
	Now    func() time.Time
	// ConnectTimeout closes a WHIP/WHEP session whose peer connection is not
	// connected in time (the client went away after the offer). Default 20 s.
	ConnectTimeout time.Duration
	// MaxSubscribers caps the participants holding WHEP sessions on one
	// stage (IVS allows 10,000; one machine does not). Default 200.
	MaxSubscribers int
	// UDPPortMin/Max restrict the ports of ICE candidates (0: any).
	UDPPortMin, UDPPortMax uint16
}

// Server is the SFU. Its Handler serves WHIP, WHEP and presence.
type Server struct {
	cfg Config
	log *slog.Logger
	api *webrtc.API

	mu       sync.Mutex
	rooms    map[string]*room    // by stage ARN
	sessions map[string]*session // WHIP/WHEP resources by id
	closed   bool
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Stages == nil {
		return nil, errors.New("sfu: Stages is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 20 * time.Second
	}
	if cfg.MaxSubscribers <= 0 {
		cfg.MaxSubscribers = 200
	}
	api, err := newAPI(cfg)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, log: cfg.Logger, api: api,
		rooms: map[string]*room{}, sessions: map[string]*session{}}, nil
}

// Handler serves the SFU's HTTP routes (see the package comment).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /stages/{stageId}/whip", s.serveWHIP)
	mux.HandleFunc("POST /stages/{stageId}/whep/{publisherId}", s.serveWHEP)
	mux.HandleFunc("GET /stages/{stageId}/events", s.servePresence)
	mux.HandleFunc("DELETE /sessions/{sessionId}", s.serveDeleteSession)
	mux.HandleFunc("PATCH /sessions/{sessionId}", func(w http.ResponseWriter, r *http.Request) {
		// RFC 9725 §4.3.1: a resource without trickle ICE / ICE restarts
		// answers 405. Clients send complete offers (candidates gathered).
		w.Header().Set("Allow", "DELETE, OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "trickle ICE and ICE restarts are not supported: send a complete offer")
	})
	return cors(mux)
}

// cors lets the web app (another origin) call the SFU. Credentials are
// bearer tokens, never cookies, so any origin may.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Location, ETag, Link")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "POST, DELETE, PATCH, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Disconnect cuts a participant's media and presence at once (the emulator's
// DisconnectParticipant, which has already made it leave and revoked it).
func (s *Server) Disconnect(stageArn, participantID, reason string) {
	s.mu.Lock()
	var p *participant
	if rm := s.rooms[stageArn]; rm != nil {
		p = rm.participants[participantID]
	}
	s.mu.Unlock()
	if p == nil {
		return
	}
	s.log.Info("sfu: participant disconnected by the API", "stage_arn", stageArn, "participant_id", participantID, "reason", reason)
	s.dropParticipant(p, presenceMsg{Type: msgDisconnected, Reason: reason})
}

// StageDeleted ends every connection of a deleted stage.
func (s *Server) StageDeleted(stageArn string) {
	s.mu.Lock()
	var parts []*participant
	if rm := s.rooms[stageArn]; rm != nil {
		for _, p := range rm.participants {
			parts = append(parts, p)
		}
	}
	s.mu.Unlock()
	if len(parts) > 0 {
		s.log.Info("sfu: stage deleted, ending its connections", "stage_arn", stageArn, "participants", len(parts))
	}
	for _, p := range parts {
		s.dropParticipant(p, presenceMsg{Type: msgStageEnded, Reason: "The stage has ended"})
	}
}

// Close ends every session and presence socket.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var parts []*participant
	for _, rm := range s.rooms {
		for _, p := range rm.participants {
			parts = append(parts, p)
		}
	}
	s.mu.Unlock()
	for _, p := range parts {
		s.dropParticipant(p, presenceMsg{Type: msgDisconnected, Reason: "server shutting down"})
	}
	return nil
}

// Stats is a snapshot for logs, tests and benchmarks.
type Stats struct {
	Stages, Participants, Publishers, Sessions int
}

// Stats returns current counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Stages: len(s.rooms), Sessions: len(s.sessions)}
	for _, rm := range s.rooms {
		st.Participants += len(rm.participants)
		for _, p := range rm.participants {
			if p.pub != nil {
				st.Publishers++
			}
		}
	}
	return st
}

// newAPI builds the pion API: the codecs browsers and IVS share (H.264
// first, as IVS requires it; VP8 as a fallback; Opus), the default
// interceptors (NACK, RTCP reports, TWCC) and ICE settings for one machine.
func newAPI(cfg Config) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "transport-cc"}}
	videos := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", RTCPFeedback: fb}, PayloadType: 102},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", RTCPFeedback: fb}, PayloadType: 104},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f", RTCPFeedback: fb}, PayloadType: 112},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: 96},
	}
	for _, c := range videos {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, fmt.Errorf("sfu: register codec: %w", err)
		}
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("sfu: register codec: %w", err)
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, fmt.Errorf("sfu: interceptors: %w", err)
	}
	se := webrtc.SettingEngine{}
	// Everything runs on one machine: loopback candidates are the ones that
	// always work; mDNS is off (browsers' .local candidates become
	// peer-reflexive ones when their checks arrive).
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICETimeouts(4*time.Second, 10*time.Second, 2*time.Second)
	if cfg.UDPPortMin != 0 || cfg.UDPPortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.UDPPortMin, cfg.UDPPortMax); err != nil {
			return nil, fmt.Errorf("sfu: UDP port range: %w", err)
		}
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}
