package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ivs"
	ivstypes "github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/ivsemu"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// httptest servers' and net/http clients' idle connections.
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
	)
}

// recorder collects published events.
type recorder struct {
	mu     sync.Mutex
	events []eventbus.Event
}

func (r *recorder) Publish(_ context.Context, ev eventbus.Event) (eventbus.Event, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return ev, nil
}

// names returns "<detail-type>/<name>" of the events so far.
func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		var d map[string]any
		_ = json.Unmarshal(ev.Detail, &d)
		name, _ := d["event_name"].(string)
		if name == "" {
			name, _ = d["limit_name"].(string)
		}
		out = append(out, name)
	}
	return out
}

type env struct {
	ivs    *ivsemu.Service
	plane  *Plane
	rtmp   *RTMPServer
	http   *httptest.Server
	api    *ivs.Client
	events *recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{events: &recorder{}}
	var err error
	e.ivs, err = ivsemu.New(ivsemu.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	e.plane = New(Config{IVS: e.ivs, Events: e.events, MetricsInterval: time.Second, FFmpeg: "ffmpeg",
		HandshakeTimeout: time.Second})
	e.ivs.SetIngestHandler(e.plane)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e.rtmp = e.plane.ServeRTMP(ln)
	mux := http.NewServeMux()
	mux.Handle(PlaybackPrefix, e.plane.Handler())
	mux.Handle("/", e.ivs.Handler())
	e.http = httptest.NewServer(mux)
	e.api = ivs.New(ivs.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.http.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	t.Cleanup(func() {
		_ = e.rtmp.Close()
		e.plane.Close()
		e.http.Close()
		_ = e.ivs.Close()
	})
	return e
}

func (e *env) channel(t *testing.T, typ ivstypes.ChannelType) (arn, key string) {
	out, err := e.api.CreateChannel(context.Background(), &ivs.CreateChannelInput{Name: aws.String("alice"), Type: typ})
	require.NoError(t, err)
	return *out.Channel.Arn, *out.StreamKey.Value
}

func (e *env) rtmpURL(key string) string { return "rtmp://" + e.rtmp.Addr().String() + "/app/" + key }

func (e *env) playbackURL(arn string) string {
	return e.http.URL + PlaybackPrefix + channelID(arn) + ".m3u8"
}

// ffmpegSlots bounds the tests that run encoders at once: on a 2-core CI
// machine more make every stream late.
var ffmpegSlots = make(chan struct{}, 2)

// needFFmpeg skips the test when ffmpeg is absent, then waits for an
// encoder slot (held until the test ends).
func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("SKIPPED: %s is not installed (CI installs it: apt-get install ffmpeg)", bin)
		}
	}
	ffmpegSlots <- struct{}{}
	t.Cleanup(func() { <-ffmpegSlots })
}

// push starts ffmpeg sending a test pattern and a tone over RTMP.
func push(t *testing.T, url string, w, h, fps int, seconds float64) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", fmt.Sprint(seconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
		"-g", fmt.Sprint(fps), "-b:v", "600k", "-maxrate", "600k", "-bufsize", "600k",
		"-c:a", "aac", "-b:a", "96k", "-ac", "2", "-f", "flv", url)
	cmd.Stderr = &strings.Builder{}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("ffmpeg still running after %s", within)
		return nil
	}
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

