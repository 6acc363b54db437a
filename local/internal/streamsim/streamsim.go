// Package streamsim is a SIMULATION of broadcasting, for the offline stack
// until it has a media plane: Start and Stop run a channel through the stream
// lifecycle IVS would (the channel goes live in ivsemu with a stream session
// and its ingest configuration; the EventBridge events IVS emits are published
// on the event bus; AWS/IVS ingest metrics are generated every 5 s of
// simulated time), with optional starvation episodes and limit breaches to
// exercise stream-health diagnoses. No video flows; every log line says
// "simulated".
package streamsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/ivsemu"
)

// IVS is what the simulation drives (*ivsemu.Service implements it).
type IVS interface {
	Channel(ctx context.Context, arn string) (*ivsemu.Channel, error)
	StartStream(ctx context.Context, channelArn string, ingest ivsemu.IngestConfiguration) (*ivsemu.StreamSession, error)
	EndStream(ctx context.Context, channelArn string) (*ivsemu.StreamSession, error)
	StreamSession(ctx context.Context, channelArn, streamID string) (*ivsemu.StreamSession, error)
	AddStreamEvent(ctx context.Context, channelArn, streamID string, ev ivsemu.StreamEvent) error
	SetViewerCount(ctx context.Context, channelArn string, n int64) error
	LiveStreams(ctx context.Context) ([]ivsemu.Stream, error)
	PutMetricPoints(ctx context.Context, channelID, name string, points []ivsemu.MetricPoint) error
	MetricPoints(ctx context.Context, channelID, name string, start, end time.Time) ([]ivsemu.MetricPoint, error)
	LastMetricTime(ctx context.Context, channelID, name string) (time.Time, error)
	SetIngestHandler(h ivsemu.IngestHandler)
}

// Events receives the EventBridge events (*eventbus.Bus implements it).
type Events interface {
	Publish(ctx context.Context, ev eventbus.Event) (eventbus.Event, error)
}

// Metric names (namespace AWS/IVS, dimension Channel = channel id).
const (
	IngestVideoBitrate = "IngestVideoBitrate"
	IngestAudioBitrate = "IngestAudioBitrate"
	IngestFramerate    = "IngestFramerate"
	KeyframeInterval   = "KeyframeInterval"
	ConcurrentViews    = "ConcurrentViews"
)

// Resolution is the interval of the simulated high-resolution metrics.
const Resolution = 5 * time.Second

// maxStreamDuration: IVS ends a stream after 48 hours.
const maxStreamDuration = 48 * time.Hour

// maxCatchUp bounds how much simulated history one Sync generates after the
// program was paused or stopped.
const maxCatchUp = 3 * time.Hour

// Limit names of IVS Limit Breach events the simulation can produce.
const (
	LimitIngestBitrate     = "Ingest Bitrate"
	LimitIngestResolution  = "Ingest Resolution"
	LimitConcurrentViewers = "Concurrent Viewers"
)

// Profile is what the simulated broadcaster sends.
type Profile struct {
	Width, Height    int
	Framerate        int
	VideoBitrate     int // bits per second
	AudioBitrate     int // bits per second
	SampleRate       int
	AudioChannels    int
	Encoder          string
	KeyframeInterval float64 // seconds
	PeakViewers      int
}

// DefaultProfile is OBS sending 720p30 H.264 at 3.5 Mbps with AAC audio.
var DefaultProfile = Profile{Width: 1280, Height: 720, Framerate: 30, VideoBitrate: 3_500_000,
	AudioBitrate: 160_000, SampleRate: 48000, AudioChannels: 2,
	Encoder: "obs-output module (libobs version 30.1.2)", KeyframeInterval: 2, PeakViewers: 25}

func (p Profile) ingest() ivsemu.IngestConfiguration {
	return ivsemu.IngestConfiguration{
		Video: &ivsemu.VideoConfiguration{AvcProfile: "Main", AvcLevel: "3.1", Codec: "avc1.4D401F", Encoder: p.Encoder,
			TargetBitrate: int64(p.VideoBitrate), TargetFramerate: int64(p.Framerate),
			VideoWidth: int64(p.Width), VideoHeight: int64(p.Height), Track: "Track0"},
		Audio: &ivsemu.AudioConfiguration{Codec: "mp4a.40.2", TargetBitrate: int64(p.AudioBitrate),
			SampleRate: int64(p.SampleRate), Channels: int64(p.AudioChannels), Track: "Track0"},
	}
}

