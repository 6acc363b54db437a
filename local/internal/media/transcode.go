package media

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"sync"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
)

// transcoder turns a browser broadcast's Opus into AAC for the MPEG-TS
// rendition (the IVS player plays only AAC) with an ffmpeg subprocess:
// Opus in Ogg on its stdin, ADTS on its stdout.
type transcoder struct {
	ffmpeg   string
	channels int
	log      *slog.Logger
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	stdout   io.ReadCloser
	ogg      *oggwriter.OggWriter
	cancel   context.CancelFunc
	done     chan struct{}

	mu       sync.Mutex
	basePTS  time.Duration
	haveBase bool
	seq      uint16
}

// newTranscoder returns nil when ffmpeg is not available.
func newTranscoder(ffmpeg string, channels int, log *slog.Logger) *transcoder {
	if ffmpeg == "" {
		return nil
	}
	if _, err := exec.LookPath(ffmpeg); err != nil {
		return nil
	}
	if channels > 2 {
		channels = 2
	}
	return &transcoder{ffmpeg: ffmpeg, channels: channels, log: log, done: make(chan struct{})}
}

func (t *transcoder) config() mpeg4audio.AudioSpecificConfig {
	cfg := mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 48000, ChannelConfig: uint8(t.channels)}
	// ChannelCount is deprecated, but mediacommon v2.9.3's MPEG-TS writer
	// still reads it (the ADTS header of every AAC frame), so both are set.
	//lint:ignore SA1019 see above
	cfg.ChannelCount = t.channels
	return cfg
}

// start runs ffmpeg; its AAC frames go back through the broadcast's writer.
func (t *transcoder) start(b *broadcast) {
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.cmd = exec.CommandContext(ctx, t.ffmpeg, "-hide_banner", "-loglevel", "error", "-fflags", "nobuffer",
		"-f", "ogg", "-i", "pipe:0", "-c:a", "aac", "-b:a", "128k", "-ar", "48000",
		"-ac", itoa(t.channels), "-flush_packets", "1", "-f", "adts", "pipe:1")
	var err error
	if t.stdin, err = t.cmd.StdinPipe(); err == nil {
		t.stdout, err = t.cmd.StdoutPipe()
	}
	if err == nil {
		err = t.cmd.Start()
	}
	if err == nil {
		t.ogg, err = oggwriter.NewWith(t.stdin, 48000, uint16(t.channels))
	}
	if err != nil {
		t.log.Warn("media: ffmpeg (Opus→AAC) did not start; the MPEG-TS rendition has no audio", "error", err.Error())
		cancel()
		close(t.done)
		return
	}
	b.p.goroutine(func() {
		defer close(t.done)
		r := bufio.NewReader(t.stdout)
		n := 0
		for {
			au, err := readADTS(r)
			if err != nil {
				break
			}
			t.mu.Lock()
			pts := t.basePTS + time.Duration(n)*1024*time.Second/48000
			t.mu.Unlock()
			n++
			if !b.push(sample{pts: pts, audio: au, tsAAC: true}) {
				break
			}
		}
		_ = t.cmd.Wait()
	})
}

// feed writes one Opus packet (from the writer goroutine).
func (t *transcoder) feed(pts time.Duration, packet []byte) {
	if t.ogg == nil {
		return
	}
	t.mu.Lock()
	if !t.haveBase {
		t.basePTS, t.haveBase = pts, true
	}
	t.seq++
	seq := t.seq
	t.mu.Unlock()
	p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: seq,
		Timestamp: uint32(int64(pts/time.Microsecond) * 48 / 1000)}, Payload: packet}
	if err := t.ogg.WriteRTP(p); err != nil {
		t.log.Debug("media: transcoder input", "error", err.Error())
	}
}

func (t *transcoder) close() {
	if t.cancel == nil {
		return
	}
	if t.stdin != nil {
		_ = t.stdin.Close()
	}
	t.cancel()
	<-t.done
}

// readADTS reads one ADTS frame and returns its raw AAC access unit.
func readADTS(r *bufio.Reader) ([]byte, error) {
	hdr := make([]byte, 7)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	for hdr[0] != 0xFF || hdr[1]&0xF0 != 0xF0 {
		// Resynchronise on the next syncword.
		copy(hdr, hdr[1:])
		c, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		hdr[6] = c
	}
	hlen := 7
	if hdr[1]&0x01 == 0 { // protection_absent = 0: a CRC follows
		hlen = 9
	}
	flen := int(hdr[3]&0x03)<<11 | int(hdr[4])<<3 | int(hdr[5])>>5
	if flen < hlen {
		return nil, io.ErrUnexpectedEOF
	}
	rest := make([]byte, flen-7)
	if _, err := io.ReadFull(r, rest); err != nil {
		return nil, err
	}
	return rest[hlen-7:], nil
}

func itoa(n int) string {
	if n == 2 {
		return "2"
	}
	return "1"
}
