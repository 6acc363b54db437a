// Package media is the offline stack's media plane: it accepts broadcasts
// the way an IVS channel does — RTMP from OBS or ffmpeg, WebRTC from the
// official web broadcast SDK (/v1/offer) and WHIP — checks the stream key
// against the IVS emulator, and serves the stream as LL-HLS (fMP4 parts,
// for hls.js) at the channel's playbackUrl plus an MPEG-TS rendition (for
// the IVS player). Around each broadcast it does what IVS does: the stream
// session in ivsemu with the ingest configuration measured from the stream,
// the EventBridge events (Session Created … Session Ended, starvation,
// limit breaches), 5-second ingest metrics, viewer counts from playlist
// requests, and PutMetadata inserted as ID3 PRIV frames (emsg in fMP4, an ID3
// PES in MPEG-TS).
//
// Each broadcast's muxers are written by one goroutine and closed exactly
// once by it (gohlslib's muxers are not goroutine-safe and panic on a second
// Close).
package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/ivsemu"
)

// IVS is the emulator side of a channel (*ivsemu.Service implements it).
type IVS interface {
	ChannelByStreamKey(ctx context.Context, value string) (*ivsemu.Channel, error)
	StartStream(ctx context.Context, channelArn string, ingest ivsemu.IngestConfiguration) (*ivsemu.StreamSession, error)
	EndStream(ctx context.Context, channelArn string) (*ivsemu.StreamSession, error)
	SetIngestConfiguration(ctx context.Context, channelArn, streamID string, ingest ivsemu.IngestConfiguration) error
	AddStreamEvent(ctx context.Context, channelArn, streamID string, ev ivsemu.StreamEvent) error
	SetViewerCount(ctx context.Context, channelArn string, n int64) error
	PutMetricPoints(ctx context.Context, channelID, name string, points []ivsemu.MetricPoint) error
	Metadata(channelArn string, afterSeq int64) []ivsemu.TimedMetadata
}

// Events receives the EventBridge events (*eventbus.Bus implements it).
type Events interface {
	Publish(ctx context.Context, ev eventbus.Event) (eventbus.Event, error)
}

// Config configures the plane. IVS is required.
type Config struct {
	IVS    IVS
	Events Events
	Logger *slog.Logger
	Now    func() time.Time

	// StarvationAfter: no media for this long while connected is a
	// Starvation Start (default 3 s). StarvationLimit: after this long
	// starving the broadcaster is disconnected, as IVS does (default 30 s).
	StarvationAfter, StarvationLimit time.Duration
	// HandshakeTimeout bounds an RTMP connection's handshake and publish
	// request (default 10 s): a client that connects and stalls is dropped.
	HandshakeTimeout time.Duration
	// MetricsInterval is the resolution of the ingest metrics (default 5 s,
	// IVS's high-resolution period).
	MetricsInterval time.Duration
	// FFmpeg is the ffmpeg binary used to transcode Opus (browser ingest) to
	// AAC for the MPEG-TS rendition; "" disables that rendition's audio.
	FFmpeg string
}

// Plane runs the broadcasts. Safe for concurrent use.
type Plane struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	live   map[string]*broadcast // by channel ARN
	byID   map[string]*broadcast // by channel id (playback path)
	closed bool
	wg     sync.WaitGroup
}

// Errors of Begin.
var (
	ErrBadStreamKey = errors.New("media: no channel has this stream key")
	ErrAlreadyLive  = errors.New("media: the channel is already live")
	ErrClosed       = errors.New("media: the media plane is shut down")
	ErrNotLive      = errors.New("media: the channel has no broadcast")
)

