package media

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gohlslib/v2"
	hlscodecs "github.com/bluenviron/gohlslib/v2/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/ivsemu"
)

// Metric names (namespace AWS/IVS, dimension Channel = channel id), as the
// health routes read them.
const (
	IngestVideoBitrate = "IngestVideoBitrate"
	IngestAudioBitrate = "IngestAudioBitrate"
	IngestFramerate    = "IngestFramerate"
	KeyframeInterval   = "KeyframeInterval"
	ConcurrentViews    = "ConcurrentViews"
)

// Tracks is what an ingest found in the stream. Video is required (H.264);
// Audio is AAC (AudioConfig) or Opus (OpusChannels > 0) or absent.
type Tracks struct {
	SPS, PPS     []byte
	AudioConfig  *mpeg4audio.AudioSpecificConfig
	OpusChannels int
	Encoder      string // what the encoder calls itself, if it says
}

type sample struct {
	video bool
	pts   time.Duration
	au    [][]byte // video access unit (NAL units)
	audio []byte   // one AAC access unit or Opus packet
	tsAAC bool     // AAC transcoded from Opus, for the MPEG-TS rendition only
}

// broadcast is one live stream of a channel.
type broadcast struct {
	p                                    *Plane
	channelArn, channelName, channelType string
	streamID, ingest                     string
	start                                time.Time
	in                                   chan sample
	stop                                 chan struct{} // closed when the broadcast ends
	ended                                chan struct{} // closed after Session Ended
	writerDone                           chan struct{}
	stopOnce, finishOnce, killOnce       sync.Once
	kill                                 func()
	reasonMu                             sync.Mutex
	reason                               string
	started                              atomic.Bool // Stream Start sent: playlists are served
	viewers                              *viewerSet
	ll, ts                               *gohlslib.Muxer
	llVideo, llAudio, tsVideo, tsAudio   *gohlslib.Track
	tracks                               Tracks
	aacForTS                             *transcoder    // Opus → AAC for the TS rendition (nil: no audio there)
	running                              bool           // the writer was started
	aux                                  sync.WaitGroup // awaitFirstSegment
	cueMu                                sync.Mutex
	cues                                 []cue
}

func newBroadcast(p *Plane, ch *ivsemu.Channel, ingest string, kill func()) *broadcast {
	return &broadcast{p: p, channelArn: ch.Arn, channelName: ch.Name, channelType: ch.Type, ingest: ingest,
		in: make(chan sample, 256), stop: make(chan struct{}), ended: make(chan struct{}),
		writerDone: make(chan struct{}), kill: kill, viewers: newViewerSet()}
}

func (b *broadcast) ctx() context.Context { return context.Background() }

// disconnect cuts the broadcaster off (its ingest then calls finish).
func (b *broadcast) disconnect(reason string) {
	b.reasonMu.Lock()
	if b.reason == "" {
		b.reason = reason
	}
	b.reasonMu.Unlock()
	b.killOnce.Do(func() {
		if b.kill != nil {
			b.kill()
		}
	})
	b.stopOnce.Do(func() { close(b.stop) })
}

