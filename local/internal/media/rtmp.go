package media

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortmplib"
	rtmpcodecs "github.com/bluenviron/gortmplib/pkg/codecs"
)

// RTMPServer accepts RTMP publishers at rtmp://<addr>/app/<streamKey>.
type RTMPServer struct {
	p  *Plane
	ln net.Listener

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// ServeRTMP accepts publishers on ln until Close.
func (p *Plane) ServeRTMP(ln net.Listener) *RTMPServer {
	s := &RTMPServer{p: p, ln: ln, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					p.log.Error("media: RTMP accept", "error", err.Error())
				}
				return
			}
			s.mu.Lock()
			s.conns[conn] = struct{}{}
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() {
					s.mu.Lock()
					delete(s.conns, conn)
					s.mu.Unlock()
					conn.Close()
				}()
				if err := s.handle(conn); err != nil {
					p.log.Info("media: RTMP connection closed", "remote", conn.RemoteAddr().String(), "reason", err.Error())
				}
			}()
		}
	}()
	return s
}

// Addr is the listener's address.
func (s *RTMPServer) Addr() net.Addr { return s.ln.Addr() }

// Close stops accepting, closes every connection and waits for them.
func (s *RTMPServer) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// streamKeyOf returns the stream key of an RTMP URL path /app/<key>.
func streamKeyOf(path string) (string, bool) {
	path = strings.TrimPrefix(path, "/")
	app, key, ok := strings.Cut(path, "/")
	if !ok || app != "app" || key == "" || strings.Contains(key, "/") {
		return "", false
	}
	return key, true
}

func (s *RTMPServer) handle(conn net.Conn) error {
	_ = conn.SetDeadline(time.Now().Add(s.p.cfg.HandshakeTimeout))
	sc := &gortmplib.ServerConn{RW: conn}
	if err := sc.Initialize(); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	if err := sc.AcceptConn(); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if !sc.Publish {
		_ = sc.RejectAction()
		return errors.New("playback over RTMP is not offered (use the HLS playbackUrl)")
	}
	key, ok := streamKeyOf(sc.URL.Path)
	if !ok {
		_ = sc.RejectAction()
		return fmt.Errorf("refused: the URL must be rtmp://<host>/app/<streamKey>, got path %q", sc.URL.Path)
	}
	// The key is checked before any media is read.
	b, err := s.p.begin(context.Background(), key, "RTMP", func() { conn.Close() })
	if err != nil {
		_ = sc.RejectAction()
		return fmt.Errorf("refused: %w", err)
	}
	reason := "encoder disconnected"
	defer func() { b.finish(reason) }()

	// The encoder has StarvationLimit to send its tracks' headers.
	_ = conn.SetDeadline(time.Now().Add(s.p.cfg.StarvationLimit))
	r := &gortmplib.Reader{Conn: sc}
	if err := r.Initialize(); err != nil {
		reason = "no readable tracks: " + err.Error()
		return fmt.Errorf("tracks: %w", err)
	}
	var t Tracks
	var video, audio *gortmplib.Track
	for _, tr := range r.Tracks() {
		switch c := tr.Codec.(type) {
		case *rtmpcodecs.H264:
			if video == nil {
				video, t.SPS, t.PPS = tr, c.SPS, c.PPS
			}
		case *rtmpcodecs.MPEG4Audio:
			if audio == nil {
				audio, t.AudioConfig = tr, c.Config
			}
		}
	}
	if video == nil || len(t.SPS) == 0 {
		reason = "refused: no H.264 video (IVS accepts H.264 + AAC)"
		return errors.New(reason)
	}
	t.Encoder = sc.FlashVer
	if err := b.startMedia(t); err != nil {
		reason = err.Error()
		return err
	}
	r.OnDataH264(video, func(pts, _ time.Duration, au [][]byte) {
		b.WriteVideo(pts, au)
	})
	if audio != nil {
		r.OnDataMPEG4Audio(audio, func(pts time.Duration, au []byte) {
			b.WriteAudio(pts, au)
		})
	}
	// An encoder that stops sending is starving after StarvationAfter and
	// cut off after StarvationLimit; the read deadline is the backstop.
	_ = conn.SetWriteDeadline(time.Time{})
	for {
		_ = conn.SetReadDeadline(time.Now().Add(s.p.cfg.StarvationLimit + 5*time.Second))
		if err := r.Read(); err != nil {
			select {
			case <-b.stop:
				b.reasonMu.Lock()
				reason = b.reason
				b.reasonMu.Unlock()
			default:
			}
			return err
		}
	}
}
