package sfu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/onair/onair/local/internal/ivsemu"
)

const (
	maxSDP = 64 << 10
	// readyGrace: a publisher is announced once every track of its offer
	// carries media, or this long after the first one did (a track the
	// browser never feeds must not hold the others back).
	readyGrace = 1500 * time.Millisecond
	// pliInterval rate-limits keyframe requests forwarded to a publisher.
	pliInterval = 500 * time.Millisecond
)

// session is a WHIP (publish) or WHEP (subscribe) resource.
type session struct {
	id    string
	whip  bool
	token string // the bearer that created it; DELETE must present it
	p     *participant
	pc    *webrtc.PeerConnection
	pub   *publisher // WHIP: its own; WHEP: the one it receives
	once  sync.Once
	ended bool // closeSession ran (guarded by Server.mu)
}

// publisher is the media of a WHIP session: the tracks it feeds, forwarded
// to every subscriber through one TrackLocalStaticRTP per track (the RTP is
// read once and written to each subscriber's binding: no transcoding).
type publisher struct {
	sess     *session
	expected int // media sections the offer sends
	tracks   []*forwardTrack
	ready    bool
	subs     map[*session]struct{}
}

type forwardTrack struct {
	kind    string
	ssrc    uint32
	local   *webrtc.TrackLocalStaticRTP
	lastPLI atomic.Int64
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// readOffer checks the request is an SDP offer and returns it.
func readOffer(r *http.Request) (string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/sdp" {
		return "", refuse(http.StatusUnsupportedMediaType, codeUnsupported, "the offer must be sent as application/sdp")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSDP+1))
	if err != nil {
		return "", refuse(http.StatusBadRequest, codeBadRequest, "could not read the offer")
	}
	if len(body) > maxSDP || len(body) == 0 {
		return "", refuse(http.StatusBadRequest, codeBadRequest, "the offer is empty or too large")
	}
	return string(body), nil
}

// sendingSections counts the offer's media sections that send media.
func sendingSections(offer string) (int, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(offer); err != nil {
		return 0, refuse(http.StatusBadRequest, codeBadRequest, "the offer is not valid SDP: "+err.Error())
	}
	n := 0
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Port.Value == 0 || (m.MediaName.Media != "audio" && m.MediaName.Media != "video") {
			continue
		}
		_, recvonly := m.Attribute("recvonly")
		_, inactive := m.Attribute("inactive")
		if !recvonly && !inactive {
			n++
		}
	}
	return n, nil
}

// serveWHIP publishes: the participant token must allow publishing, and the
// emulator's Publish must grant a slot (12 publishers per stage).
func (s *Server) serveWHIP(w http.ResponseWriter, r *http.Request) {
	token := bearer(r)
	claims, err := s.authorize(r.Context(), token, r.PathValue("stageId"), canPublish, "publishing")
	if err != nil {
		writeAPIError(w, err)
		return
	}
	offer, err := readOffer(r)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	expected, err := sendingSections(offer)
	if err == nil && expected == 0 {
		err = refuse(http.StatusBadRequest, codeBadRequest, "the offer sends no audio or video")
	}
	if err != nil {
		writeAPIError(w, err)
		return
	}

	sess := &session{id: newID(), whip: true, token: token}
	p, err := s.enter(r.Context(), claims, token, func(p *participant) error {
		return s.startPublishing(r.Context(), p, sess, expected)
	})
	if err != nil {
		writeAPIError(w, err)
		return
	}
	answer, ok := s.answer(w, r, sess, offer, nil)
	if !ok {
		return
	}
	s.log.Info("sfu: publishing", "stage_arn", p.room.arn, "participant_id", p.id, "session", sess.id)
	writeAnswer(w, sess, answer)
}

// enter joins the caller's participant (acquire) and runs start for it
// under s.mu; a failed start gives the participant back (release).
func (s *Server) enter(ctx context.Context, claims *ivsemu.StageTokenClaims, token string, start func(*participant) error) (*participant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.acquire(ctx, claims, token)
	if err != nil {
		return nil, err
	}
	err = start(p)
	p.pending--
	if err != nil {
		s.release(p)
		return nil, err
	}
	return p, nil
}

// answer negotiates the session's peer connection and returns the SDP
// answer; on failure it closes the session, writes the error and reports false.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, sess *session, offer string, tracks []*forwardTrack) (string, bool) {
	answer, err := s.negotiate(r.Context(), sess, offer, tracks)
	if err != nil {
		s.closeSession(sess, "negotiation failed")
		writeAPIError(w, err)
		return "", false
	}
	return answer, true
}