// startMedia creates the muxers for the stream's tracks, records the ingest
// configuration and starts the writer. It fails (and the ingest should
// disconnect) if the tracks cannot be muxed or breach the channel's limits.
func (b *broadcast) startMedia(t Tracks) error {
	var sps h264.SPS
	if err := sps.Unmarshal(t.SPS); err != nil {
		return fmt.Errorf("media: unreadable H.264 SPS: %w", err)
	}
	b.tracks = t
	w, h := sps.Width(), sps.Height()
	if br, over := resolutionBreach(w, h); over {
		b.breachEvent("Ingest Resolution", br.value, br.exceededBy, br.unit)
		return fmt.Errorf("media: %dx%d exceeds the channel's resolution limit (1080p: %d %s)", w, h, br.value, br.unit)
	}
	if err := b.p.cfg.IVS.SetIngestConfiguration(b.ctx(), b.channelArn, b.streamID, b.ingestConfig(&sps, 0, 0, 0, 0)); err != nil {
		b.p.log.Error("media: record ingest configuration", "error", err.Error())
	}

	b.llVideo = &gohlslib.Track{Codec: &hlscodecs.H264{SPS: t.SPS, PPS: t.PPS}, ClockRate: 90000}
	b.tsVideo = &gohlslib.Track{Codec: &hlscodecs.H264{SPS: t.SPS, PPS: t.PPS}, ClockRate: 90000}
	llTracks, tsTracks := []*gohlslib.Track{b.llVideo}, []*gohlslib.Track{b.tsVideo}
	switch {
	case t.AudioConfig != nil:
		b.llAudio = &gohlslib.Track{Codec: &hlscodecs.MPEG4Audio{Config: *t.AudioConfig}, ClockRate: t.AudioConfig.SampleRate}
		b.tsAudio = &gohlslib.Track{Codec: &hlscodecs.MPEG4Audio{Config: *t.AudioConfig}, ClockRate: t.AudioConfig.SampleRate}
		llTracks, tsTracks = append(llTracks, b.llAudio), append(tsTracks, b.tsAudio)
	case t.OpusChannels > 0:
		b.llAudio = &gohlslib.Track{Codec: &hlscodecs.Opus{ChannelCount: t.OpusChannels}, ClockRate: 48000}
		llTracks = append(llTracks, b.llAudio)
		if tr := newTranscoder(b.p.cfg.FFmpeg, t.OpusChannels, b.p.log); tr != nil {
			b.aacForTS = tr
			cfg := tr.config()
			b.tsAudio = &gohlslib.Track{Codec: &hlscodecs.MPEG4Audio{Config: cfg}, ClockRate: cfg.SampleRate}
			tsTracks = append(tsTracks, b.tsAudio)
		} else {
			b.p.log.Warn("media: the MPEG-TS rendition (IVS player) of this browser broadcast has NO AUDIO: " +
				"it needs AAC and ffmpeg is not installed to transcode the browser's Opus (the LL-HLS rendition has audio)")
		}
	}
	onErr := func(err error) { b.p.log.Debug("media: muxer", "channel_arn", b.channelArn, "error", err.Error()) }
	b.ll = &gohlslib.Muxer{Variant: gohlslib.MuxerVariantLowLatency, Tracks: llTracks, SegmentCount: 7,
		SegmentMinDuration: time.Second, PartMinDuration: 200 * time.Millisecond, OnEncodeError: onErr}
	b.ts = &gohlslib.Muxer{Variant: gohlslib.MuxerVariantMPEGTS, Tracks: tsTracks, SegmentCount: 3,
		SegmentMinDuration: time.Second, OnEncodeError: onErr}
	if err := b.ll.Start(); err != nil {
		return fmt.Errorf("media: LL-HLS muxer: %w", err)
	}
	if err := b.ts.Start(); err != nil {
		b.ll.Close()
		return fmt.Errorf("media: MPEG-TS muxer: %w", err)
	}
	if b.aacForTS != nil {
		b.aacForTS.start(b)
	}
	b.running = true
	b.p.goroutine(b.write)
	b.aux.Add(1)
	b.p.goroutine(func() { defer b.aux.Done(); b.awaitFirstSegment() })
	return nil
}

// push hands a sample to the writer; false once the broadcast has ended.
func (b *broadcast) push(s sample) bool {
	select {
	case b.in <- s:
		return true
	case <-b.stop:
		return false
	}
}

// WriteVideo and WriteAudio are what ingests call for each access unit.
func (b *broadcast) WriteVideo(pts time.Duration, au [][]byte) bool {
	return b.push(sample{video: true, pts: pts, au: au})
}

func (b *broadcast) WriteAudio(pts time.Duration, au []byte) bool {
	return b.push(sample{pts: pts, audio: au})
}

// awaitFirstSegment sends Stream Start when the LL-HLS muxer has its first
// segment (its multivariant playlist answers only then).
func (b *broadcast) awaitFirstSegment() {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/index.m3u8", nil)
	b.ll.Handle(rec, req) // blocks until content, or until the muxer is closed
	select {
	case <-b.stop:
		return
	default:
	}
	if rec.Code == http.StatusOK {
		b.stateEvent("Stream Start", b.p.cfg.Now())
		b.started.Store(true)
	}
}

// finish ends the broadcast once: the writer stops and closes the muxers,
// then Stream End, the session ends in ivsemu, Session Ended.
func (b *broadcast) finish(reason string) {
	b.finishOnce.Do(func() {
		b.disconnect(reason)
		b.started.Store(false) // playlists answer 404 from now on
		if b.running {
			<-b.writerDone
			b.aux.Wait()
		}
		if b.aacForTS != nil {
			b.aacForTS.close()
		}
		b.reasonMu.Lock()
		why := b.reason
		b.reasonMu.Unlock()
		now := b.p.cfg.Now()
		b.stateEvent("Stream End", now)
		if _, err := b.p.cfg.IVS.EndStream(b.ctx(), b.channelArn); err != nil {
			b.p.log.Error("media: end stream", "channel_arn", b.channelArn, "error", err.Error())
		}
		b.p.remove(b)
		b.stateEvent("Session Ended", now)
		b.p.log.Info("media: broadcast ended", "channel_arn", b.channelArn, "stream_id", b.streamID,
			"duration", now.Sub(b.start).Round(time.Millisecond).String(), "reason", why)
		close(b.ended)
	})
}

