package streams

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func goodVideo() *VideoConfiguration {
	return &VideoConfiguration{Codec: "avc1.64001F", Encoder: "obs-output module (libobs version 30.1.2)", TargetBitrate: 6_000_000, TargetFramerate: 30, VideoHeight: 1080, VideoWidth: 1920}
}

func goodAudio() *AudioConfiguration {
	return &AudioConfiguration{Channels: 2, Codec: "mp4a.40.2", SampleRate: 48000, TargetBitrate: 160_000}
}

func ids(ds []Diagnosis) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func TestDiagnoses(t *testing.T) {
	ev := func(typ, name string, sec int, detail map[string]string) onair.StreamEvent {
		return onair.StreamEvent{ID: name + "-" + time.Duration(sec).String(), Type: typ, Name: name, Time: t0.Add(time.Duration(sec) * time.Second), Detail: detail}
	}
	withVideo := func(f func(v *VideoConfiguration)) *IngestConfiguration {
		v := goodVideo()
		f(v)
		return &IngestConfiguration{Video: v, Audio: goodAudio()}
	}
	withAudio := func(f func(a *AudioConfiguration)) *IngestConfiguration {
		a := goodAudio()
		f(a)
		return &IngestConfiguration{Video: goodVideo(), Audio: a}
	}
	cases := []struct {
		name       string
		in         DiagnosisInput
		want       []string
		detailHas  string
		fixHas     string
		severities []string
	}{
		{name: "healthy session", in: DiagnosisInput{ChannelType: "STANDARD", Ingest: &IngestConfiguration{Video: goodVideo(), Audio: goodAudio()}, KeyframeIntervalAvg: fptr(2)}, want: []string{}},
		{name: "nothing known", in: DiagnosisInput{}, want: []string{}},
		{name: "keyframe interval above 2 s", in: DiagnosisInput{KeyframeIntervalAvg: fptr(4.2)}, want: []string{"keyframe-interval"}, detailHas: "4.2 s", fixHas: "Keyframe Interval to 2 s"},
		{name: "keyframe interval of 2 s is fine", in: DiagnosisInput{KeyframeIntervalAvg: fptr(2.0)}, want: []string{}},
		{name: "measurement jitter around 2 s is fine", in: DiagnosisInput{KeyframeIntervalAvg: fptr(2.04)}, want: []string{}},
		{name: "STANDARD bitrate above 8.5 Mbps", in: DiagnosisInput{ChannelType: "STANDARD", Ingest: withVideo(func(v *VideoConfiguration) { v.TargetBitrate = 9_000_000 })},
			want: []string{"video-bitrate"}, detailHas: "9 Mbps", fixHas: "8500 Kbps"},
		{name: "STANDARD at 8.5 Mbps is fine", in: DiagnosisInput{ChannelType: "STANDARD", Ingest: withVideo(func(v *VideoConfiguration) { v.TargetBitrate = 8_500_000 })}, want: []string{}},
		{name: "BASIC 480p above 1.5 Mbps", in: DiagnosisInput{ChannelType: "BASIC", Ingest: withVideo(func(v *VideoConfiguration) { v.VideoWidth, v.VideoHeight, v.TargetBitrate = 852, 480, 2_000_000 })},
			want: []string{"video-bitrate"}, detailHas: "BASIC channel accepts at most 1.5 Mbps", fixHas: "1500 Kbps"},
		{name: "BASIC 720p at 3 Mbps is fine", in: DiagnosisInput{ChannelType: "BASIC", Ingest: withVideo(func(v *VideoConfiguration) { v.VideoWidth, v.VideoHeight, v.TargetBitrate = 1280, 720, 3_000_000 })}, want: []string{}},
		{name: "BASIC 720p above 3.5 Mbps", in: DiagnosisInput{ChannelType: "basic", Ingest: withVideo(func(v *VideoConfiguration) { v.VideoWidth, v.VideoHeight, v.TargetBitrate = 1280, 720, 4_000_000 })},
			want: []string{"video-bitrate"}, fixHas: "3500 Kbps"},
		{name: "resolution above 1080p", in: DiagnosisInput{Ingest: withVideo(func(v *VideoConfiguration) { v.VideoWidth, v.VideoHeight = 2560, 1440 })},
			want: []string{"video-resolution"}, detailHas: "2560×1440", fixHas: "Output (Scaled) Resolution"},
		{name: "portrait 1080x1920 is fine", in: DiagnosisInput{Ingest: withVideo(func(v *VideoConfiguration) { v.VideoWidth, v.VideoHeight = 1080, 1920 })}, want: []string{}},
		{name: "frame rate above 60", in: DiagnosisInput{Ingest: withVideo(func(v *VideoConfiguration) { v.TargetFramerate = 120 })},
			want: []string{"video-framerate"}, detailHas: "is configured for 120 fps", fixHas: "FPS"},
		{name: "measured frame rate above 60 without configuration", in: DiagnosisInput{FramerateAvg: fptr(75.5)},
			want: []string{"video-framerate"}, detailHas: "averaged 75.5 fps"},
		{name: "audio sample rate", in: DiagnosisInput{Ingest: withAudio(func(a *AudioConfiguration) { a.SampleRate = 32000 })},
			want: []string{"audio-sample-rate"}, detailHas: "32 kHz", fixHas: "48 kHz"},
		{name: "audio 44.1 kHz is fine", in: DiagnosisInput{Ingest: withAudio(func(a *AudioConfiguration) { a.SampleRate = 44100 })}, want: []string{}},
		{name: "audio channels", in: DiagnosisInput{Ingest: withAudio(func(a *AudioConfiguration) { a.Channels = 6 })},
			want: []string{"audio-channels"}, detailHas: "6 audio channels", fixHas: "Stereo"},
		{name: "audio bitrate", in: DiagnosisInput{Ingest: withAudio(func(a *AudioConfiguration) { a.TargetBitrate = 384_000 })},
			want: []string{"audio-bitrate"}, detailHas: "384 Kbps", fixHas: "Audio Bitrate"},
		{name: "starvation periods", in: DiagnosisInput{End: t0.Add(time.Hour), Events: []onair.StreamEvent{
			ev(TypeHealthChange, StarvationEnd, 70, nil), ev(TypeHealthChange, StarvationStart, 60, nil),
			ev(TypeHealthChange, StarvationStart, 100, nil), ev(TypeHealthChange, StarvationEnd, 130, nil),
		}}, want: []string{"starvation"}, detailHas: "2 times (40 s in total; the longest, 30 s, started at 18:01:40 UTC)", fixHas: "wired connection"},
		{name: "starvation still open at the end", in: DiagnosisInput{End: t0.Add(10 * time.Minute), Events: []onair.StreamEvent{
			ev(TypeHealthChange, StarvationStart, 0, nil),
		}}, want: []string{"starvation"}, detailHas: "once (10m0s in total"},
		{name: "limit breaches grouped by limit", in: DiagnosisInput{Events: []onair.StreamEvent{
			ev(TypeLimitBreach, "Ingest Bitrate", 5, map[string]string{"limit_value": "8500000", "limit_unit": "bits per second", "exceeded_by": "100000"}),
			ev(TypeLimitBreach, "Ingest Bitrate", 9, map[string]string{"limit_value": "8500000", "limit_unit": "bits per second", "exceeded_by": "200000"}),
			ev(TypeLimitBreach, "Ingest Resolution", 7, map[string]string{"limit_value": "2073600", "limit_unit": "total pixels"}),
		}}, want: []string{"limit-ingest-bitrate", "limit-ingest-resolution"}, detailHas: "exceeded 2 times (first at 18:00:05 UTC). The limit is 8500000 bits per second, exceeded by 200000.", fixHas: "CBR"},
		{name: "stream failure", in: DiagnosisInput{Events: []onair.StreamEvent{
			ev(TypeStateChange, StreamFailure, 5, map[string]string{"reason": "Transcoding capacity exceeded"}),
		}}, want: []string{"stream-failure"}, detailHas: "Reason: Transcoding capacity exceeded.", fixHas: "restart the stream"},
		{name: "errors before warnings", in: DiagnosisInput{KeyframeIntervalAvg: fptr(5), ChannelType: "STANDARD", Ingest: withVideo(func(v *VideoConfiguration) { v.TargetBitrate = 10_000_000 })},
			want: []string{"video-bitrate", "keyframe-interval"}, severities: []string{"error", "warning"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Diagnose(tc.in)
			require.NotNil(t, got, "an empty list, never null")
			assert.Equal(t, tc.want, ids(got))
			for _, d := range got {
				assert.NotEmpty(t, d.Title)
				assert.NotEmpty(t, d.Detail)
				assert.NotEmpty(t, d.Fix)
				assert.Contains(t, []string{"error", "warning"}, d.Severity)
			}
			if tc.detailHas != "" {
				assert.Contains(t, got[0].Detail, tc.detailHas)
			}
			if tc.fixHas != "" {
				assert.Contains(t, got[0].Fix, tc.fixHas)
			}
			for i, s := range tc.severities {
				assert.Equal(t, s, got[i].Severity)
			}
		})
	}
}