// startPublishing reserves the participant's publish slot with the emulator
// and registers the session. Caller holds s.mu.
func (s *Server) startPublishing(ctx context.Context, p *participant, sess *session, expected int) error {
	if p.pub != nil {
		return refuse(http.StatusConflict, codeAlreadyPublish, "this participant is already publishing; DELETE its session first")
	}
	err := s.cfg.Stages.Publish(ctx, p.room.arn, p.id)
	switch {
	case errors.Is(err, ivsemu.ErrPublisherLimit):
		return refuse(http.StatusForbidden, codeStageFull, "the stage already has 12 publishers")
	case errors.Is(err, ivsemu.ErrInsufficientCapabilities):
		return refuse(http.StatusForbidden, codeNoCapability, "the participant token does not allow publishing")
	case errors.Is(err, ivsemu.ErrParticipantNotConnected), errors.Is(err, ivsemu.ErrStageNotFound):
		return refuse(http.StatusNotFound, codeStageNotFound, "the stage ended")
	case err != nil:
		return err
	}
	sess.p = p
	sess.pub = &publisher{sess: sess, expected: expected, subs: map[*session]struct{}{}}
	p.pub = sess.pub
	p.sessions[sess] = struct{}{}
	s.sessions[sess.id] = sess
	s.updated(p)
	return nil
}

// serveWHEP subscribes to one publisher of the stage.
func (s *Server) serveWHEP(w http.ResponseWriter, r *http.Request) {
	token := bearer(r)
	claims, err := s.authorize(r.Context(), token, r.PathValue("stageId"), canSubscribe, "subscribing")
	if err != nil {
		writeAPIError(w, err)
		return
	}
	offer, err := readOffer(r)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	if _, err := sendingSections(offer); err != nil {
		writeAPIError(w, err)
		return
	}
	sess := &session{id: newID(), token: token}
	var tracks []*forwardTrack
	p, err := s.enter(r.Context(), claims, token, func(p *participant) (err error) {
		tracks, err = s.startSubscribing(p, sess, r.PathValue("publisherId"))
		return err
	})
	if err != nil {
		writeAPIError(w, err)
		return
	}
	answer, ok := s.answer(w, r, sess, offer, tracks)
	if !ok {
		return
	}
	s.log.Debug("sfu: subscribed", "stage_arn", p.room.arn, "participant_id", p.id, "publisher_id", sess.pub.sess.p.id)
	writeAnswer(w, sess, answer)
}

// startSubscribing registers a WHEP session on a publisher whose media is
// flowing. Caller holds s.mu.
func (s *Server) startSubscribing(p *participant, sess *session, publisherID string) ([]*forwardTrack, error) {
	target := p.room.participants[publisherID]
	if target == nil || target.pub == nil || !target.pub.ready {
		return nil, refuse(http.StatusNotFound, codeNotPublishing, "that participant is not publishing (yet): wait for its PUBLISHED state")
	}
	if _, subscribing := s.subscribers(p.room)[p]; !subscribing && len(s.subscribers(p.room)) >= s.cfg.MaxSubscribers {
		return nil, refuse(http.StatusForbidden, codeTooManySubs, "the stage has too many subscribers for this machine")
	}
	sess.p, sess.pub = p, target.pub
	target.pub.subs[sess] = struct{}{}
	p.sessions[sess] = struct{}{}
	s.sessions[sess.id] = sess
	return append([]*forwardTrack(nil), target.pub.tracks...), nil
}

// subscribers are the participants of a room holding WHEP sessions.
func (s *Server) subscribers(rm *room) map[*participant]struct{} {
	out := map[*participant]struct{}{}
	for _, p := range rm.participants {
		for ss := range p.sessions {
			if !ss.whip {
				out[p] = struct{}{}
				break
			}
		}
	}
	return out
}

func writeAnswer(w http.ResponseWriter, sess *session, answer string) {
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/sessions/"+sess.id)
	w.Header().Set("ETag", `"`+sess.id+`"`)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

// negotiate creates the session's peer connection and answers the offer,
// with every ICE candidate in the answer (no trickle). A WHIP session
// receives; a WHEP session sends tracks.
func (s *Server) negotiate(ctx context.Context, sess *session, offer string, tracks []*forwardTrack) (string, error) {
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	ended := sess.ended
	sess.pc = pc
	s.mu.Unlock()
	if ended { // disconnected while the offer was read
		_ = pc.Close()
		return "", refuse(http.StatusNotFound, codeStageNotFound, "the session ended before it was set up")
	}

	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			if !sess.whip {
				s.requestKeyframe(sess.pub) // a new subscriber needs a keyframe now
			}
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			go s.closeSession(sess, "connection "+st.String())
		}
	})
	time.AfterFunc(s.cfg.ConnectTimeout, func() {
		if pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
			s.closeSession(sess, "not connected in time")
		}
	})

	if sess.whip {
		pc.OnTrack(func(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
			s.forward(sess, remote, recv)
		})
	} else {
		for _, t := range tracks {
			sender, err := pc.AddTrack(t.local)
			if err != nil {
				return "", err
			}
			go s.readSubscriberRTCP(sess, sender)
		}
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", refuse(http.StatusBadRequest, codeBadRequest, "the offer was refused: "+err.Error())
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", refuse(http.StatusBadRequest, codeBadRequest, "no answer to this offer (no common codec?): "+err.Error())
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(5 * time.Second):
	}
	return pc.LocalDescription().SDP, nil
}