// ---- the writer: the only goroutine that touches the muxers ----

type writerState struct {
	sps, pps           []byte
	lastVideoPTS       int64 // 90 kHz
	haveVideo          bool
	lastData           time.Time
	starving           bool
	metaSeq            int64
	nextMetrics        time.Time
	winVideo, winAudio int64 // bytes in the current metrics window
	winFrames          int
	lastKeyframe       time.Duration
	kfIntervals        []float64
	totalVideo         int64
	totalAudio         int64
	totalFrames        int
	firstPTS, lastPTS  time.Duration
	lastBreach         time.Time
	breachFrom         time.Time // start of the current bitrate-limit window
	breachBytes        int64
	parsedSPS          h264.SPS
}

func (b *broadcast) write() {
	defer close(b.writerDone)
	defer func() {
		// The only Close of each muxer: after the last write, from this goroutine.
		b.ll.Close()
		b.ts.Close()
	}()
	now := b.p.cfg.Now()
	st := &writerState{sps: b.tracks.SPS, pps: b.tracks.PPS, lastData: now, lastKeyframe: -1,
		nextMetrics: now.Truncate(b.p.cfg.MetricsInterval).Add(b.p.cfg.MetricsInterval)}
	_ = st.parsedSPS.Unmarshal(b.tracks.SPS)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-b.stop:
			// The last, partial window began at the last boundary.
			now := b.p.cfg.Now()
			b.flushMetrics(st, now, now.Truncate(b.p.cfg.MetricsInterval))
			return
		case s := <-b.in:
			now := b.p.cfg.Now()
			if st.starving && !s.tsAAC {
				st.starving = false
				b.healthEvent("Starvation End", now)
			}
			if s.tsAAC {
				b.writeTranscodedAAC(s.pts, s.audio)
				continue
			}
			st.lastData = now
			if s.video {
				b.writeVideo(st, s)
			} else {
				b.writeAudio(st, s)
			}
		case <-tick.C:
			now := b.p.cfg.Now()
			b.pollMetadata(st)
			idle := now.Sub(st.lastData)
			if !st.starving && idle >= b.p.cfg.StarvationAfter {
				st.starving = true
				b.healthEvent("Starvation Start", now)
			}
			if st.starving && idle >= b.p.cfg.StarvationLimit {
				go b.disconnect(fmt.Sprintf("no data for %s", b.p.cfg.StarvationLimit))
			}
			if !now.Before(st.nextMetrics) {
				b.flushMetrics(st, now, st.nextMetrics.Add(-b.p.cfg.MetricsInterval))
				st.nextMetrics = now.Truncate(b.p.cfg.MetricsInterval).Add(b.p.cfg.MetricsInterval)
			}
		}
	}
}

func (b *broadcast) writeVideo(st *writerState, s sample) {
	idr, hasSPS := false, false
	size := 0
	for _, n := range s.au {
		if len(n) == 0 {
			continue
		}
		size += len(n)
		switch h264.NALUType(n[0] & 0x1F) {
		case h264.NALUTypeIDR:
			idr = true
		case h264.NALUTypeSPS:
			if !bytes.Equal(n, st.sps) {
				b.spsChanged(st, n)
			}
			st.sps, hasSPS = n, true
		case h264.NALUTypePPS:
			st.pps = n
		}
	}
	au := s.au
	if idr && !hasSPS && st.sps != nil {
		// RTMP and WebRTC carry SPS/PPS out of band; the muxers need them
		// in front of each IDR.
		au = append([][]byte{st.sps, st.pps}, s.au...)
	}
	pts := int64(s.pts) * 9 / 100000
	ntp := b.start.Add(s.pts)
	if err := b.ll.WriteH264(b.llVideo, ntp, pts, au); err != nil {
		b.p.log.Debug("media: LL-HLS write", "error", err.Error())
	}
	if err := b.ts.WriteH264(b.tsVideo, ntp, pts, au); err != nil {
		b.p.log.Debug("media: MPEG-TS write", "error", err.Error())
	}
	st.lastVideoPTS, st.haveVideo = pts, true
	st.winVideo += int64(size)
	st.totalVideo += int64(size)
	st.winFrames++
	if st.totalFrames == 0 {
		st.firstPTS = s.pts
	}
	st.totalFrames++
	st.lastPTS = s.pts
	if idr {
		if st.lastKeyframe >= 0 && s.pts > st.lastKeyframe {
			st.kfIntervals = append(st.kfIntervals, (s.pts - st.lastKeyframe).Seconds())
		}
		st.lastKeyframe = s.pts
	}
}