// Option adjusts one simulated stream.
type Option func(*run)

// WithProfile sets the broadcaster's ingest profile.
func WithProfile(p Profile) Option { return func(r *run) { r.profile = p } }

// WithStarvation schedules an episode where the encoder stops sending data,
// starting after `after` for `duration` (Starvation Start / End events,
// health STARVING, bitrate and framerate drop to 0).
func WithStarvation(after, duration time.Duration) Option {
	return func(r *run) { r.starvations = append(r.starvations, &starvation{at: after, dur: duration}) }
}

// WithLimitBreach schedules an IVS Limit Breach event after `after` (limit
// is one of the Limit* names).
func WithLimitBreach(after time.Duration, limit string) Option {
	return func(r *run) { r.breaches = append(r.breaches, &breach{at: after, limit: limit}) }
}

// Config configures the simulation.
type Config struct {
	IVS    IVS
	Events Events
	Now    func() time.Time // default time.Now
	Logger *slog.Logger
	Seed   uint64 // noise seed; 0 picks one per stream
}

// Sim runs simulated streams. Safe for concurrent use.
type Sim struct {
	cfg Config
	log *slog.Logger

	mu   sync.Mutex
	runs map[string]*run // by channel ARN
}

type run struct {
	channelArn, channelID, channelName, channelType, streamID string
	start, last                                               time.Time
	profile                                                   Profile
	starvations                                               []*starvation
	breaches                                                  []*breach
	rng                                                       *rand.Rand
	viewers                                                   float64
}

type starvation struct {
	at, dur           time.Duration
	started, finished bool
}

type breach struct {
	at    time.Duration
	limit string
	fired bool
}

// New returns the simulation and makes it the ingest side of ivsemu's
// channels (so StopStream ends simulated streams with the right events).
func New(cfg Config) *Sim {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Sim{cfg: cfg, log: cfg.Logger, runs: map[string]*run{}}
	cfg.IVS.SetIngestHandler(s)
	return s
}

func (s *Sim) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

func channelID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// ErrNotSimulated: the channel is not live through the simulation.
var ErrNotSimulated = errors.New("channel has no simulated stream")

// ErrUnsupportedLimit: a limit breach the simulation cannot produce.
var ErrUnsupportedLimit = errors.New("streamsim: unsupported limit")

// Start simulates a broadcaster going live on the channel: Session Created
// then Stream Start.
func (s *Sim) Start(ctx context.Context, channelArn string, opts ...Option) (*ivsemu.StreamSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.cfg.IVS.Channel(ctx, channelArn)
	if err != nil {
		return nil, err
	}
	r := &run{channelArn: channelArn, channelID: channelID(channelArn), channelName: ch.Name,
		channelType: ch.Type, profile: DefaultProfile}
	for _, o := range opts {
		o(r)
	}
	for _, b := range r.breaches {
		if _, _, _, err := limitFor(b.limit, r); err != nil {
			return nil, err
		}
	}
	sess, err := s.cfg.IVS.StartStream(ctx, channelArn, r.profile.ingest())
	if err != nil {
		return nil, err
	}
	r.streamID, r.start, r.last = sess.StreamID, sess.StartTime.Time, sess.StartTime.Time
	r.rng = s.newRand(r.start)
	s.runs[channelArn] = r
	s.log.InfoContext(ctx, "streamsim: simulated stream started", "channel_arn", channelArn, "stream_id", r.streamID,
		"resolution", fmt.Sprintf("%dx%d", r.profile.Width, r.profile.Height), "bitrate", r.profile.VideoBitrate)
	s.stateEvent(ctx, r, "Session Created", r.start)
	s.stateEvent(ctx, r, "Stream Start", r.start)
	return sess, nil
}

func (s *Sim) newRand(t time.Time) *rand.Rand {
	seed := s.cfg.Seed
	if seed == 0 {
		seed = uint64(t.UnixNano())
	}
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Stop simulates the broadcaster disconnecting: metrics are brought up to
// now, then Stream End, the session ends, then Session Ended.
func (s *Sim) Stop(ctx context.Context, channelArn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[channelArn]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotSimulated, channelArn)
	}
	s.advance(ctx, r, s.now())
	return s.end(ctx, r, "")
}