func waitPlaylist(t *testing.T, url string) []byte {
	t.Helper()
	var body []byte
	require.Eventually(t, func() bool {
		var code int
		code, body = get(t, url)
		return code == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "the playlist never appeared")
	return body
}

func TestWrongKeyIsRefusedBeforeMedia(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, _ := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	cmd := push(t, e.rtmpURL("sk_us-east-1_wrongwrongwrong"), 320, 240, 15, 5)
	err := waitExit(t, cmd, 10*time.Second)
	require.Error(t, err, "ffmpeg must fail to publish with a wrong key")
	assert.Empty(t, e.events.names())
	_, err = e.api.GetStream(context.Background(), &ivs.GetStreamInput{ChannelArn: aws.String(arn)})
	var nb *ivstypes.ChannelNotBroadcasting
	require.ErrorAs(t, err, &nb)
}

func TestRTMPBroadcast(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, key := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	ctx := context.Background()

	cmd := push(t, e.rtmpURL(key), 640, 360, 30, 120) // stopped below
	multivariant := waitPlaylist(t, e.playbackURL(arn))
	assert.Equal(t, []string{"Session Created", "Stream Start"}, e.events.names())

	// A second broadcaster with the same key is refused while live.
	second := push(t, e.rtmpURL(key), 320, 240, 15, 3)
	require.Error(t, waitExit(t, second, 10*time.Second))

	// Overlays: PutMetadata while live.
	payload := `{"type":"quiz","q":"¿Sí? ✓"}`
	_, err := e.api.PutMetadata(ctx, &ivs.PutMetadataInput{ChannelArn: aws.String(arn), Metadata: aws.String(payload)})
	require.NoError(t, err)
	// LL-HLS: the video playlist's segments and parts decode to what was pushed
	// and one of them carries the cue as an emsg with an ID3 PRIV frame (it
	// appears once the part covering the cue's time is complete).
	videoPl := lineMatching(t, string(multivariant), `video\d+_stream\.m3u8`)
	base := e.http.URL + PlaybackPrefix
	dir := base + channelID(arn) + "/"
	var initSeg, firstSeg []byte
	var found []string
	require.Eventually(t, func() bool {
		_, media := get(t, base+videoPl)
		initURI := regexp.MustCompile(`#EXT-X-MAP:URI="([^"]+)"`).FindStringSubmatch(string(media))
		require.NotNil(t, initURI, string(media))
		_, initSeg = get(t, dir+initURI[1])
		for _, uri := range uris(string(media)) {
			if strings.HasSuffix(strings.Split(uri, "?")[0], ".mp4") && !strings.Contains(uri, "init") && uri != "gap.mp4" {
				_, body := get(t, dir+uri)
				if firstSeg == nil && strings.Contains(uri, "_seg") {
					firstSeg = body
				}
				found = append(found, stringsOf(emsgPayloads(t, body))...)
			}
		}
		return slices.Contains(found, payload)
	}, 10*time.Second, 300*time.Millisecond, "the cue is in an fMP4 part/segment as emsg + ID3 PRIV")
	probe := ffprobe(t, append(append([]byte{}, initSeg...), firstSeg...), "mp4")
	assert.Equal(t, 640, probe.Width)
	assert.Equal(t, 360, probe.Height)
	// One fragment has no nominal rate; a segment spans 1 s keyframe
	// intervals of 30 frames each.
	assert.Positive(t, probe.Frames)
	assert.Zero(t, probe.Frames%30, "frames in the first segment: %d", probe.Frames)

	// MPEG-TS rendition: decodes too, and carries the cue as an ID3 PES.
	tsBase := dir + "ts/"
	code, tsMulti := get(t, tsBase+"index.m3u8")
	require.Equal(t, http.StatusOK, code)
	tsPl := lineMatching(t, string(tsMulti), `\.m3u8`)
	var tsFound []string
	var firstTS []byte
	require.Eventually(t, func() bool {
		_, tsMedia := get(t, tsBase+tsPl)
		for _, uri := range uris(string(tsMedia)) {
			resp, err := http.Get(tsBase + uri)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, "video/mp2t", resp.Header.Get("Content-Type"))
			if firstTS == nil {
				firstTS = body
			}
			tsFound = append(tsFound, tsID3Payloads(t, body)...)
		}
		return slices.Contains(tsFound, payload)
	}, 10*time.Second, 300*time.Millisecond, "the cue is in an MPEG-TS segment as an ID3 PES")
	probe = ffprobe(t, firstTS, "mpegts")
	assert.Equal(t, 640, probe.Width)
	assert.Equal(t, "30/1", probe.FrameRate)
	assert.True(t, probe.HasTimedID3, "the PMT declares the ID3 stream")

	// Viewers: the playlist requests above are one viewer (one multivariant
	// load) plus the direct TS requests.
	st, err := e.api.GetStream(ctx, &ivs.GetStreamInput{ChannelArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "LIVE", string(st.Stream.State))

	time.Sleep(2 * time.Second)                          // a few more metric intervals
	require.NoError(t, cmd.Process.Signal(os.Interrupt)) // the encoder stops
	_ = waitExit(t, cmd, 15*time.Second)
	require.Eventually(t, func() bool { return len(e.events.names()) >= 4 }, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"Session Created", "Stream Start", "Stream End", "Session Ended"}, e.events.names())
	for _, ev := range e.events.events {
		assert.Equal(t, []string{arn}, ev.Resources)
		assert.Equal(t, "aws.ivs", ev.Source)
	}

	// The session's ingest configuration is measured from the stream.
	sess, err := e.api.GetStreamSession(ctx, &ivs.GetStreamSessionInput{ChannelArn: aws.String(arn)})
	require.NoError(t, err)
	v := sess.StreamSession.IngestConfiguration.Video
	assert.Equal(t, int64(640), v.VideoWidth)
	assert.Equal(t, int64(360), v.VideoHeight)
	assert.InDelta(t, 30, v.TargetFramerate, 1)
	assert.InDelta(t, 600_000, v.TargetBitrate, 250_000)
	assert.Regexp(t, `^avc1\.`, *v.Codec)
	a := sess.StreamSession.IngestConfiguration.Audio
	assert.Equal(t, int64(48000), a.SampleRate)
	assert.Equal(t, int64(2), a.Channels)
	assert.Equal(t, "mp4a.40.2", *a.Codec)
	require.NotNil(t, sess.StreamSession.EndTime)

	// Ingest metrics, 1 s resolution in this test.
	points, err := e.ivs.MetricPoints(ctx, channelID(arn), IngestFramerate, time.Now().Add(-time.Minute), time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(points), 3)
	// Each point is labelled with the start of its window, as CloudWatch
	// labels a period: one point per window, the first one's window holding
	// the first media (so no later than Stream Start), none after the end.
	for i := 1; i < len(points); i++ {
		assert.True(t, points[i].Time.After(points[i-1].Time), "points %d and %d share or reverse a window: %v, %v", i-1, i, points[i-1].Time, points[i].Time)
	}
	streamStart := e.events.events[1]
	require.Equal(t, "Stream Start", e.events.names()[1])
	assert.False(t, points[0].Time.After(streamStart.Time), "first window %v starts after Stream Start %v", points[0].Time, streamStart.Time)
	assert.False(t, points[len(points)-1].Time.After(*sess.StreamSession.EndTime), "last window %v starts after the end %v", points[len(points)-1].Time, sess.StreamSession.EndTime)
	var mid []float64
	for _, p := range points[1 : len(points)-1] {
		mid = append(mid, p.Value)
	}
	assert.InDelta(t, 30, median(mid), 4, "frame rate per interval %v", mid)
	vb, err := e.ivs.MetricPoints(ctx, channelID(arn), IngestVideoBitrate, time.Now().Add(-time.Minute), time.Now().Add(time.Minute))
	require.NoError(t, err)
	var vbs []float64
	for _, p := range vb {
		vbs = append(vbs, p.Value)
	}
	assert.InDelta(t, 600_000, median(vbs), 300_000, "video bitrate per interval %v", vbs)

	// Offline again: no playlist, no PutMetadata.
	code, _ = get(t, e.playbackURL(arn))
	assert.Equal(t, http.StatusNotFound, code)
	_, err = e.api.PutMetadata(ctx, &ivs.PutMetadataInput{ChannelArn: aws.String(arn), Metadata: aws.String("x")})
	require.Error(t, err)
}