// spsChanged follows an in-band change of resolution (a WebRTC encoder
// scales down under congestion and back up): the bitrate limit and the
// ingest configuration use the new size, and a size over the limit is a
// breach that disconnects, as at the start.
func (b *broadcast) spsChanged(st *writerState, nalu []byte) {
	var sps h264.SPS
	if err := sps.Unmarshal(nalu); err != nil {
		return
	}
	st.parsedSPS = sps
	if br, over := resolutionBreach(sps.Width(), sps.Height()); over {
		b.breachEvent("Ingest Resolution", br.value, br.exceededBy, br.unit)
		go b.disconnect(fmt.Sprintf("%dx%d exceeds the channel's resolution limit", sps.Width(), sps.Height()))
	}
}

func (b *broadcast) writeAudio(st *writerState, s sample) {
	st.winAudio += int64(len(s.audio))
	st.totalAudio += int64(len(s.audio))
	if b.llAudio == nil {
		return
	}
	ntp := b.start.Add(s.pts)
	rate := int64(b.llAudio.ClockRate)
	pts := int64(s.pts/time.Microsecond) * rate / 1_000_000
	switch b.llAudio.Codec.(type) {
	case *hlscodecs.MPEG4Audio:
		if err := b.ll.WriteMPEG4Audio(b.llAudio, ntp, pts, [][]byte{s.audio}); err != nil {
			b.p.log.Debug("media: LL-HLS audio write", "error", err.Error())
		}
		if err := b.ts.WriteMPEG4Audio(b.tsAudio, ntp, pts, [][]byte{s.audio}); err != nil {
			b.p.log.Debug("media: MPEG-TS audio write", "error", err.Error())
		}
	case *hlscodecs.Opus:
		if err := b.ll.WriteOpus(b.llAudio, ntp, pts, [][]byte{s.audio}); err != nil {
			b.p.log.Debug("media: LL-HLS audio write", "error", err.Error())
		}
		if b.aacForTS != nil {
			b.aacForTS.feed(s.pts, s.audio)
		}
	}
}

// writeTranscodedAAC is called by the writer for AAC the transcoder produced.
func (b *broadcast) writeTranscodedAAC(pts time.Duration, au []byte) {
	rate := int64(b.tsAudio.ClockRate)
	if err := b.ts.WriteMPEG4Audio(b.tsAudio, b.start.Add(pts), int64(pts/time.Microsecond)*rate/1_000_000, [][]byte{au}); err != nil {
		b.p.log.Debug("media: MPEG-TS audio write", "error", err.Error())
	}
}

// pollMetadata turns new PutMetadata payloads of this stream into cues at
// the current video time.
func (b *broadcast) pollMetadata(st *writerState) {
	for _, m := range b.p.cfg.IVS.Metadata(b.channelArn, st.metaSeq) {
		st.metaSeq = m.Seq
		if m.StreamID != b.streamID || !st.haveVideo {
			continue
		}
		b.cueMu.Lock()
		b.cues = append(b.cues, cue{id: uint32(m.Seq), pts: st.lastVideoPTS, data: []byte(m.Text)})
		if len(b.cues) > 256 {
			b.cues = b.cues[len(b.cues)-256:]
		}
		b.cueMu.Unlock()
		b.p.log.Debug("media: timed metadata inserted", "channel_arn", b.channelArn, "pts", st.lastVideoPTS, "bytes", len(m.Text))
	}
}

func (b *broadcast) cuesSnapshot() []cue {
	b.cueMu.Lock()
	defer b.cueMu.Unlock()
	return append([]cue(nil), b.cues...)
}

