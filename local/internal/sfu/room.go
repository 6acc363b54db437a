package sfu

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/onair/onair/local/internal/ivsemu"
)

// room is the SFU's side of one stage: the participants connected to it.
type room struct {
	arn, id      string
	participants map[string]*participant // by participant id (the token's jti)
}

// participant is one token holder on a stage. It is connected (in the
// emulator too) while it holds at least one presence socket or WHIP/WHEP
// session, so a WHIP-only publisher (OBS) is a participant like a browser.
type participant struct {
	room       *room
	id, userID string
	attributes map[string]string
	caps       ivsemu.TokenCapabilities
	joinedAt   time.Time

	sockets  map[*presenceConn]struct{}
	sessions map[*session]struct{}
	pending  int        // connections being set up (acquired, not attached yet)
	pub      *publisher // its WHIP session's media, nil when not publishing

	audioMuted, videoStopped bool // as the client reports them
	dropped                  bool // disconnected by the API or the stage ended
}

func (p *participant) conns() int { return len(p.sockets) + len(p.sessions) + p.pending }

// participantView is a participant as presence shows it, close to the Web
// Broadcast SDK's StageParticipantInfo.
type participantView struct {
	ParticipantID string            `json:"participantId"`
	UserID        string            `json:"userId"`
	Attributes    map[string]string `json:"attributes"`
	Capabilities  []string          `json:"capabilities"`
	// PublishState: NOT_PUBLISHED, ATTEMPTING_PUBLISH (WHIP accepted, media
	// not flowing yet) or PUBLISHED (subscribe now).
	PublishState string   `json:"publishState"`
	Tracks       []string `json:"tracks"` // kinds being forwarded: "audio", "video"
	AudioMuted   bool     `json:"audioMuted"`
	VideoStopped bool     `json:"videoStopped"`
	JoinedAt     string   `json:"joinedAt"`
}

func (p *participant) view() participantView {
	v := participantView{ParticipantID: p.id, UserID: p.userID, Attributes: p.attributes,
		Capabilities: []string{}, PublishState: "NOT_PUBLISHED", Tracks: []string{},
		AudioMuted: p.audioMuted, VideoStopped: p.videoStopped, JoinedAt: p.joinedAt.UTC().Format(time.RFC3339Nano)}
	if p.caps.AllowPublish {
		v.Capabilities = append(v.Capabilities, "PUBLISH")
	}
	if p.caps.AllowSubscribe {
		v.Capabilities = append(v.Capabilities, "SUBSCRIBE")
	}
	if p.pub != nil {
		v.PublishState = "ATTEMPTING_PUBLISH"
		if p.pub.ready {
			v.PublishState = "PUBLISHED"
			for _, t := range p.pub.tracks {
				v.Tracks = append(v.Tracks, t.kind)
			}
		}
	}
	return v
}

// views lists a room's participants, first joined first.
func (rm *room) views() []participantView {
	out := make([]participantView, 0, len(rm.participants))
	for _, p := range rm.participants {
		out = append(out, p.view())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].JoinedAt < out[j].JoinedAt })
	return out
}

// broadcast queues msg on every presence socket of the room except skip's.
// Caller holds s.mu.
func (rm *room) broadcast(msg presenceMsg, skip *participant) {
	data := msg.encode()
	for _, p := range rm.participants {
		if p == skip {
			continue
		}
		for c := range p.sockets {
			c.send(data)
		}
	}
}

// acquire returns the participant of a verified token for a new connection,
// joining it to the stage (and the emulator) if it is not connected yet.
// Caller holds s.mu. The participant counts one pending connection until
// the caller attaches it (pending--, then add the socket or session) or
// gives it back (pending--, release).
func (s *Server) acquire(ctx context.Context, claims *ivsemu.StageTokenClaims, token string) (*participant, error) {
	if s.closed {
		return nil, refuse(503, "Unavailable", "the SFU is shutting down")
	}
	rm := s.rooms[claims.Resource]
	if rm != nil {
		if p := rm.participants[claims.Jti]; p != nil {
			p.pending++
			return p, nil
		}
	}
	if _, err := s.cfg.Stages.Join(ctx, claims.Resource, token); err != nil {
		return nil, joinError(err)
	}
	if rm == nil {
		rm = &room{arn: claims.Resource, id: claims.Topic, participants: map[string]*participant{}}
		s.rooms[rm.arn] = rm
	}
	attrs := claims.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	p := &participant{room: rm, id: claims.Jti, userID: claims.UserID, attributes: attrs, caps: claims.Capabilities,
		joinedAt: s.cfg.Now(), sockets: map[*presenceConn]struct{}{}, sessions: map[*session]struct{}{}}
	rm.participants[p.id] = p
	p.pending++
	v := p.view()
	rm.broadcast(presenceMsg{Type: msgJoined, Participant: &v}, p)
	s.log.Info("sfu: participant joined", "stage_arn", rm.arn, "participant_id", p.id, "user_id", p.userID)
	return p, nil
}

// release makes a participant with no connection left leave the stage.
// Caller holds s.mu.
func (s *Server) release(p *participant) {
	if p.dropped || p.conns() > 0 {
		return
	}
	s.forget(p)
	if err := s.cfg.Stages.Leave(context.Background(), p.room.arn, p.id); err != nil &&
		!errors.Is(err, ivsemu.ErrParticipantNotConnected) && !errors.Is(err, ivsemu.ErrStageNotFound) {
		s.log.Error("sfu: leave", "stage_arn", p.room.arn, "participant_id", p.id, "error", err.Error())
	}
	s.log.Info("sfu: participant left", "stage_arn", p.room.arn, "participant_id", p.id)
}

// forget removes a participant from its room and tells the others.
// Caller holds s.mu.
func (s *Server) forget(p *participant) {
	rm := p.room
	if rm.participants[p.id] != p {
		return
	}
	delete(rm.participants, p.id)
	rm.broadcast(presenceMsg{Type: msgLeft, ParticipantID: p.id}, p)
	if len(rm.participants) == 0 {
		delete(s.rooms, rm.arn)
	}
}

// updated tells the room a participant's state changed. Caller holds s.mu.
func (s *Server) updated(p *participant) {
	if p.dropped {
		return
	}
	v := p.view()
	p.room.broadcast(presenceMsg{Type: msgUpdated, Participant: &v}, nil)
}

// dropParticipant ends all of a participant's connections at once: its
// sockets get msg first. The emulator is told it left (a no-op when the
// API already disconnected it or deleted the stage).
func (s *Server) dropParticipant(p *participant, msg presenceMsg) {
	s.mu.Lock()
	if p.dropped {
		s.mu.Unlock()
		return
	}
	p.dropped = true
	s.forget(p)
	if err := s.cfg.Stages.Leave(context.Background(), p.room.arn, p.id); err != nil &&
		!errors.Is(err, ivsemu.ErrParticipantNotConnected) && !errors.Is(err, ivsemu.ErrStageNotFound) {
		s.log.Error("sfu: leave", "stage_arn", p.room.arn, "participant_id", p.id, "error", err.Error())
	}
	sockets := make([]*presenceConn, 0, len(p.sockets))
	for c := range p.sockets {
		sockets = append(sockets, c)
	}
	sessions := make([]*session, 0, len(p.sessions))
	for ss := range p.sessions {
		sessions = append(sessions, ss)
	}
	s.mu.Unlock()
	data := msg.encode()
	for _, c := range sockets {
		c.send(data)
		c.closeAfterQueued(msg.Reason)
	}
	for _, ss := range sessions {
		s.closeSession(ss, msg.Reason)
	}
}