func TestStopStreamDisconnectsTheEncoder(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, key := e.channel(t, ivstypes.ChannelTypeStandardChannelType)
	cmd := push(t, e.rtmpURL(key), 320, 240, 15, 60)
	waitPlaylist(t, e.playbackURL(arn))
	start := time.Now()
	_, err := e.api.StopStream(context.Background(), &ivs.StopStreamInput{ChannelArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, []string{"Session Created", "Stream Start", "Stream End", "Session Ended"}, e.events.names(),
		"StopStream returns once the session has ended")
	_ = waitExit(t, cmd, 10*time.Second) // ffmpeg notices the closed connection
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestStreamKeyDeletionDisconnects(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, key := e.channel(t, ivstypes.ChannelTypeStandardChannelType)
	cmd := push(t, e.rtmpURL(key), 320, 240, 15, 60)
	waitPlaylist(t, e.playbackURL(arn))
	keys, err := e.api.ListStreamKeys(context.Background(), &ivs.ListStreamKeysInput{ChannelArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = e.api.DeleteStreamKey(context.Background(), &ivs.DeleteStreamKeyInput{Arn: keys.StreamKeys[0].Arn})
	require.NoError(t, err)
	_ = waitExit(t, cmd, 10*time.Second)
	assert.Equal(t, "Session Ended", e.events.names()[len(e.events.names())-1])
}

func TestMalformedAndStalledRTMPClientsAreDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name string
		send []byte
	}{
		{"garbage", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 2000)},
		{"handshake then garbage", append([]byte{3}, bytes.Repeat([]byte{7}, 1536*3)...)},
		{"connects and stalls", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.rtmp.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			if tc.send != nil {
				_, _ = conn.Write(tc.send)
			}
			// The server closes the connection: reads end (EOF or reset)
			// well before our own deadline.
			_ = conn.SetReadDeadline(time.Now().Add(8 * time.Second))
			start := time.Now()
			_, err = io.Copy(io.Discard, conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept a %s connection open for %s", tc.name, time.Since(start))
			}
		})
	}
	assert.Empty(t, e.events.names(), "no session was opened")
}