// flushMetrics records the window's ingest metrics, the viewer count and
// the measured ingest configuration. Points are labelled with the start of
// their window (from), as CloudWatch labels a period, so a chart built from
// them lines up with the cloud's.
func (b *broadcast) flushMetrics(st *writerState, now, from time.Time) {
	secs := b.p.cfg.MetricsInterval.Seconds()
	at := from.UTC()
	points := map[string]float64{
		IngestVideoBitrate: float64(st.winVideo*8) / secs,
		IngestAudioBitrate: float64(st.winAudio*8) / secs,
		IngestFramerate:    float64(st.winFrames) / secs,
		ConcurrentViews:    float64(b.viewers.count(now)),
	}
	if n := len(st.kfIntervals); n > 0 {
		sum := 0.0
		for _, v := range st.kfIntervals {
			sum += v
		}
		points[KeyframeInterval] = math.Round(sum/float64(n)*100) / 100
		st.kfIntervals = st.kfIntervals[:0]
	}
	ctx := b.ctx()
	id := channelID(b.channelArn)
	for name, v := range points {
		if err := b.p.cfg.IVS.PutMetricPoints(ctx, id, name, []ivsemu.MetricPoint{{Time: at, Value: v}}); err != nil {
			b.p.log.Error("media: store metrics", "error", err.Error())
		}
	}
	if err := b.p.cfg.IVS.SetViewerCount(ctx, b.channelArn, int64(points[ConcurrentViews])); err != nil {
		b.p.log.Debug("media: viewer count", "error", err.Error())
	}
	// The bitrate limit is judged over at least 5 s (keyframes are bursts).
	st.breachBytes += st.winVideo + st.winAudio
	if st.breachFrom.IsZero() {
		st.breachFrom = now.Add(-b.p.cfg.MetricsInterval)
	}
	if span := now.Sub(st.breachFrom); span >= 5*time.Second {
		total := float64(st.breachBytes*8) / span.Seconds()
		if lim := bitrateLimit(b.channelType, st.parsedSPS.Width(), st.parsedSPS.Height()); total > float64(lim) && now.Sub(st.lastBreach) > time.Minute {
			st.lastBreach = now
			b.breachEvent("Ingest Bitrate", lim, int64(total)-lim, "bits per second")
		}
		st.breachFrom, st.breachBytes = now, 0
	}
	st.winVideo, st.winAudio, st.winFrames = 0, 0, 0
	// The session's ingest configuration, measured over the whole stream.
	if dur := (st.lastPTS - st.firstPTS).Seconds(); st.totalFrames > 1 && dur > 0 {
		fps := float64(st.totalFrames-1) / dur
		vbr := float64(st.totalVideo*8) / dur
		abr := float64(st.totalAudio*8) / dur
		if err := b.p.cfg.IVS.SetIngestConfiguration(ctx, b.channelArn, b.streamID,
			b.ingestConfig(&st.parsedSPS, fps, vbr, abr, 0)); err != nil {
			b.p.log.Debug("media: ingest configuration", "error", err.Error())
		}
	}
}

var h264Profiles = map[uint8]string{66: "Baseline", 77: "Main", 88: "Extended", 100: "High", 110: "High 10", 122: "High 4:2:2", 244: "High 4:4:4"}

func (b *broadcast) ingestConfig(sps *h264.SPS, fps, videoBitrate, audioBitrate float64, _ int) ivsemu.IngestConfiguration {
	profile := h264Profiles[sps.ProfileIdc]
	if sps.ProfileIdc == 66 && sps.ConstraintSet1Flag {
		profile = "ConstrainedBaseline"
	}
	constraints := byte(0)
	for i, f := range []bool{sps.ConstraintSet0Flag, sps.ConstraintSet1Flag, sps.ConstraintSet2Flag, sps.ConstraintSet3Flag, sps.ConstraintSet4Flag, sps.ConstraintSet5Flag} {
		if f {
			constraints |= 0x80 >> i
		}
	}
	level := fmt.Sprintf("%d.%d", sps.LevelIdc/10, sps.LevelIdc%10)
	encoder := b.tracks.Encoder
	if encoder == "" {
		encoder = b.ingest
	}
	v := &ivsemu.VideoConfiguration{AvcProfile: profile, AvcLevel: level,
		Codec:   fmt.Sprintf("avc1.%02X%02X%02X", sps.ProfileIdc, constraints, sps.LevelIdc),
		Encoder: encoder, TargetBitrate: int64(math.Round(videoBitrate)), TargetFramerate: int64(math.Round(fps)),
		VideoWidth: int64(sps.Width()), VideoHeight: int64(sps.Height()), Level: level, Profile: profile, Track: "Track0"}
	out := ivsemu.IngestConfiguration{Video: v}
	switch {
	case b.tracks.AudioConfig != nil:
		ch := int64(b.tracks.AudioConfig.ChannelConfig)
		if ch == 7 {
			ch = 8
		}
		out.Audio = &ivsemu.AudioConfiguration{Codec: fmt.Sprintf("mp4a.40.%d", b.tracks.AudioConfig.Type),
			TargetBitrate: int64(math.Round(audioBitrate)), SampleRate: int64(b.tracks.AudioConfig.SampleRate), Channels: ch, Track: "Track0"}
	case b.tracks.OpusChannels > 0:
		out.Audio = &ivsemu.AudioConfiguration{Codec: "opus", TargetBitrate: int64(math.Round(audioBitrate)),
			SampleRate: 48000, Channels: int64(b.tracks.OpusChannels), Track: "Track0"}
	}
	return out
}

