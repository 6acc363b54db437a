package sfu

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Presence messages, server to client (JSON text frames):
//
//	{"type":"welcome","stageArn","self":{…},"participants":[{…}, …]}   first
//	{"type":"participantJoined","participant":{…}}
//	{"type":"participantUpdated","participant":{…}}   publish state, tracks, mute
//	{"type":"participantLeft","participantId":"…"}
//	{"type":"disconnected","reason":"…"}   DisconnectParticipant; then closed
//	{"type":"stageEnded","reason":"…"}     DeleteStage; then closed
//
// Client to server:
//
//	{"type":"state","audioMuted":bool,"videoStopped":bool}
const (
	msgWelcome      = "welcome"
	msgJoined       = "participantJoined"
	msgUpdated      = "participantUpdated"
	msgLeft         = "participantLeft"
	msgDisconnected = "disconnected"
	msgStageEnded   = "stageEnded"
)

type presenceMsg struct {
	Type          string            `json:"type"`
	StageArn      string            `json:"stageArn,omitempty"`
	Self          *participantView  `json:"self,omitempty"`
	Participants  []participantView `json:"participants,omitempty"`
	Participant   *participantView  `json:"participant,omitempty"`
	ParticipantID string            `json:"participantId,omitempty"`
	Reason        string            `json:"reason,omitempty"`
}

func (m presenceMsg) encode() []byte {
	data, _ := json.Marshal(m)
	return data
}

type clientMsg struct {
	Type         string `json:"type"`
	AudioMuted   *bool  `json:"audioMuted"`
	VideoStopped *bool  `json:"videoStopped"`
}

const (
	presenceOutbox = 256
	presenceWrite  = 5 * time.Second
	presencePing   = 20 * time.Second
	presenceRead   = 4096
)

// presenceConn is one presence WebSocket. Frames are queued and written by
// one goroutine; a client too slow to drain its queue is closed.
type presenceConn struct {
	ws *websocket.Conn

	mu     sync.Mutex
	outbox chan []byte
	closed bool
	reason string // when set, close after the queued frames
}

func (c *presenceConn) send(data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	select {
	case c.outbox <- data:
	default:
		c.closed = true
		close(c.outbox)
		go c.ws.Close(websocket.StatusPolicyViolation, "client too slow")
	}
}

// closeAfterQueued closes the socket once the queued frames are written.
func (c *presenceConn) closeAfterQueued(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed, c.reason = true, reason
	close(c.outbox)
}

func (c *presenceConn) writeLoop() {
	for data := range c.outbox {
		ctx, cancel := context.WithTimeout(context.Background(), presenceWrite)
		err := c.ws.Write(ctx, websocket.MessageText, data)
		cancel()
		if err != nil {
			c.ws.CloseNow()
			return
		}
	}
	c.mu.Lock()
	reason := c.reason
	c.mu.Unlock()
	if len(reason) > 120 {
		reason = reason[:120] // close reasons are limited to 123 bytes
	}
	_ = c.ws.Close(websocket.StatusNormalClosure, reason)
}

// servePresence is the presence WebSocket: the participant token is the
// sub-protocol (as on IVS's events socket). Any valid token of the stage may
// connect; connecting joins the stage.
func (s *Server) servePresence(w http.ResponseWriter, r *http.Request) {
	token := offeredProtocol(r)
	claims, err := s.authorize(r.Context(), token, r.PathValue("stageId"), nil, "")
	if err != nil {
		writeAPIError(w, err)
		return
	}
	s.mu.Lock()
	p, err := s.acquire(r.Context(), claims, token)
	s.mu.Unlock()
	if err != nil {
		writeAPIError(w, err)
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:       []string{token}, // echoed: browsers require it
		InsecureSkipVerify: true,            // any origin, with a valid token
	})
	if err != nil {
		s.mu.Lock()
		p.pending--
		s.release(p)
		s.mu.Unlock()
		return
	}
	ws.SetReadLimit(presenceRead)
	c := &presenceConn{ws: ws, outbox: make(chan []byte, presenceOutbox)}
	s.mu.Lock()
	p.pending--
	if p.dropped {
		s.mu.Unlock()
		_ = ws.Close(websocket.StatusNormalClosure, "disconnected")
		return
	}
	p.sockets[c] = struct{}{}
	self := p.view()
	c.send(presenceMsg{Type: msgWelcome, StageArn: p.room.arn, Self: &self, Participants: p.room.views()}.encode())
	s.mu.Unlock()

	go c.writeLoop()
	ctx, cancel := context.WithCancel(r.Context())
	go s.pingLoop(ctx, c)
	s.readPresence(ctx, c, p)
	cancel()

	s.mu.Lock()
	delete(p.sockets, c)
	s.release(p)
	s.mu.Unlock()
	c.closeAfterQueued("")
}

func (s *Server) pingLoop(ctx context.Context, c *presenceConn) {
	t := time.NewTicker(presencePing)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, presencePing/2)
			err := c.ws.Ping(pctx)
			cancel()
			if err != nil {
				c.ws.CloseNow()
				return
			}
		}
	}
}

func (s *Server) readPresence(ctx context.Context, c *presenceConn, p *participant) {
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		var m clientMsg
		if json.Unmarshal(data, &m) != nil || m.Type != "state" {
			continue // unknown messages are ignored (forward compatibility)
		}
		s.mu.Lock()
		changed := false
		if m.AudioMuted != nil && *m.AudioMuted != p.audioMuted {
			p.audioMuted, changed = *m.AudioMuted, true
		}
		if m.VideoStopped != nil && *m.VideoStopped != p.videoStopped {
			p.videoStopped, changed = *m.VideoStopped, true
		}
		if changed {
			s.updated(p)
		}
		s.mu.Unlock()
	}
}

func offeredProtocol(r *http.Request) string {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				return p
			}
		}
	}
	return ""
}