func TestPlaybackOfAnOfflineChannel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	arn, _ := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	for _, path := range []string{channelID(arn) + ".m3u8", channelID(arn) + "/video1_stream.m3u8",
		channelID(arn) + "/ts/index.m3u8", "nope.m3u8", "../../etc/passwd"} {
		code, _ := get(t, e.http.URL+PlaybackPrefix+path)
		assert.Equal(t, http.StatusNotFound, code, path)
	}
	req, _ := http.NewRequest(http.MethodOptions, e.http.URL+PlaybackPrefix+"x.m3u8", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
}

// ---- helpers: playlists, boxes, TS, ffprobe ----

func lineMatching(t *testing.T, playlist, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for _, l := range strings.Split(playlist, "\n") {
		if !strings.HasPrefix(l, "#") && re.MatchString(l) {
			return strings.TrimSpace(l)
		}
		if m := regexp.MustCompile(`URI="([^"]+)"`).FindStringSubmatch(l); m != nil && re.MatchString(m[1]) {
			return m[1]
		}
	}
	t.Fatalf("no %s in\n%s", pattern, playlist)
	return ""
}

// uris returns the segment and part URIs of a media playlist.
func uris(playlist string) []string {
	var out []string
	for _, l := range strings.Split(playlist, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case strings.HasPrefix(l, "#EXT-X-PART:"):
			if m := regexp.MustCompile(`URI="([^"]+)"`).FindStringSubmatch(l); m != nil {
				out = append(out, m[1])
			}
		case !strings.HasPrefix(l, "#"):
			out = append(out, l)
		}
	}
	return out
}

// parseID3PRIV returns the data of the PRIV frames of an ID3v2.4 tag owned
// by metadata.live-video.net, failing on any other frame.
func parseID3PRIV(t *testing.T, tag []byte) []string {
	t.Helper()
	require.GreaterOrEqual(t, len(tag), 10)
	require.Equal(t, "ID3", string(tag[:3]))
	require.Equal(t, byte(4), tag[3], "ID3v2.4")
	size := unsyncsafe(tag[6:10])
	frames := tag[10 : 10+size]
	var out []string
	for len(frames) >= 10 {
		id, fsize := string(frames[:4]), unsyncsafe(frames[4:8])
		body := frames[10 : 10+fsize]
		require.Equal(t, "PRIV", id, "only a PRIV frame")
		owner, data, ok := strings.Cut(string(body), "\x00")
		require.True(t, ok)
		require.Equal(t, PRIVOwner, owner)
		out = append(out, data)
		frames = frames[10+fsize:]
	}
	return out
}