// breach is an IVS Limit Breach's numbers (limit_value, exceeded_by,
// limit_unit).
type breach struct {
	value, exceededBy int64
	unit              string
}

// Input limits of every channel type (IVS CreateChannel / channel types:
// BASIC, STANDARD, ADVANCED_SD and ADVANCED_HD all accept input "up to
// 1080p"), in the units IVS's Limit Breach events use.
const (
	maxInputPixels = 1920 * 1080 // "total pixels"
	maxInputEdge   = 1920        // "pixels per edge": 1080p in either orientation
)

// resolutionBreach reports whether a w×h input is over the 1080p input
// limit. The longer edge is checked on its own ("pixels per edge"), so a
// 2560×400 input is refused although its area is under 1080p's; otherwise
// the area ("total pixels"), so that portrait 1080×1920 is accepted.
func resolutionBreach(w, h int) (breach, bool) {
	if edge := max(w, h); edge > maxInputEdge {
		return breach{maxInputEdge, int64(edge - maxInputEdge), "pixels per edge"}, true
	}
	if px := w * h; px > maxInputPixels {
		return breach{maxInputPixels, int64(px - maxInputPixels), "total pixels"}, true
	}
	return breach{}, false
}

// bitrateLimit is the input bitrate IVS accepts for a channel type: BASIC
// (transmuxed) up to 1.5 Mbps for 480p and up to 3.5 Mbps for resolutions
// between 480p and 1080p; STANDARD, ADVANCED_SD and ADVANCED_HD up to
// 8.5 Mbps. "480p" is the short edge, so a phone's portrait 480×852 is
// 480p as its landscape 852×480 is.
func bitrateLimit(channelType string, w, h int) int64 {
	if channelType == "BASIC" {
		if min(w, h) <= 480 {
			return 1_500_000
		}
		return 3_500_000
	}
	return 8_500_000
}

// ---- Events, shaped as IVS emits them (resources = [channel ARN]) ----

func (b *broadcast) publish(detailType, name string, at time.Time, detail map[string]any) {
	ctx := b.ctx()
	at = at.UTC().Truncate(time.Millisecond)
	if err := b.p.cfg.IVS.AddStreamEvent(ctx, b.channelArn, b.streamID,
		ivsemu.StreamEvent{Name: name, Type: detailType, EventTime: &ivsemu.Time{Time: at}}); err != nil {
		b.p.log.Error("media: record stream event", "error", err.Error())
	}
	if b.p.cfg.Events != nil {
		ev, err := eventbus.NewEvent("aws.ivs", detailType, []string{b.channelArn}, at, detail)
		if err == nil {
			_, err = b.p.cfg.Events.Publish(ctx, ev)
		}
		if err != nil {
			b.p.log.Error("media: publish event", "error", err.Error())
			return
		}
	}
	b.p.log.Info("media: event", "detail_type", detailType, "name", name, "channel_arn", b.channelArn, "stream_id", b.streamID)
}

func (b *broadcast) stateEvent(name string, at time.Time) {
	b.publish("IVS Stream State Change", name, at,
		map[string]any{"event_name": name, "channel_name": b.channelName, "stream_id": b.streamID})
}

func (b *broadcast) healthEvent(name string, at time.Time) {
	b.publish("IVS Stream Health Change", name, at,
		map[string]any{"event_name": name, "channel_name": b.channelName, "stream_id": b.streamID})
}

func (b *broadcast) breachEvent(limitName string, value, exceeded int64, unit string) {
	b.publish("IVS Limit Breach", limitName, b.p.cfg.Now(), map[string]any{"limit_name": limitName, "limit_value": value,
		"exceeded_by": exceeded, "limit_unit": unit, "channel_name": b.channelName, "stream_id": b.streamID})
}