// StopStream implements ivsemu.IngestHandler (the StopStream API).
func (s *Sim) StopStream(ctx context.Context, channelArn string) error {
	err := s.Stop(ctx, channelArn)
	if errors.Is(err, ErrNotSimulated) {
		// Live but not simulated (e.g. left over): end it all the same.
		_, err = s.cfg.IVS.EndStream(ctx, channelArn)
	}
	return err
}

func (s *Sim) end(ctx context.Context, r *run, why string) error {
	now := s.now()
	delete(s.runs, r.channelArn)
	s.stateEvent(ctx, r, "Stream End", now)
	if _, err := s.cfg.IVS.EndStream(ctx, r.channelArn); err != nil {
		return err
	}
	s.stateEvent(ctx, r, "Session Ended", now)
	s.log.InfoContext(ctx, "streamsim: simulated stream ended", "channel_arn", r.channelArn, "stream_id", r.streamID,
		"duration", now.Sub(r.start).String(), "reason", why)
	return nil
}

// Starve injects a starvation episode starting now.
func (s *Sim) Starve(ctx context.Context, channelArn string, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[channelArn]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotSimulated, channelArn)
	}
	now := s.now()
	s.advance(ctx, r, now)
	st := &starvation{at: now.Sub(r.start), dur: d}
	r.starvations = append(r.starvations, st)
	s.fireEpisodes(ctx, r, now)
	return nil
}

// BreachLimit injects an IVS Limit Breach now.
func (s *Sim) BreachLimit(ctx context.Context, channelArn, limit string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[channelArn]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotSimulated, channelArn)
	}
	if _, _, _, err := limitFor(limit, r); err != nil {
		return err
	}
	now := s.now()
	s.advance(ctx, r, now)
	r.breaches = append(r.breaches, &breach{at: now.Sub(r.start), limit: limit})
	s.fireEpisodes(ctx, r, now)
	return nil
}

// Sync brings every simulated stream up to the clock: metrics for each 5 s
// of simulated time and the scheduled episodes' events. Run calls it every
// 5 s; tests call it after moving their clock.
func (s *Sim) Sync(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, r := range s.runs {
		if now.Sub(r.start) >= maxStreamDuration {
			s.advance(ctx, r, r.start.Add(maxStreamDuration))
			if err := s.end(ctx, r, "maximum stream duration (48 h) reached"); err != nil {
				s.log.ErrorContext(ctx, "streamsim: end simulated stream", "error", err.Error())
			}
			continue
		}
		s.advance(ctx, r, now)
	}
}

// Run calls Sync every Resolution until ctx is done.
func (s *Sim) Run(ctx context.Context) {
	t := time.NewTicker(Resolution)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Sync(ctx)
		}
	}
}

