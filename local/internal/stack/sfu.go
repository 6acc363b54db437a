package stack

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/onair/onair/local/internal/sfu"
)

// DefaultSFUAddr is where stage media is served (HTTPS): next to the media
// plane's WebRTC ingest on 4443.
const DefaultSFUAddr = "127.0.0.1:4444"

// listenSFU opens the stage media listener; its URL goes into the stages'
// endpoints (and so into participant tokens) and /_local/config.
func (s *Stack) listenSFU(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sfu listener: %w", err)
	}
	s.SFUURL = "https://" + ln.Addr().String()
	return ln, nil
}

// startSFU creates the stage SFU on the IVS Real-Time emulator. The
// emulator's DisconnectParticipant and DeleteStage reach it through
// s.sfuHooks.
func (s *Stack) startSFU(ctx context.Context) error {
	// Nobody is connected to a media plane that is just starting: whoever
	// the emulator still shows connected (the stack stopped while they
	// were) leaves, and their publishers unpublish, so that the backend's
	// publisher count and idle clean-up see the truth.
	n, err := s.ivs.LeaveAll(ctx, "offline stack restarted")
	if err != nil {
		return fmt.Errorf("stage participants: %w", err)
	}
	if n > 0 {
		s.log.Info("stage participants of the previous run disconnected", "participants", n)
	}
	s.sfu, err = sfu.New(sfu.Config{Stages: s.ivs, Logger: s.log.With("component", "sfu"), Now: s.opts.Now})
	if err != nil {
		return err
	}
	s.closers = append(s.closers, s.sfu.Close)
	return nil
}

// serveSFU serves the SFU over TLS with the stack's development certificate.
func (s *Stack) serveSFU(ln net.Listener) {
	s.serve(tls.NewListener(ln, s.Cert.TLSConfig()), s.sfu.Handler())
}

// sfuDisconnect and sfuStageDeleted forward the emulator's hooks (set
// before the SFU exists, called only after).
func (s *Stack) sfuDisconnect(stageArn, participantID, reason string) {
	if s.sfu != nil {
		s.sfu.Disconnect(stageArn, participantID, reason)
	}
}

func (s *Stack) sfuStageDeleted(stageArn string) {
	if s.sfu != nil {
		s.sfu.StageDeleted(stageArn)
	}
}
