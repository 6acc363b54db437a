package media

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	ivstypes "github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The input limits as the IVS documentation states them per channel type
// (CreateChannel's type, the channel-types page): every type accepts up to
// 1080p; BASIC up to 1.5 Mbps for 480p and 3.5 Mbps between 480p and 1080p;
// STANDARD, ADVANCED_SD and ADVANCED_HD up to 8.5 Mbps.
func TestInputLimits(t *testing.T) {
	t.Parallel()
	res := []struct {
		name string
		w, h int
		over bool
		want breach
	}{
		{name: "1080p landscape", w: 1920, h: 1080},
		{name: "1080p portrait", w: 1080, h: 1920},
		{name: "720p", w: 1280, h: 720},
		{name: "1440p: the edge first", w: 2560, h: 1440, over: true, want: breach{1920, 640, "pixels per edge"}},
		{name: "long thin strip: under 1080p's area, over its edge", w: 2560, h: 400, over: true, want: breach{1920, 640, "pixels per edge"}},
		{name: "1920x1200: edges fit, area does not", w: 1920, h: 1200, over: true, want: breach{2_073_600, 230_400, "total pixels"}},
		{name: "square 1500x1500", w: 1500, h: 1500, over: true, want: breach{2_073_600, 176_400, "total pixels"}},
	}
	for _, tc := range res {
		t.Run(tc.name, func(t *testing.T) {
			got, over := resolutionBreach(tc.w, tc.h)
			assert.Equal(t, tc.over, over)
			assert.Equal(t, tc.want, got)
		})
	}

	rates := []struct {
		typ  string
		w, h int
		want int64
	}{
		{"BASIC", 852, 480, 1_500_000},
		{"BASIC", 640, 360, 1_500_000},
		{"BASIC", 480, 852, 1_500_000}, // portrait 480p is 480p
		{"BASIC", 1280, 720, 3_500_000},
		{"BASIC", 720, 1280, 3_500_000},
		{"BASIC", 1920, 1080, 3_500_000},
		{"STANDARD", 852, 480, 8_500_000},
		{"STANDARD", 1920, 1080, 8_500_000},
		{"ADVANCED_SD", 1920, 1080, 8_500_000},
		{"ADVANCED_HD", 1280, 720, 8_500_000},
	}
	for _, tc := range rates {
		t.Run(fmt.Sprintf("%s %dx%d", tc.typ, tc.w, tc.h), func(t *testing.T) {
			assert.Equal(t, tc.want, bitrateLimit(tc.typ, tc.w, tc.h))
		})
	}
}

// breaches returns the details of the IVS Limit Breach events so far.
func (r *recorder) breaches() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, ev := range r.events {
		if ev.DetailType != "IVS Limit Breach" {
			continue
		}
		var d map[string]any
		_ = json.Unmarshal(ev.Detail, &d)
		out = append(out, d)
	}
	return out
}

// pushArgs runs ffmpeg with a lavfi video source and the given encoder
// arguments into url.
func pushArgs(t *testing.T, url, video string, seconds float64, enc ...string) *exec.Cmd {
	t.Helper()
	args := []string{"-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", video, "-t", fmt.Sprint(seconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"}
	args = append(append(args, enc...), "-an", "-f", "flv", url)
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stderr = &strings.Builder{}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// Over 1080p: an Ingest Resolution breach with IVS's numbers, and the
// broadcaster is disconnected before anything is played.
func TestResolutionBreachDisconnects(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	_, key := e.channel(t, ivstypes.ChannelTypeStandardChannelType)
	cmd := pushArgs(t, e.rtmpURL(key), "testsrc2=size=2560x1440:rate=10", 20, "-g", "10", "-b:v", "300k")
	require.Error(t, waitExit(t, cmd, 20*time.Second), "ffmpeg is cut off")
	require.Eventually(t, func() bool { return len(e.events.names()) >= 4 }, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"Session Created", "Ingest Resolution", "Stream End", "Session Ended"}, e.events.names())
	b := e.events.breaches()
	require.Len(t, b, 1)
	assert.Equal(t, "Ingest Resolution", b[0]["limit_name"])
	assert.EqualValues(t, 1920, b[0]["limit_value"])
	assert.EqualValues(t, 640, b[0]["exceeded_by"])
	assert.Equal(t, "pixels per edge", b[0]["limit_unit"])
	assert.Equal(t, "alice", b[0]["channel_name"])
	assert.NotEmpty(t, b[0]["stream_id"])
}

// A BASIC channel at 360p takes 1.5 Mbps: noise at 4 Mbps breaches it
// (judged over 5 s), and the stream carries on, as on IVS where the event
// is the signal.
func TestBitrateBreachOnBasic(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, key := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	// Random noise does not compress: x264 spends what it is allowed.
	cmd := pushArgs(t, e.rtmpURL(key), "nullsrc=size=640x360:rate=15,geq=random(1)*255:128:128", 30,
		"-g", "15", "-b:v", "4000k", "-maxrate", "4000k", "-bufsize", "4000k")
	waitPlaylist(t, e.playbackURL(arn))
	require.Eventually(t, func() bool { return len(e.events.breaches()) > 0 }, 20*time.Second, 100*time.Millisecond,
		"an Ingest Bitrate breach within 20 s")
	b := e.events.breaches()[0]
	assert.Equal(t, "Ingest Bitrate", b["limit_name"])
	assert.EqualValues(t, 1_500_000, b["limit_value"])
	assert.Equal(t, "bits per second", b["limit_unit"])
	assert.Greater(t, b["exceeded_by"].(float64), 500_000.0)
	assert.True(t, e.plane.Live(arn), "a bitrate breach does not end the stream")
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Eventually(t, func() bool { return !e.plane.Live(arn) }, 10*time.Second, 50*time.Millisecond)
}