// Resume re-attaches the simulation to streams ivsemu still has live (after
// a restart of the offline program): metrics continue from the last stored
// point, with the profile of the session's ingest configuration.
func (s *Sim) Resume(ctx context.Context) error {
	live, err := s.cfg.IVS.LiveStreams(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range live {
		if _, ok := s.runs[st.ChannelArn]; ok {
			continue
		}
		ch, err := s.cfg.IVS.Channel(ctx, st.ChannelArn)
		if err != nil {
			return err
		}
		r := &run{channelArn: st.ChannelArn, channelID: channelID(st.ChannelArn), channelName: ch.Name,
			channelType: ch.Type, streamID: st.StreamID, start: st.StartTime.Time, profile: DefaultProfile}
		if sess, err := s.cfg.IVS.StreamSession(ctx, st.ChannelArn, st.StreamID); err == nil && sess.IngestConfiguration != nil {
			if v := sess.IngestConfiguration.Video; v != nil {
				r.profile.Width, r.profile.Height = int(v.VideoWidth), int(v.VideoHeight)
				r.profile.Framerate, r.profile.VideoBitrate = int(v.TargetFramerate), int(v.TargetBitrate)
			}
		}
		last, err := s.cfg.IVS.LastMetricTime(ctx, r.channelID, IngestVideoBitrate)
		if err != nil {
			return err
		}
		r.last = r.start
		if last.After(r.start) {
			r.last = last
		}
		r.viewers = float64(st.ViewerCount)
		r.rng = s.newRand(s.now())
		s.runs[st.ChannelArn] = r
		s.log.InfoContext(ctx, "streamsim: simulated stream resumed", "channel_arn", r.channelArn, "stream_id", r.streamID)
	}
	return nil
}

// Live reports whether a channel has a simulated stream.
func (s *Sim) Live(channelArn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.runs[channelArn]
	return ok
}

// advance generates the datapoints of r up to `until` (s.mu held).
func (s *Sim) advance(ctx context.Context, r *run, until time.Time) {
	if until.Sub(r.last) > maxCatchUp {
		r.last = until.Add(-maxCatchUp).Truncate(Resolution)
	}
	points := map[string][]ivsemu.MetricPoint{}
	for t := r.last.Add(Resolution); !t.After(until); t = t.Add(Resolution) {
		s.fireEpisodes(ctx, r, t)
		for name, v := range s.sample(r, t) {
			points[name] = append(points[name], ivsemu.MetricPoint{Time: t, Value: v})
		}
		r.last = t
	}
	s.fireEpisodes(ctx, r, until)
	if len(points) == 0 {
		return
	}
	for name, ps := range points {
		if err := s.cfg.IVS.PutMetricPoints(ctx, r.channelID, name, ps); err != nil {
			s.log.ErrorContext(ctx, "streamsim: store simulated metrics", "error", err.Error())
		}
	}
	if err := s.cfg.IVS.SetViewerCount(ctx, r.channelArn, int64(math.Round(r.viewers))); err != nil {
		s.log.ErrorContext(ctx, "streamsim: set viewer count", "error", err.Error())
	}
}

func (s *Sim) starving(r *run, t time.Time) bool {
	for _, st := range r.starvations {
		from := r.start.Add(st.at)
		if !t.Before(from) && t.Before(from.Add(st.dur)) {
			return true
		}
	}
	return false
}

// sample draws the metrics at time t.
func (s *Sim) sample(r *run, t time.Time) map[string]float64 {
	noise := func(frac float64) float64 { return 1 + frac*(2*r.rng.Float64()-1) }
	// Viewers drift towards the peak, with churn.
	target := float64(r.profile.PeakViewers)
	r.viewers += (target-r.viewers)*0.15 + 2*(r.rng.Float64()-0.5)
	r.viewers = math.Max(0, r.viewers)
	out := map[string]float64{
		ConcurrentViews:    math.Round(r.viewers),
		IngestAudioBitrate: float64(r.profile.AudioBitrate) * noise(0.01),
	}
	if s.starving(r, t) {
		out[IngestVideoBitrate] = 0
		out[IngestFramerate] = 0
		out[IngestAudioBitrate] = 0
		return out
	}
	video := float64(r.profile.VideoBitrate) * noise(0.05)
	for _, b := range r.breaches {
		from := r.start.Add(b.at)
		if b.limit == LimitIngestBitrate && !t.Before(from) && t.Before(from.Add(10*time.Second)) {
			limit, _, _, _ := limitFor(b.limit, r)
			video = float64(limit) * 1.3
		}
	}
	out[IngestVideoBitrate] = video
	out[IngestFramerate] = float64(r.profile.Framerate) * noise(0.005)
	out[KeyframeInterval] = r.profile.KeyframeInterval * noise(0.02)
	return out
}

// fireEpisodes publishes the events of episodes whose time has come.
func (s *Sim) fireEpisodes(ctx context.Context, r *run, t time.Time) {
	for _, st := range r.starvations {
		from, to := r.start.Add(st.at), r.start.Add(st.at+st.dur)
		if !st.started && !t.Before(from) {
			st.started = true
			s.healthEvent(ctx, r, "Starvation Start", from)
		}
		if st.started && !st.finished && !t.Before(to) {
			st.finished = true
			s.healthEvent(ctx, r, "Starvation End", to)
		}
	}
	for _, b := range r.breaches {
		at := r.start.Add(b.at)
		if !b.fired && !t.Before(at) {
			b.fired = true
			s.breachEvent(ctx, r, b.limit, at)
		}
	}
}

// limitFor returns the limit value, how much the simulation exceeds it by,
// and the unit, for the channel's type.
func limitFor(limit string, r *run) (value, exceededBy int64, unit string, err error) {
	basic := r.channelType == "BASIC" || r.channelType == "ADVANCED_SD"
	switch limit {
	case LimitIngestBitrate:
		value = 8_500_000
		if basic {
			value = 1_500_000
		}
		return value, value * 3 / 10, "bits per second", nil
	case LimitIngestResolution:
		value = 1920 * 1080
		if basic {
			value = 852 * 480
		}
		return value, 2560*1440 - value, "total pixels", nil
	case LimitConcurrentViewers:
		return 15000, 1200, "viewers", nil
	}
	return 0, 0, "", fmt.Errorf("%w %q (use %q, %q or %q)", ErrUnsupportedLimit, limit,
		LimitIngestBitrate, LimitIngestResolution, LimitConcurrentViewers)
}

// ---- Events, shaped as IVS emits them (resources = [channel ARN]). ----

func (s *Sim) publish(ctx context.Context, r *run, detailType, name string, at time.Time, detail map[string]any) {
	if err := s.cfg.IVS.AddStreamEvent(ctx, r.channelArn, r.streamID,
		ivsemu.StreamEvent{Name: name, Type: detailType, EventTime: &ivsemu.Time{Time: at}}); err != nil {
		s.log.ErrorContext(ctx, "streamsim: record stream event", "error", err.Error())
	}
	if s.cfg.Events == nil {
		return
	}
	ev, err := eventbus.NewEvent("aws.ivs", detailType, []string{r.channelArn}, at, detail)
	if err == nil {
		_, err = s.cfg.Events.Publish(ctx, ev)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "streamsim: publish simulated event", "error", err.Error())
		return
	}
	s.log.InfoContext(ctx, "streamsim: simulated event", "detail_type", detailType, "name", name,
		"channel_arn", r.channelArn, "stream_id", r.streamID)
}

