package streams

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onair/onair/shared/onair"
)

// IngestConfiguration is the encoder configuration IVS reports for a session
// (GetStreamSession's ingestConfiguration), in the shape the session detail
// returns and the session record caches.
type IngestConfiguration struct {
	Audio *AudioConfiguration `json:"audio,omitempty"`
	Video *VideoConfiguration `json:"video,omitempty"`
}

// VideoConfiguration: bitrate in bits per second, frame rate per second.
type VideoConfiguration struct {
	AvcLevel        string `json:"avcLevel,omitempty"`
	AvcProfile      string `json:"avcProfile,omitempty"`
	Codec           string `json:"codec,omitempty"`
	Encoder         string `json:"encoder,omitempty"`
	TargetBitrate   int64  `json:"targetBitrate"`
	TargetFramerate int64  `json:"targetFramerate"`
	VideoHeight     int64  `json:"videoHeight"`
	VideoWidth      int64  `json:"videoWidth"`
}

// AudioConfiguration: sample rate in Hz, bitrate in bits per second.
type AudioConfiguration struct {
	Channels      int64  `json:"channels"`
	Codec         string `json:"codec,omitempty"`
	SampleRate    int64  `json:"sampleRate"`
	TargetBitrate int64  `json:"targetBitrate"`
}

// Diagnosis is a plain-language finding about a session, with what to change
// in the encoder (worded for OBS Studio, the encoder most streamers use).
type Diagnosis struct {
	ID       string `json:"id"`
	Severity string `json:"severity"` // "error": IVS refuses or cuts the stream; "warning": viewers notice
	Title    string `json:"title"`
	Detail   string `json:"detail"`
	Fix      string `json:"fix"`
}

const (
	severityError   = "error"
	severityWarning = "warning"
)

// Encoder limits. Bitrate and resolution limits per channel type are from
// the IVS channel-types page
// (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/channel-types.html,
// checked 2026-11): STANDARD and ADVANCED channels take single-track input up
// to 1080p at 8.5 Mbps; BASIC channels up to 1.5 Mbps at 480p and below and
// 3.5 Mbps above 480p. The IVS API reference of Channel.type states the same
// 8.5 Mbps / 1.5 Mbps at 480p limits, and that exceeding them "probably will
// disconnect immediately". The keyframe interval (2 s), audio sample rates,
// channel count and audio bitrate follow the IVS streaming-configuration
// guide (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/streaming-config.html)
// and the reference's encoder checks.
const (
	// maxKeyframeInterval is IVS's 2 s plus what measurement jitter adds to a
	// correct 2 s GOP (CloudWatch averages of 2.0x s are normal).
	maxKeyframeInterval = 2.1 // seconds
	maxEdge             = 1920
	maxPixels           = 1920 * 1080
	maxFramerate        = 60
	maxAudioChannels    = 2
	maxAudioBitrate     = 320_000
	basicSDMaxBitrate   = 1_500_000
	basicHDMaxBitrate   = 3_500_000
	defaultMaxBitrate   = 8_500_000
	sdMaxHeight         = 480
)

// maxVideoBitrate is the channel type's input bitrate limit for a video of
// the given height.
func maxVideoBitrate(channelType string, height int64) int64 {
	if strings.EqualFold(channelType, "BASIC") {
		if height > 0 && height <= sdMaxHeight {
			return basicSDMaxBitrate
		}
		return basicHDMaxBitrate
	}
	return defaultMaxBitrate
}

// DiagnosisInput is what the diagnoses look at.
type DiagnosisInput struct {
	ChannelType string
	Ingest      *IngestConfiguration
	// Averages of the session's metrics over the window (nil: no data).
	KeyframeIntervalAvg *float64
	FramerateAvg        *float64
	Events              []onair.StreamEvent
	// End closes periods still open at the end of the events (starvation
	// without Starvation End): the session's end, or now while live.
	End time.Time
}

