// Command mediabench measures the offline media plane's capacity (make
// bench-media; not part of make test): the CPU one 720p30 broadcast costs
// (RTMP: ingest and LL-HLS + MPEG-TS muxing, no transcode; WebRTC: the same
// plus the Opus→AAC ffmpeg transcode), then how many concurrent broadcasts
// and LL-HLS viewers the machine serves before part delivery degrades.
//
// The plane runs in this process, as in the offline stack (ivsemu, the
// RTMP server, the playback handler, the WebRTC ingest over plain HTTP);
// its CPU is this process's (getrusage) and the transcoders' (/proc). The
// encoders are `ffmpeg -re -c copy` of one pre-encoded clip per broadcast
// (no encoding cost); the WebRTC publisher (pion, sending the clip as the
// web broadcast SDK would) and the viewers run in child processes (this
// program with -publisher-role, -viewer-role), so that their CPU is not
// counted as the server's. Each
// viewer behaves as hls.js in low-latency mode: the multivariant playlist
// once, then for the video and the audio rendition a blocking playlist
// reload for the next part (_HLS_msn/_HLS_part) and a GET of every new part.
// A part's lag is when its last byte arrived minus its end on the stream's
// clock (EXT-X-PROGRAM-DATE-TIME + the part durations before it): server
// muxing, queueing and delivery. Delivered is parts received ÷ parts the
// stream produced for that viewer's time.
//
//	go run ./local/internal/media/mediabench [-seconds 20] [-steps 1x0,1x100,...] [-cpu-only]
//
// MEDIABENCH_DEBUG=1 prints every blocking reload and part a viewer makes.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"
	pionmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"

	"github.com/onair/onair/local/internal/ivsemu"
	"github.com/onair/onair/local/internal/media"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mediabench:", err)
		os.Exit(1)
	}
}

func run() error {
	seconds := flag.Int("seconds", 20, "measured seconds per step (after a warm-up)")
	warmup := flag.Int("warmup", 5, "seconds before each step's measurement")
	steps := flag.String("steps", "1x10,1x100,1x300,1x1000,4x400,8x800,16x1000", "capacity steps: <broadcasts>x<viewers in total>; the first is the baseline")
	cpuOnly := flag.Bool("cpu-only", false, "only the CPU of one broadcast (RTMP and WebRTC)")
	out := flag.String("json", "", "also write the results here")
	viewerRole := flag.Bool("viewer-role", false, "internal: run viewers (the child process)")
	viewers := flag.Int("viewers", 0, "internal: viewers to run")
	urls := flag.String("urls", "", "internal: comma-separated multivariant playlist URLs")
	publisherRole := flag.Bool("publisher-role", false, "internal: publish over WebRTC (a child process)")
	rtcURL := flag.String("rtc", "", "internal: the WebRTC ingest's base URL")
	key := flag.String("key", "", "internal: the stream key")
	clips := flag.String("clips", "", "internal: the directory of the encoded clips")
	flag.Parse()
	if *publisherRole {
		return runPublisher(*rtcURL, *key, *clips)
	}
	if *viewerRole {
		return runViewers(strings.Split(*urls, ","), *viewers, time.Duration(*warmup)*time.Second, time.Duration(*seconds)*time.Second)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return errors.New("ffmpeg is not installed (apt-get install ffmpeg)")
	}
	b, err := newBench()
	if err != nil {
		return err
	}
	defer b.close()
	measure := time.Duration(*seconds) * time.Second
	warm := time.Duration(*warmup) * time.Second
	report := map[string]any{"at": time.Now().UTC().Format(time.RFC3339), "cores": numCPU(), "seconds": *seconds}

	fmt.Printf("mediabench: %d cores, load average %s; %s per step after %s\n", numCPU(), loadavg(), measure, warm)
	fmt.Println("encoding the 720p30 clip (libx264 veryfast, 2.5 Mbps, 1 s keyframes; AAC, Opus) …")
	if err := b.encodeClips(); err != nil {
		return err
	}

	// 1. The CPU of one broadcast, no viewers.
	var cpu []map[string]any
	for _, kind := range []string{"RTMP", "WebRTC"} {
		r, err := b.cpuStep(kind, warm, measure)
		if err != nil {
			return fmt.Errorf("%s CPU: %w", kind, err)
		}
		cpu = append(cpu, r)
		fmt.Printf("one 720p30 %-6s broadcast: media plane %.1f %% of a core%s (load average %s)\n", kind, r["planeCPU"],
			map[bool]string{true: fmt.Sprintf(", Opus→AAC ffmpeg %.1f %%", r["transcodeCPU"]), false: ""}[kind == "WebRTC"], r["load"])
	}
	report["cpu"] = cpu
	if *cpuOnly {
		return writeReport(*out, report)
	}

	// 2. Capacity: broadcasts × viewers.
	fmt.Printf("\n%-10s %-8s %-12s %-12s %-22s %-10s %-8s %s\n", "broadcasts", "viewers", "plane CPU", "viewers CPU", "part lag p50/p95/p99", "delivered", "errors", "load")
	var rows []map[string]any
	var baseline float64
	for _, st := range strings.Split(*steps, ",") {
		var n, v int
		if _, err := fmt.Sscanf(st, "%dx%d", &n, &v); err != nil || n < 1 || v < 0 {
			return fmt.Errorf("step %q: want <broadcasts>x<viewers>", st)
		}
		r, err := b.capacityStep(n, v, warm, measure)
		if err != nil {
			return fmt.Errorf("step %s: %w", st, err)
		}
		if baseline == 0 && r.Parts > 0 {
			baseline = r.P95
		}
		r.Degraded = r.Parts > 0 && (r.P95 > baseline+500 || r.Delivered < 0.99) || r.Errors > 0
		rows = append(rows, r.asMap())
		verdict := ""
		if r.Degraded {
			verdict = "  ← degraded"
		}
		lag := "—"
		if r.Parts > 0 {
			lag = fmt.Sprintf("%.0f/%.0f/%.0f ms", r.P50, r.P95, r.P99)
		}
		fmt.Printf("%-10d %-8d %-12s %-12s %-22s %-10s %-8d %s%s\n", n, v, fmt.Sprintf("%.0f %%", r.PlaneCPU), fmt.Sprintf("%.0f %%", r.ViewerCPU),
			lag, fmt.Sprintf("%.1f %%", 100*r.Delivered), r.Errors, r.Load, verdict)
	}
	report["capacity"] = rows
	fmt.Println("\nplane CPU and viewers CPU: % of one core; part lag: arrival of a part's last byte − its end on the stream clock;")
	fmt.Println("degraded: p95 lag 500 ms over the first step's, under 99 % of the parts delivered, or errors.")
	return writeReport(*out, report)
}