// New returns the plane.
func New(cfg Config) *Plane {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StarvationAfter <= 0 {
		cfg.StarvationAfter = 3 * time.Second
	}
	if cfg.StarvationLimit <= 0 {
		cfg.StarvationLimit = 30 * time.Second
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	if cfg.MetricsInterval <= 0 {
		cfg.MetricsInterval = 5 * time.Second
	}
	return &Plane{cfg: cfg, log: cfg.Logger, live: map[string]*broadcast{}, byID: map[string]*broadcast{}}
}

func channelID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// begin authenticates a stream key and opens the channel's session
// (Session Created). kill disconnects the broadcaster; the ingest calls
// b.finish when its connection ends.
func (p *Plane) begin(ctx context.Context, streamKey, ingest string, kill func()) (*broadcast, error) {
	ch, err := p.cfg.IVS.ChannelByStreamKey(ctx, streamKey)
	if err != nil {
		var ie *ivsemu.Error
		if errors.As(err, &ie) && ie.Status == 404 {
			return nil, ErrBadStreamKey
		}
		return nil, fmt.Errorf("media: stream key lookup: %w", err)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if _, ok := p.live[ch.Arn]; ok {
		p.mu.Unlock()
		return nil, ErrAlreadyLive
	}
	b := newBroadcast(p, ch, ingest, kill)
	p.live[ch.Arn] = b
	p.mu.Unlock()

	sess, err := p.cfg.IVS.StartStream(ctx, ch.Arn, ivsemu.IngestConfiguration{})
	if err != nil {
		p.mu.Lock()
		delete(p.live, ch.Arn)
		p.mu.Unlock()
		if errors.Is(err, ivsemu.ErrAlreadyLive) {
			return nil, ErrAlreadyLive // e.g. a simulated stream
		}
		return nil, fmt.Errorf("media: start stream: %w", err)
	}
	b.streamID, b.start = sess.StreamID, sess.StartTime.Time
	p.mu.Lock()
	p.byID[channelID(ch.Arn)] = b
	p.mu.Unlock()
	p.log.InfoContext(ctx, "media: broadcast accepted", "channel_arn", ch.Arn, "stream_id", b.streamID, "ingest", ingest)
	b.stateEvent("Session Created", b.start)
	return b, nil
}

// remove forgets an ended broadcast.
func (p *Plane) remove(b *broadcast) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live[b.channelArn] == b {
		delete(p.live, b.channelArn)
		delete(p.byID, channelID(b.channelArn))
	}
}

func (p *Plane) get(channelArn string) *broadcast {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live[channelArn]
}

func (p *Plane) getByID(id string) *broadcast {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byID[id]
}

// Live reports whether the channel has a broadcast on the media plane.
func (p *Plane) Live(channelArn string) bool { return p.get(channelArn) != nil }

// StopStream disconnects the channel's broadcaster at once and returns when
// its session has ended (Stream End, Session Ended). ErrNotLive if the
// channel has no broadcast here.
func (p *Plane) StopStream(ctx context.Context, channelArn string) error {
	b := p.get(channelArn)
	if b == nil {
		return fmt.Errorf("%w: %s", ErrNotLive, channelArn)
	}
	b.disconnect("StopStream")
	select {
	case <-b.ended:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StreamKeyRevoked implements ivsemu.KeyRevoker: a broadcaster whose key
// was deleted is disconnected.
func (p *Plane) StreamKeyRevoked(ctx context.Context, channelArn string) {
	if b := p.get(channelArn); b != nil {
		b.disconnect("stream key deleted")
		select {
		case <-b.ended:
		case <-ctx.Done():
		}
	}
}

// Close disconnects every broadcaster, ends their sessions and waits for
// every goroutine of the plane.
func (p *Plane) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*broadcast
	for _, b := range p.live {
		all = append(all, b)
	}
	p.mu.Unlock()
	for _, b := range all {
		b.disconnect("media plane shut down")
	}
	for _, b := range all {
		<-b.ended
	}
	p.wg.Wait()
}

// go runs fn as a goroutine the plane waits for on Close.
func (p *Plane) goroutine(fn func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		fn()
	}()
}