// Diagnose returns the session's findings, most severe first, in a fixed
// order within a severity.
func Diagnose(in DiagnosisInput) []Diagnosis {
	out := []Diagnosis{}
	add := func(d *Diagnosis) {
		if d != nil {
			out = append(out, *d)
		}
	}
	add(diagnoseKeyframes(in.KeyframeIntervalAvg))
	if in.Ingest != nil && in.Ingest.Video != nil {
		v := in.Ingest.Video
		add(diagnoseBitrate(in.ChannelType, v))
		add(diagnoseResolution(v))
	}
	add(diagnoseFramerate(in.Ingest, in.FramerateAvg))
	if in.Ingest != nil && in.Ingest.Audio != nil {
		a := in.Ingest.Audio
		add(diagnoseSampleRate(a))
		add(diagnoseAudioChannels(a))
		add(diagnoseAudioBitrate(a))
	}
	add(diagnoseStarvation(in.Events, in.End))
	out = append(out, diagnoseLimitBreaches(in.Events)...)
	add(diagnoseStreamFailures(in.Events))
	slices.SortStableFunc(out, func(a, b Diagnosis) int {
		return severityRank(a.Severity) - severityRank(b.Severity)
	})
	return out
}

func severityRank(s string) int {
	if s == severityError {
		return 0
	}
	return 1
}

func mbps(bps int64) string {
	return strconv.FormatFloat(float64(bps)/1e6, 'f', -1, 64) + " Mbps"
}

func kbps(bps int64) string { return strconv.FormatInt(bps/1000, 10) + " Kbps" }

func seconds(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " s" }

func diagnoseKeyframes(avg *float64) *Diagnosis {
	if avg == nil || *avg <= maxKeyframeInterval {
		return nil
	}
	return &Diagnosis{
		ID:       "keyframe-interval",
		Severity: severityWarning,
		Title:    "Keyframe interval is too long",
		Detail: fmt.Sprintf("Your encoder sent a keyframe every %s on average. IVS expects one every 2 s; "+
			"longer intervals add latency and make viewers wait longer to start playback and to switch quality.", seconds(*avg)),
		Fix: "In OBS, open Settings → Output, set Output Mode to Advanced, and on the Streaming tab set Keyframe Interval to 2 s (not 0/auto).",
	}
}

func diagnoseBitrate(channelType string, v *VideoConfiguration) *Diagnosis {
	limit := maxVideoBitrate(channelType, v.VideoHeight)
	if v.TargetBitrate <= limit {
		return nil
	}
	typ := strings.ToUpper(channelType)
	if typ == "" {
		typ = "STANDARD"
	}
	return &Diagnosis{
		ID:       "video-bitrate",
		Severity: severityError,
		Title:    "Video bitrate is above your channel's limit",
		Detail: fmt.Sprintf("Your encoder targets %s, but a %s channel accepts at most %s at this resolution. "+
			"IVS may disconnect the stream.", mbps(v.TargetBitrate), typ, mbps(limit)),
		Fix: fmt.Sprintf("In OBS, open Settings → Output → Streaming, set Rate Control to CBR and Bitrate to %d Kbps or less.", limit/1000),
	}
}

func diagnoseResolution(v *VideoConfiguration) *Diagnosis {
	if max(v.VideoWidth, v.VideoHeight) <= maxEdge && v.VideoWidth*v.VideoHeight <= maxPixels {
		return nil
	}
	return &Diagnosis{
		ID:       "video-resolution",
		Severity: severityError,
		Title:    "Video resolution is above 1080p",
		Detail: fmt.Sprintf("Your encoder sends %d×%d. IVS accepts at most 1080p (1920 pixels on the longest edge, 1920×1080 pixels in total) "+
			"and may disconnect the stream.", v.VideoWidth, v.VideoHeight),
		Fix: "In OBS, open Settings → Video and set Output (Scaled) Resolution to 1920x1080 or lower (1280x720 for a lighter stream).",
	}
}