func writeReport(path string, report map[string]any) error {
	if path == "" {
		return nil
	}
	data, _ := json.MarshalIndent(report, "", "  ")
	return os.WriteFile(path, data, 0o644)
}

// ---- the server side: the plane as the offline stack runs it ----

type bench struct {
	dir      string
	ivs      *ivsemu.Service
	plane    *media.Plane
	rtmp     *media.RTMPServer
	http     *httptest.Server
	rtc      *httptest.Server
	channels int
}

func newBench() (*bench, error) {
	dir, err := os.MkdirTemp("", "mediabench-")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir}
	if b.ivs, err = ivsemu.New(ivsemu.Config{DataDir: filepath.Join(dir, "ivs")}); err != nil {
		return nil, err
	}
	b.plane = media.New(media.Config{IVS: b.ivs, FFmpeg: "ffmpeg", Logger: slog.New(slog.DiscardHandler)})
	b.ivs.SetIngestHandler(b.plane)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.rtmp = b.plane.ServeRTMP(ln)
	mux := http.NewServeMux()
	mux.Handle(media.PlaybackPrefix, b.plane.Handler())
	mux.Handle("/", b.ivs.Handler())
	b.http = httptest.NewServer(mux)
	rtc, err := b.plane.WebRTCHandler()
	if err != nil {
		return nil, err
	}
	b.rtc = httptest.NewServer(rtc) // signalling only: TLS costs nothing per media packet
	return b, nil
}

func (b *bench) close() {
	_ = b.rtmp.Close()
	b.plane.Close()
	b.http.Close()
	b.rtc.Close()
	_ = b.ivs.Close()
	_ = os.RemoveAll(b.dir)
}