func (s *Sim) stateEvent(ctx context.Context, r *run, name string, at time.Time) {
	s.publish(ctx, r, "IVS Stream State Change", name, at,
		map[string]any{"event_name": name, "channel_name": r.channelName, "stream_id": r.streamID})
}

func (s *Sim) healthEvent(ctx context.Context, r *run, name string, at time.Time) {
	s.publish(ctx, r, "IVS Stream Health Change", name, at,
		map[string]any{"event_name": name, "channel_name": r.channelName, "stream_id": r.streamID})
}

func (s *Sim) breachEvent(ctx context.Context, r *run, limit string, at time.Time) {
	value, exceeded, unit, _ := limitFor(limit, r)
	s.publish(ctx, r, "IVS Limit Breach", limit, at, map[string]any{"limit_name": limit, "limit_value": value,
		"exceeded_by": exceeded, "limit_unit": unit, "channel_name": r.channelName, "stream_id": r.streamID})
}

// Metrics returns a channel's metric averaged per period over [start, end):
// the start of each period that has data, and its average. The offline
// program adapts it to the backend's metrics port (CloudWatch
// GetMetricData with Average). Simulated streams are synced first.
func (s *Sim) Metrics(channelID, metricName string, start, end time.Time, period time.Duration) ([]time.Time, []float64) {
	ctx := context.Background()
	s.Sync(ctx)
	if period <= 0 || !end.After(start) {
		return nil, nil
	}
	points, err := s.cfg.IVS.MetricPoints(ctx, channelID, metricName, start, end)
	if err != nil {
		s.log.Error("streamsim: read metrics", "error", err.Error())
		return nil, nil
	}
	var times []time.Time
	var values []float64
	var sum float64
	n := 0
	bucket := time.Time{}
	flush := func() {
		if n > 0 {
			times = append(times, bucket)
			values = append(values, sum/float64(n))
		}
	}
	for _, p := range points {
		b := start.Add(p.Time.Sub(start) / period * period)
		if !b.Equal(bucket) {
			flush()
			bucket, sum, n = b, 0, 0
		}
		sum += p.Value
		n++
	}
	flush()
	return times, values
}
