// Package whipclient is a WHIP/WHEP client on pion for the offline SFU: the
// SFU's tests and its load benchmark publish synthetic RTP with it and
// receive it. Payloads are opaque to the SFU (it forwards without decoding),
// so a publisher can put a send timestamp in each packet and a subscriber
// measure publish-to-receive latency.
package whipclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Error is a refusal from the SFU: the HTTP status and its JSON body.
type Error struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Client talks to one SFU.
type Client struct {
	BaseURL string // e.g. https://127.0.0.1:4444
	HTTP    *http.Client
	api     *webrtc.API
}

// New returns a client; tlsConfig (optional) is for an https base URL, e.g.
// one that trusts the stack's development CA.
func New(baseURL string, tlsConfig *tls.Config) (*Client, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	hc := &http.Client{Timeout: 15 * time.Second}
	if tlsConfig != nil {
		hc.Transport = &http.Transport{TLSClientConfig: tlsConfig}
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: hc,
		api: webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))}, nil
}

// Session is an established WHIP or WHEP session.
type Session struct {
	PC       *webrtc.PeerConnection
	Location string // the resource URL (DELETE it to end the session)
	c        *Client
	token    string
}

// Close ends the session (DELETE, then close the peer connection).
func (s *Session) Close() error {
	req, err := http.NewRequest(http.MethodDelete, s.Location, nil)
	if err == nil {
		req.Header.Set("Authorization", "Bearer "+s.token)
		var resp *http.Response
		if resp, err = s.c.HTTP.Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}
	return errorsJoin(err, s.PC.Close())
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// exchange posts the offer (after gathering) and applies the answer.
func (c *Client) exchange(ctx context.Context, pc *webrtc.PeerConnection, endpoint, token string) (*Session, error) {
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return nil, err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(pc.LocalDescription().SDP))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/sdp")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		e := &Error{Status: resp.StatusCode}
		_ = json.Unmarshal(body, e)
		return nil, e
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return nil, fmt.Errorf("whipclient: Location: %w", err)
	}
	base, _ := url.Parse(endpoint)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)}); err != nil {
		return nil, err
	}
	return &Session{PC: pc, Location: base.ResolveReference(loc).String(), c: c, token: token}, nil
}

// H264 and Opus are the codecs the publisher sends (what browsers send).
var (
	H264 = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}
	Opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
)

// Publisher publishes an audio and a video track of synthetic RTP.
type Publisher struct {
	*Session
	Video, Audio *webrtc.TrackLocalStaticRTP
	// Sent counts the packets Pump wrote (a starved Pump skips ticks).
	Sent atomic.Int64
}

// Publish opens a WHIP session on a stage.
func (c *Client) Publish(ctx context.Context, stageID, token string) (*Publisher, error) {
	pc, err := c.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	video, err := webrtc.NewTrackLocalStaticRTP(H264, "video", "pub")
	if err != nil {
		return nil, err
	}
	audio, err := webrtc.NewTrackLocalStaticRTP(Opus, "audio", "pub")
	if err != nil {
		return nil, err
	}
	for _, t := range []webrtc.TrackLocal{video, audio} {
		tr, err := pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			_ = pc.Close()
			return nil, err
		}
		go func() { // read RTCP (PLIs) so the interceptors work
			for {
				if _, _, err := tr.Sender().ReadRTCP(); err != nil {
					return
				}
			}
		}()
	}
	sess, err := c.exchange(ctx, pc, c.BaseURL+"/stages/"+stageID+"/whip", token)
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	return &Publisher{Session: sess, Video: video, Audio: audio}, nil
}

// Stamp is the start of a synthetic payload: the send time (Unix ns).
func Stamp(payload []byte, t time.Time) []byte {
	binary.BigEndian.PutUint64(payload[:8], uint64(t.UnixNano()))
	return payload
}

// StampOf reads a payload's send time.
func StampOf(payload []byte) (time.Time, bool) {
	if len(payload) < 8 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(payload[:8]))), true
}

// Pump writes synthetic media until ctx ends: video at fps frames per
// second split into packets of up to 1,100 bytes for videoKbps, audio at
// 50 packets per second of 20 ms Opus-sized payloads. Each payload starts
// with its send time.
func (p *Publisher) Pump(ctx context.Context, fps, videoKbps int) {
	frameBytes := videoKbps * 1000 / 8 / fps
	var seqV, seqA uint16
	var tsV, tsA uint32
	vTick := time.NewTicker(time.Second / time.Duration(fps))
	aTick := time.NewTicker(20 * time.Millisecond)
	defer vTick.Stop()
	defer aTick.Stop()
	buf := make([]byte, 1200)
	for {
		select {
		case <-ctx.Done():
			return
		case <-vTick.C:
			tsV += uint32(90000 / fps)
			for left := frameBytes; left > 0; left -= 1100 {
				n := min(left, 1100)
				n = max(n, 8)
				seqV++
				pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 102, SequenceNumber: seqV, Timestamp: tsV,
					Marker: left <= 1100}, Payload: Stamp(buf[:n], time.Now())}
				_ = p.Video.WriteRTP(pkt)
				p.Sent.Add(1)
			}
		case <-aTick.C:
			tsA += 960
			seqA++
			_ = p.Audio.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: seqA, Timestamp: tsA},
				Payload: Stamp(buf[:80], time.Now())})
			p.Sent.Add(1)
		}
	}
}

// Subscriber receives one publisher's tracks.
type Subscriber struct {
	*Session
	mu      sync.Mutex
	packets map[string]int // by kind
	onRTP   func(kind string, pkt *rtp.Packet)
}

// Subscribe opens a WHEP session on a publisher; onRTP (optional) sees each
// packet received.
func (c *Client) Subscribe(ctx context.Context, stageID, publisherID, token string, onRTP func(kind string, pkt *rtp.Packet)) (*Subscriber, error) {
	pc, err := c.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			_ = pc.Close()
			return nil, err
		}
	}
	sub := &Subscriber{packets: map[string]int{}, onRTP: onRTP}
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		kind := t.Kind().String()
		for {
			pkt, _, err := t.ReadRTP()
			if err != nil {
				return
			}
			sub.mu.Lock()
			sub.packets[kind]++
			sub.mu.Unlock()
			if sub.onRTP != nil {
				sub.onRTP(kind, pkt)
			}
		}
	})
	sess, err := c.exchange(ctx, pc, c.BaseURL+"/stages/"+stageID+"/whep/"+publisherID, token)
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	sub.Session = sess
	return sub, nil
}

// Packets returns how many packets of a kind were received.
func (s *Subscriber) Packets(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.packets[kind]
}

// PostOffer sends a raw offer (tests of refusals that need no peer).
func (c *Client) PostOffer(ctx context.Context, path, token, contentType, sdp string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader([]byte(sdp)))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}