// channel creates a STANDARD channel (8.5 Mbps input limit: no breach
// event whatever the clip's peaks).
func (b *bench) channel() (playback, key string, err error) {
	b.channels++
	body := fmt.Sprintf(`{"name":"bench%d","type":"STANDARD"}`, b.channels)
	resp, err := http.Post(b.http.URL+"/CreateChannel", "application/json", strings.NewReader(body))
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var out struct {
		Channel   struct{ Arn string }
		StreamKey struct{ Value string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("CreateChannel: %d %v", resp.StatusCode, err)
	}
	id := out.Channel.Arn[strings.LastIndex(out.Channel.Arn, "/")+1:]
	return b.http.URL + media.PlaybackPrefix + id + ".m3u8", out.StreamKey.Value, nil
}

func (b *bench) clip(name string) string { return filepath.Join(b.dir, name) }

// encodeClips makes the broadcasts' media once: 12 s of 720p30 with film
// grain (so that x264 spends the 2.5 Mbps a camera would), 1 s keyframes.
func (b *bench) encodeClips() error {
	src := []string{"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "12",
		"-vf", "noise=alls=12:allf=t,format=yuv420p"}
	x264 := []string{"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-keyint_min", "30",
		"-b:v", "2500k", "-maxrate", "2500k", "-bufsize", "2500k"}
	jobs := [][]string{
		append(append(append([]string{}, src...), x264...), "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-f", "flv", b.clip("clip.flv")),
		// What a browser sends: constrained baseline, no B-frames, Annex B; Opus in Ogg.
		append(append(append([]string{}, src...), x264...), "-profile:v", "baseline", "-bf", "0", "-an", "-bsf:v", "h264_mp4toannexb", "-f", "h264", b.clip("clip.h264")),
		{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "12", "-c:a", "libopus", "-b:a", "64k", "-page_duration", "20000", "-frame_duration", "20", b.clip("clip.ogg")},
	}
	for _, args := range jobs {
		out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ffmpeg: %w: %s", err, out)
		}
	}
	return nil
}

// publishRTMP loops the clip into the ingest in real time, without encoding.
func (b *bench) publishRTMP(ctx context.Context, key string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", b.clip("clip.flv"),
		"-c", "copy", "-f", "flv", "rtmp://"+b.rtmp.Addr().String()+"/app/"+key)
	_ = cmd.Start()
	return cmd
}