// forward relays one published track: read RTP once, write it to the local
// track every subscriber is bound to.
func (s *Server) forward(sess *session, remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	kind := remote.Kind().String()
	s.mu.Lock()
	pub := sess.pub
	var ft *forwardTrack
	if pub != nil && sess.p.pub == pub {
		for _, t := range pub.tracks {
			if t.kind == kind {
				s.mu.Unlock()
				return // one track per kind (no simulcast layers)
			}
		}
		local, err := webrtc.NewTrackLocalStaticRTP(remote.Codec().RTPCodecCapability, kind, sess.p.id)
		if err != nil {
			s.mu.Unlock()
			s.log.Error("sfu: local track", "error", err.Error())
			return
		}
		ft = &forwardTrack{kind: kind, ssrc: uint32(remote.SSRC()), local: local}
		pub.tracks = append(pub.tracks, ft)
		switch {
		case len(pub.tracks) >= pub.expected:
			s.markReady(pub)
		case len(pub.tracks) == 1:
			time.AfterFunc(readyGrace, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				s.markReady(pub)
			})
		}
	}
	s.mu.Unlock()
	if ft == nil {
		return
	}
	go func() { // drain RTCP so the interceptors see it
		for {
			if _, _, err := recv.ReadRTCP(); err != nil {
				return
			}
		}
	}()
	for {
		pkt, _, err := remote.ReadRTP()
		if err != nil {
			return
		}
		// An error here is one subscriber's (e.g. closing); the others
		// still get the packet, so keep going.
		_ = ft.local.WriteRTP(pkt)
	}
}

// markReady announces a publisher whose media flows. Caller holds s.mu.
func (s *Server) markReady(pub *publisher) {
	if pub.ready || pub.sess.p.pub != pub {
		return
	}
	pub.ready = true
	s.updated(pub.sess.p)
}

// readSubscriberRTCP reads a subscriber's RTCP (the NACK responder needs
// it read) and forwards keyframe requests to the publisher.
func (s *Server) readSubscriberRTCP(sess *session, sender *webrtc.RTPSender) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				s.requestKeyframe(sess.pub)
			}
		}
	}
}

// requestKeyframe sends a PLI for the publisher's video, at most every
// pliInterval.
func (s *Server) requestKeyframe(pub *publisher) {
	s.mu.Lock()
	pc := pub.sess.pc
	var video *forwardTrack
	for _, t := range pub.tracks {
		if t.kind == "video" {
			video = t
		}
	}
	s.mu.Unlock()
	if video == nil || pc == nil {
		return
	}
	now := time.Now().UnixNano()
	last := video.lastPLI.Load()
	if now-last < int64(pliInterval) || !video.lastPLI.CompareAndSwap(last, now) {
		return
	}
	_ = pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: video.ssrc}})
}

// serveDeleteSession ends a WHIP/WHEP session (RFC 9725 §4.2): the bearer
// must be the token that created it.
func (s *Server) serveDeleteSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sess := s.sessions[r.PathValue("sessionId")]
	s.mu.Unlock()
	if sess == nil {
		writeError(w, http.StatusNotFound, "SessionNotFound", "no such session (it may have ended)")
		return
	}
	if bearer(r) != sess.token {
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "present the participant token that created the session")
		return
	}
	s.closeSession(sess, "deleted by the client")
	w.WriteHeader(http.StatusOK)
}

// closeSession ends a session once: a publisher's end unpublishes it (in
// the emulator too) and ends its subscribers' sessions; the participant
// leaves when it was its last connection.
func (s *Server) closeSession(sess *session, reason string) {
	sess.once.Do(func() {
		var subs []*session
		s.mu.Lock()
		sess.ended = true
		pc := sess.pc
		delete(s.sessions, sess.id)
		if p := sess.p; p != nil {
			delete(p.sessions, sess)
			if sess.whip && p.pub == sess.pub {
				p.pub = nil
				for sub := range sess.pub.subs {
					subs = append(subs, sub)
				}
				if !p.dropped {
					if err := s.cfg.Stages.Unpublish(context.Background(), p.room.arn, p.id); err != nil &&
						!errors.Is(err, ivsemu.ErrParticipantNotConnected) && !errors.Is(err, ivsemu.ErrStageNotFound) {
						s.log.Error("sfu: unpublish", "stage_arn", p.room.arn, "participant_id", p.id, "error", err.Error())
					}
					s.updated(p)
					s.log.Info("sfu: stopped publishing", "stage_arn", p.room.arn, "participant_id", p.id, "reason", reason)
				}
			} else if !sess.whip && sess.pub != nil {
				delete(sess.pub.subs, sess)
			}
			s.release(p)
		}
		s.mu.Unlock()
		if pc != nil {
			_ = pc.Close()
		}
		for _, sub := range subs {
			s.closeSession(sub, "the publisher stopped")
		}
	})
}