func diagnoseFramerate(in *IngestConfiguration, measured *float64) *Diagnosis {
	fps := 0.0
	source := ""
	if in != nil && in.Video != nil && in.Video.TargetFramerate > 0 {
		fps, source = float64(in.Video.TargetFramerate), "is configured for"
	} else if measured != nil {
		fps, source = *measured, "averaged"
	}
	if fps <= maxFramerate {
		return nil
	}
	return &Diagnosis{
		ID:       "video-framerate",
		Severity: severityError,
		Title:    "Frame rate is above 60 fps",
		Detail:   fmt.Sprintf("Your encoder %s %s fps. IVS accepts at most 60 fps.", source, strconv.FormatFloat(fps, 'f', -1, 64)),
		Fix:      "In OBS, open Settings → Video and set Common FPS Values to 60 or lower (30 is enough for most content).",
	}
}

func diagnoseSampleRate(a *AudioConfiguration) *Diagnosis {
	if a.SampleRate == 0 || a.SampleRate == 44100 || a.SampleRate == 48000 {
		return nil
	}
	return &Diagnosis{
		ID:       "audio-sample-rate",
		Severity: severityWarning,
		Title:    "Audio sample rate is not supported",
		Detail:   fmt.Sprintf("Your encoder sends audio at %s kHz. IVS expects 44.1 kHz or 48 kHz.", strconv.FormatFloat(float64(a.SampleRate)/1000, 'f', -1, 64)),
		Fix:      "In OBS, open Settings → Audio and set Sample Rate to 48 kHz (or 44.1 kHz).",
	}
}

func diagnoseAudioChannels(a *AudioConfiguration) *Diagnosis {
	if a.Channels <= maxAudioChannels {
		return nil
	}
	return &Diagnosis{
		ID:       "audio-channels",
		Severity: severityWarning,
		Title:    "Too many audio channels",
		Detail:   fmt.Sprintf("Your encoder sends %d audio channels. IVS supports mono or stereo.", a.Channels),
		Fix:      "In OBS, open Settings → Audio and set Channels to Stereo.",
	}
}

func diagnoseAudioBitrate(a *AudioConfiguration) *Diagnosis {
	if a.TargetBitrate <= maxAudioBitrate {
		return nil
	}
	return &Diagnosis{
		ID:       "audio-bitrate",
		Severity: severityWarning,
		Title:    "Audio bitrate is too high",
		Detail:   fmt.Sprintf("Your encoder targets %s of audio; at most %s is supported.", kbps(a.TargetBitrate), kbps(maxAudioBitrate)),
		Fix:      "In OBS, open Settings → Output → Audio (Advanced mode) or Settings → Output → Streaming (Simple mode) and set Audio Bitrate to 160 Kbps (at most 320).",
	}
}

// starvationPeriods pairs each Starvation Start with the next Starvation End
// (events in any order; a period still open ends at end).
func starvationPeriods(evs []onair.StreamEvent, end time.Time) [][2]time.Time {
	health := slices.DeleteFunc(slices.Clone(evs), func(e onair.StreamEvent) bool { return e.Type != TypeHealthChange })
	slices.SortFunc(health, eventLess)
	var periods [][2]time.Time
	var open *time.Time
	for _, e := range health {
		switch e.Name {
		case StarvationStart:
			if open == nil {
				t := e.Time
				open = &t
			}
		case StarvationEnd:
			if open != nil {
				periods = append(periods, [2]time.Time{*open, e.Time})
				open = nil
			}
		}
	}
	if open != nil {
		stop := end
		if stop.Before(*open) {
			stop = *open
		}
		periods = append(periods, [2]time.Time{*open, stop})
	}
	return periods
}