func unsyncsafe(b []byte) int {
	return int(b[0])<<21 | int(b[1])<<14 | int(b[2])<<7 | int(b[3])
}

// emsgPayloads returns the payloads of the top-level emsg boxes of an fMP4
// body (each must precede a moof).
func emsgPayloads(t *testing.T, body []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for pos := 0; pos+8 <= len(body); {
		size := int(binary.BigEndian.Uint32(body[pos:]))
		typ := string(body[pos+4 : pos+8])
		require.GreaterOrEqual(t, size, 8)
		if typ == "emsg" {
			b := body[pos+8 : pos+size]
			require.Equal(t, byte(1), b[0], "emsg version 1")
			assert.Equal(t, uint32(90000), binary.BigEndian.Uint32(b[4:]))
			scheme, rest, _ := strings.Cut(string(b[4+4+8+4+4:]), "\x00")
			assert.Equal(t, "https://aomedia.org/emsg/ID3", scheme)
			value, rest, _ := strings.Cut(rest, "\x00")
			assert.Equal(t, "", value)
			for _, p := range parseID3PRIV(t, []byte(rest)) {
				out = append(out, []byte(p))
			}
			next := string(body[pos+size+4 : pos+size+8])
			assert.Contains(t, []string{"moof", "emsg"}, next, "emsg goes in front of a moof")
		}
		pos += size
	}
	return out
}

func stringsOf(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

// tsID3Payloads reassembles the PES packets of the ID3 PID and returns their
// PRIV payloads.
func tsID3Payloads(t *testing.T, seg []byte) []string {
	t.Helper()
	require.Zero(t, len(seg)%188)
	var pes [][]byte
	for i := 0; i < len(seg); i += 188 {
		p := seg[i : i+188]
		if tsPID(p) != id3PID {
			continue
		}
		pl := tsPayload(p)
		if p[1]&0x40 != 0 {
			pes = append(pes, nil)
		}
		if len(pes) > 0 {
			pes[len(pes)-1] = append(pes[len(pes)-1], pl...)
		}
	}
	var out []string
	for _, pk := range pes {
		require.Equal(t, []byte{0, 0, 1, 0xBD}, pk[:4], "stream id 0xBD")
		l := int(binary.BigEndian.Uint16(pk[4:]))
		pk = pk[:6+l]
		require.NotZero(t, pk[7]&0x80, "the PES has a PTS")
		out = append(out, parseID3PRIV(t, pk[9+int(pk[8]):])...)
	}
	return out
}

type probeResult struct {
	Width, Height int
	FrameRate     string
	Frames        int
	HasTimedID3   bool
}

func ffprobe(t *testing.T, data []byte, format string) probeResult {
	t.Helper()
	f := filepath.Join(t.TempDir(), "seg")
	require.NoError(t, os.WriteFile(f, data, 0o600))
	out, err := exec.Command("ffprobe", "-v", "error", "-f", format, "-count_frames", "-show_streams", "-of", "json", f).Output()
	require.NoError(t, err)
	var res struct {
		Streams []struct {
			CodecType  string `json:"codec_type"`
			CodecName  string `json:"codec_name"`
			Width      int    `json:"width"`
			Height     int    `json:"height"`
			RFrameRate string `json:"r_frame_rate"`
			Frames     string `json:"nb_read_frames"`
		} `json:"streams"`
	}
	require.NoError(t, json.Unmarshal(out, &res))
	var r probeResult
	for _, s := range res.Streams {
		switch {
		case s.CodecType == "video":
			r.Width, r.Height, r.FrameRate = s.Width, s.Height, s.RFrameRate
			r.Frames, _ = strconv.Atoi(s.Frames)
		case s.CodecName == "timed_id3":
			r.HasTimedID3 = true
		}
	}
	return r
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