// live waits until the playback URL answers (Stream Start).
func live(ctx context.Context, url string) error {
	for ctx.Err() == nil {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s never went live", url)
}

func (b *bench) cpuStep(kind string, warm, measure time.Duration) (map[string]any, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	playback, key, err := b.channel()
	if err != nil {
		return nil, err
	}
	var stop func()
	switch kind {
	case "RTMP":
		cmd := b.publishRTMP(ctx, key)
		stop = func() { cancel(); _ = cmd.Wait() }
	default:
		// The publisher (pion, SRTP) runs in a child process: its CPU is the
		// browser's, not the server's.
		cmd := exec.CommandContext(ctx, os.Args[0], "-publisher-role", "-rtc", b.rtc.URL, "-key", key, "-clips", b.dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		stop = func() { cancel(); _ = cmd.Wait() }
	}
	defer func() { stop(); b.waitOffline(playback) }()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := live(wctx, playback); err != nil {
		return nil, err
	}
	time.Sleep(warm)
	self0, kids0 := selfCPU(), transcoderCPU()
	t0 := time.Now()
	time.Sleep(measure)
	wall := time.Since(t0)
	self1, kids1 := selfCPU(), transcoderCPU()
	return map[string]any{"kind": kind, "planeCPU": round1(100 * (self1 - self0).Seconds() / wall.Seconds()),
		"transcodeCPU": round1(100 * (kids1 - kids0).Seconds() / wall.Seconds()), "load": loadavg()}, nil
}

// waitOffline waits for a broadcast to end (its session closes after the
// encoder leaves) so that steps do not overlap.
func (b *bench) waitOffline(playback string) {
	for i := 0; i < 100; i++ {
		resp, err := http.Get(playback)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type stepResult struct {
	Broadcasts, Viewers int
	PlaneCPU, ViewerCPU float64
	P50, P95, P99       float64
	Parts               int
	Delivered           float64
	Errors              int
	Load                string
	Degraded            bool
}

func (r stepResult) asMap() map[string]any {
	return map[string]any{"broadcasts": r.Broadcasts, "viewers": r.Viewers, "planeCPU": round1(r.PlaneCPU), "viewerCPU": round1(r.ViewerCPU),
		"lagP50": r.P50, "lagP95": r.P95, "lagP99": r.P99, "parts": r.Parts, "delivered": round3(r.Delivered), "errors": r.Errors,
		"load": r.Load, "degraded": r.Degraded}
}

func (b *bench) capacityStep(n, v int, warm, measure time.Duration) (stepResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	var cmds []*exec.Cmd
	var playbacks []string
	defer func() {
		cancel()
		for _, c := range cmds {
			_ = c.Wait()
		}
		for _, p := range playbacks {
			b.waitOffline(p)
		}
	}()
	for i := 0; i < n; i++ {
		playback, key, err := b.channel()
		if err != nil {
			return stepResult{}, err
		}
		playbacks = append(playbacks, playback)
		cmds = append(cmds, b.publishRTMP(ctx, key))
	}
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	for _, p := range playbacks {
		if err := live(wctx, p); err != nil {
			return stepResult{}, err
		}
	}
	res := stepResult{Broadcasts: n, Viewers: v}
	var child *exec.Cmd
	var childOut bytes.Buffer
	if v > 0 {
		child = exec.CommandContext(ctx, os.Args[0], "-viewer-role", "-viewers", strconv.Itoa(v), "-urls", strings.Join(playbacks, ","),
			"-warmup", strconv.Itoa(int(warm.Seconds())), "-seconds", strconv.Itoa(int(measure.Seconds())))
		child.Stdout, child.Stderr = &childOut, os.Stderr
		if err := child.Start(); err != nil {
			return res, err
		}
	}
	time.Sleep(warm)
	self0 := selfCPU()
	t0 := time.Now()
	time.Sleep(measure)
	res.PlaneCPU = 100 * (selfCPU() - self0).Seconds() / time.Since(t0).Seconds()
	res.Load = loadavg()
	if child != nil {
		if err := child.Wait(); err != nil {
			return res, fmt.Errorf("viewers: %w: %s", err, childOut.String())
		}
		var vr viewerReport
		if err := json.Unmarshal(childOut.Bytes(), &vr); err != nil {
			return res, fmt.Errorf("viewers' report: %w: %s", err, childOut.String())
		}
		res.ViewerCPU, res.P50, res.P95, res.P99 = vr.CPU, vr.P50, vr.P95, vr.P99
		res.Parts, res.Delivered, res.Errors = vr.Parts, vr.Delivered, vr.Errors
	}
	return res, nil
}

// ---- WebRTC publisher: what the web broadcast SDK sends (H.264 + Opus over /v1/offer) ----

// runPublisher publishes until it is killed.
func runPublisher(rtcURL, key, dir string) error {
	pc, err := publishWebRTC(context.Background(), rtcURL, key, dir)
	if err != nil {
		return err
	}
	defer pc.Close()
	select {}
}

func publishWebRTC(ctx context.Context, rtcURL, key, dir string) (*webrtc.PeerConnection, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	video, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}, "video", "bench")
	if err != nil {
		return nil, err
	}
	audio, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "bench")
	if err != nil {
		return nil, err
	}
	for _, tr := range []webrtc.TrackLocal{video, audio} {
		if _, err := pc.AddTrack(tr); err != nil {
			return nil, err
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(offer)
	body, _ := json.Marshal(map[string]any{"offer": base64.StdEncoding.EncodeToString(raw), "streamKey": key})
	resp, err := http.Post(rtcURL+"/v1/offer", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct{ Answer, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/v1/offer: %d %s %v", resp.StatusCode, out.Message, err)
	}
	ans, _ := base64.StdEncoding.DecodeString(out.Answer)
	var sd webrtc.SessionDescription
	if err := json.Unmarshal(ans, &sd); err != nil {
		return nil, err
	}
	if err := pc.SetRemoteDescription(sd); err != nil {
		return nil, err
	}
	go loopH264(ctx, filepath.Join(dir, "clip.h264"), video)
	go loopOpus(ctx, filepath.Join(dir, "clip.ogg"), audio)
	return pc, nil
}

// loopH264 sends the Annex B clip at 30 frames a second, over and over.
func loopH264(ctx context.Context, path string, track *webrtc.TrackLocalStaticSample) {
	const frame = time.Second / 30
	tick := time.NewTicker(frame)
	defer tick.Stop()
	for ctx.Err() == nil {
		f, err := os.Open(path)
		if err != nil {
			return
		}
		r, err := h264reader.NewReader(f)
		if err != nil {
			f.Close()
			return
		}
		var au []byte
		for {
			nal, err := r.NextNAL()
			if err != nil {
				break
			}
			au = append(append(au, 0, 0, 0, 1), nal.Data...)
			if nal.UnitType == h264reader.NalUnitTypeCodedSliceIdr || nal.UnitType == h264reader.NalUnitTypeCodedSliceNonIdr {
				select {
				case <-tick.C:
				case <-ctx.Done():
					f.Close()
					return
				}
				if track.WriteSample(pionmedia.Sample{Data: au, Duration: frame}) != nil {
					f.Close()
					return
				}
				au = nil
			}
		}
		f.Close()
	}
}

// loopOpus sends the Ogg Opus clip's 20 ms packets in real time, over and over.
func loopOpus(ctx context.Context, path string, track *webrtc.TrackLocalStaticSample) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		f, err := os.Open(path)
		if err != nil {
			return
		}
		r, _, err := oggreader.NewWith(f)
		if err != nil {
			f.Close()
			return
		}
		for {
			page, _, err := r.ParseNextPage()
			if err != nil {
				break
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
				f.Close()
				return
			}
			if track.WriteSample(pionmedia.Sample{Data: page, Duration: 20 * time.Millisecond}) != nil {
				f.Close()
				return
			}
		}
		f.Close()
	}
}

// ---- the viewers (child process) ----

type viewerReport struct {
	CPU           float64 `json:"cpu"`
	P50, P95, P99 float64
	Parts         int     `json:"parts"`
	Delivered     float64 `json:"delivered"`
	Errors        int     `json:"errors"`
}

type viewerStats struct {
	mu       sync.Mutex
	lags     []float64
	parts    int
	expected float64
	errors   atomic.Int64
}

func runViewers(urls []string, n int, warm, measure time.Duration) error {
	tr := &http.Transport{MaxIdleConnsPerHost: 4 * n, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	st := &viewerStats{}
	start := time.Now().Add(warm)
	end := start.Add(measure)
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		url := urls[i%len(urls)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Viewers join over the first second, as a crowd does.
			time.Sleep(time.Duration(i) * time.Second / time.Duration(max(n, 1)))
			viewer(ctx, client, url, st, start)
		}()
	}
	time.Sleep(time.Until(start))
	cpuStart := selfCPU()
	wg.Wait()
	cpu := 100 * (selfCPU() - cpuStart).Seconds() / measure.Seconds()
	sort.Float64s(st.lags)
	q := func(f float64) float64 {
		if len(st.lags) == 0 {
			return 0
		}
		return math.Round(st.lags[min(len(st.lags)-1, int(f*float64(len(st.lags))))])
	}
	rep := viewerReport{CPU: round1(cpu), P50: q(0.5), P95: q(0.95), P99: q(0.99), Parts: st.parts, Errors: int(st.errors.Load())}
	if st.expected > 0 {
		rep.Delivered = math.Min(1, float64(st.parts)/st.expected)
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// viewer loads the multivariant playlist, then follows every rendition.
func viewer(ctx context.Context, client *http.Client, url string, st *viewerStats, start time.Time) {
	body, err := fetch(ctx, client, url)
	if err != nil {
		st.errors.Add(1)
		return
	}
	base := url[:strings.LastIndex(url, "/")+1]
	var renditions []string
	for _, line := range strings.Split(string(body), "\n") {
		switch {
		case strings.HasPrefix(line, "#EXT-X-MEDIA:") && strings.Contains(line, `URI="`):
			u := line[strings.Index(line, `URI="`)+5:]
			renditions = append(renditions, base+u[:strings.Index(u, `"`)])
		case line != "" && !strings.HasPrefix(line, "#"):
			renditions = append(renditions, base+line)
		}
	}
	var wg sync.WaitGroup
	for _, r := range renditions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			follow(ctx, client, r, st, start)
		}()
	}
	wg.Wait()
}

type part struct {
	msn, idx int
	uri      string
	end      time.Time // on the stream's clock
	dur      float64
}

// follow is hls.js's low-latency loop for one rendition: a blocking reload
// for the part after the last one seen, then every new part, in order.
func follow(ctx context.Context, client *http.Client, url string, st *viewerStats, start time.Time) {
	base := url[:strings.LastIndex(url, "/")+1]
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	lastMSN, lastIdx := -1, -1
	var measuredFrom time.Time
	var received int
	var partTime float64 // seconds of media in the parts received while measuring
	for ctx.Err() == nil {
		u := url
		if lastMSN >= 0 {
			u = fmt.Sprintf("%s%s_HLS_msn=%d&_HLS_part=%d", url, sep, lastMSN, lastIdx+1)
		}
		t0 := time.Now()
		body, err := fetch(ctx, client, u)
		if os.Getenv("MEDIABENCH_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "%s: waited %s\n", u[strings.LastIndex(u, "/")+1:], time.Since(t0).Round(time.Millisecond))
		}
		if err != nil {
			if ctx.Err() == nil {
				st.errors.Add(1)
				time.Sleep(200 * time.Millisecond)
			}
			continue
		}
		parts := parseParts(string(body))
		for _, p := range parts {
			if lastMSN >= 0 && (p.msn < lastMSN || p.msn == lastMSN && p.idx <= lastIdx) {
				continue
			}
			if lastMSN < 0 {
				// Join at the live edge: the newest part only.
				if p != parts[len(parts)-1] {
					continue
				}
			}
			_, err := fetch(ctx, client, base+p.uri)
			now := time.Now()
			lastMSN, lastIdx = p.msn, p.idx
			if err != nil {
				if ctx.Err() == nil {
					st.errors.Add(1)
				}
				continue
			}
			if now.Before(start) {
				continue
			}
			if measuredFrom.IsZero() {
				measuredFrom = now
			}
			received++
			partTime += p.dur
			if os.Getenv("MEDIABENCH_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "%s msn %d part %d: lag %s\n", url[strings.LastIndex(url, "/")+1:], p.msn, p.idx, now.Sub(p.end).Round(time.Millisecond))
			}
			st.mu.Lock()
			st.lags = append(st.lags, float64(now.Sub(p.end).Microseconds())/1000)
			st.parts++
			st.mu.Unlock()
		}
	}
	// Parts the stream produced while this viewer measured: the wall time
	// over the mean part duration (what a viewer that kept up received,
	// the first one included).
	if received > 0 && partTime > 0 {
		elapsed := time.Since(measuredFrom).Seconds()
		st.mu.Lock()
		st.expected += 1 + elapsed/(partTime/float64(received))
		st.mu.Unlock()
	}
}

// parseParts lists a media playlist's parts with their end on the stream's
// clock (EXT-X-PROGRAM-DATE-TIME, then durations).
func parseParts(pl string) []part {
	var out []part
	msn, idx := 0, 0
	var clock time.Time
	var offset float64
	var segDur float64
	sc := bufio.NewScanner(strings.NewReader(pl))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#EXT-X-MEDIA-SEQUENCE:"):
			msn, _ = strconv.Atoi(strings.TrimPrefix(line, "#EXT-X-MEDIA-SEQUENCE:"))
		case strings.HasPrefix(line, "#EXT-X-PROGRAM-DATE-TIME:"):
			if t, err := time.Parse(time.RFC3339Nano, strings.TrimPrefix(line, "#EXT-X-PROGRAM-DATE-TIME:")); err == nil {
				clock, offset = t, 0
			}
		case strings.HasPrefix(line, "#EXTINF:"):
			segDur, _ = strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(line, "#EXTINF:"), ","), 64)
		case strings.HasPrefix(line, "#EXT-X-PART:"):
			attrs := line[len("#EXT-X-PART:"):]
			d, _ := strconv.ParseFloat(attr(attrs, "DURATION"), 64)
			offset += d
			if !clock.IsZero() {
				out = append(out, part{msn: msn, idx: idx, uri: attr(attrs, "URI"), dur: d,
					end: clock.Add(time.Duration(offset * float64(time.Second)))})
			}
			idx++
		case line != "" && !strings.HasPrefix(line, "#"): // a complete segment
			if !clock.IsZero() {
				clock, offset = clock.Add(time.Duration(segDur*float64(time.Second))), 0
			}
			msn, idx = msn+1, 0
		}
	}
	return out
}

func attr(attrs, name string) string {
	for _, kv := range strings.Split(attrs, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k == name {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %d", url, resp.StatusCode)
	}
	return body, err
}

// ---- CPU and load ----

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// transcoderCPU is the CPU time of this process's children that transcode
// Opus to AAC (ffmpeg reading Ogg from its stdin), from /proc.
func transcoderCPU() time.Duration {
	var total time.Duration
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", os.Getpid()))
	for _, t := range tasks {
		data, _ := os.ReadFile(t)
		for _, pid := range strings.Fields(string(data)) {
			cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
			if !bytes.Contains(cmdline, []byte("ogg\x00-i\x00pipe:0")) {
				continue
			}
			stat, _ := os.ReadFile("/proc/" + pid + "/stat")
			s := string(stat)
			f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
			if len(f) > 12 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				stt, _ := strconv.ParseInt(f[12], 10, 64)
				total += time.Duration(ut+stt) * time.Second / 100 // USER_HZ
			}
		}
	}
	return total
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	return strings.Join(f[:3], " ")
}

func numCPU() int { return runtime.NumCPU() }

func round1(x float64) float64 { return math.Round(x*10) / 10 }
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