func diagnoseStarvation(evs []onair.StreamEvent, end time.Time) *Diagnosis {
	periods := starvationPeriods(evs, end)
	if len(periods) == 0 {
		return nil
	}
	var total, longest time.Duration
	var longestAt time.Time
	for _, p := range periods {
		d := p[1].Sub(p[0])
		total += d
		if d > longest || longestAt.IsZero() {
			longest, longestAt = d, p[0]
		}
	}
	times := "once"
	if len(periods) > 1 {
		times = fmt.Sprintf("%d times", len(periods))
	}
	return &Diagnosis{
		ID:       "starvation",
		Severity: severityWarning,
		Title:    "The encoder stopped sending video",
		Detail: fmt.Sprintf("IVS received no data from your encoder %s (%s in total; the longest, %s, started at %s UTC). "+
			"Viewers saw the stream freeze or buffer.", times, duration(total), duration(longest), longestAt.UTC().Format("15:04:05")),
		Fix: "Use a wired connection rather than Wi-Fi, close other uploads, and lower the bitrate in OBS (Settings → Output → Streaming → Bitrate) " +
			"to well under your upload speed. OBS's Stats dock shows dropped frames caused by the network.",
	}
}

func duration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	}
	return d.Round(time.Second).String()
}

// limitFixes says what to do about each IVS limit breach.
var limitFixes = map[string]string{
	"Ingest Bitrate":        "In OBS, open Settings → Output → Streaming, set Rate Control to CBR and lower Bitrate below your channel's limit.",
	"Ingest Resolution":     "In OBS, open Settings → Video and lower Output (Scaled) Resolution to 1920x1080 or less (your channel type's limit).",
	"Concurrent Broadcasts": "Stop the other streams of your account (another OBS, or another device using a stream key) before going live.",
	"Concurrent Viewers":    "Nothing to change in the encoder: the account's viewer quota was reached. Ask the operator to raise the IVS concurrent-views quota.",
}

func diagnoseLimitBreaches(evs []onair.StreamEvent) []Diagnosis {
	type breach struct {
		count       int
		value, unit string
		exceeded    string
		first       string
	}
	by := map[string]*breach{}
	var names []string
	sorted := slices.Clone(evs)
	slices.SortFunc(sorted, eventLess)
	for _, e := range sorted {
		if e.Type != TypeLimitBreach {
			continue
		}
		b, ok := by[e.Name]
		if !ok {
			b = &breach{first: e.Time.UTC().Format("15:04:05")}
			by[e.Name] = b
			names = append(names, e.Name)
		}
		b.count++
		b.value, b.unit, b.exceeded = e.Detail["limit_value"], e.Detail["limit_unit"], e.Detail["exceeded_by"]
	}
	var out []Diagnosis
	for _, name := range names {
		b := by[name]
		detail := fmt.Sprintf("IVS reported the %s limit exceeded %s (first at %s UTC).", strings.ToLower(name), timesText(b.count), b.first)
		if b.value != "" {
			detail += fmt.Sprintf(" The limit is %s %s", b.value, b.unit)
			if b.exceeded != "" {
				detail += fmt.Sprintf(", exceeded by %s", b.exceeded)
			}
			detail += "."
		}
		fix, ok := limitFixes[name]
		if !ok {
			fix = "Lower the encoder's settings below your channel type's limits."
		}
		out = append(out, Diagnosis{
			ID:       "limit-" + slug(name),
			Severity: severityError,
			Title:    name + " limit exceeded",
			Detail:   detail,
			Fix:      fix,
		})
	}
	return out
}

func timesText(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func slug(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "-")
}

func diagnoseStreamFailures(evs []onair.StreamEvent) *Diagnosis {
	var reasons []string
	n := 0
	for _, e := range evs {
		if e.Type == TypeStateChange && e.Name == StreamFailure {
			n++
			if r := e.Detail["reason"]; r != "" && !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
	}
	if n == 0 {
		return nil
	}
	detail := fmt.Sprintf("IVS could not process your stream %s.", timesText(n))
	if len(reasons) > 0 {
		detail += " Reason: " + strings.Join(reasons, "; ") + "."
	}
	return &Diagnosis{
		ID:       "stream-failure",
		Severity: severityError,
		Title:    "The stream failed",
		Detail:   detail,
		Fix: "In OBS, check Settings → Output → Streaming: use the x264 or hardware H.264 encoder, CBR, a 2 s keyframe interval, " +
			"and a resolution and bitrate within your channel's limits; then restart the stream.",
	}
}
