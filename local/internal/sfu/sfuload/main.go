// Command sfuload measures the offline SFU under load (docs/performance.md):
// against a running offline stack it creates a stage, mints participant
// tokens on the IVS Real-Time endpoint, and runs P publishers of synthetic
// RTP (video at the given bitrate and frame rate, 50 audio packets a second)
// and S subscribers that each receive every publisher. Every payload starts
// with its send time, so subscribers measure publish-to-receive latency on
// the machine's one clock; with -pid it also reports the CPU the SFU's
// process used (from /proc) while media flowed.
//
//	go run ./local/internal/sfu/sfuload -aws http://127.0.0.1:44566 -sfu https://127.0.0.1:44444 \
//	    -ca .local-data/certs/ca.pem -publishers 12 -subscribers 10 -kbps 600 -pid $(pgrep -f 'local --sfu-addr')
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	rt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	rttypes "github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"
	"github.com/pion/rtp"

	"github.com/onair/onair/local/internal/sfu/whipclient"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sfuload:", err)
		os.Exit(1)
	}
}

// samples keeps latency samples (every 4th packet, to bound memory).
type samples struct {
	mu   sync.Mutex
	n    atomic.Int64
	vals []float64
}

func (s *samples) add(d time.Duration) {
	if s.n.Add(1)%4 != 0 {
		return
	}
	s.mu.Lock()
	s.vals = append(s.vals, float64(d.Microseconds())/1000)
	s.mu.Unlock()
}

func (s *samples) report() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.vals) == 0 {
		return "no samples"
	}
	sort.Float64s(s.vals)
	q := func(p float64) float64 { return s.vals[int(p*float64(len(s.vals)-1))] }
	return fmt.Sprintf("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)", q(.5), q(.95), q(.99), s.vals[len(s.vals)-1], len(s.vals))
}

// cpuTicks reads utime+stime of a process (clock ticks, 100 per second).
func cpuTicks(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may contain spaces) in parentheses.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st, nil
}

func run() error {
	awsURL := flag.String("aws", "http://127.0.0.1:4566", "the offline stack's AWS endpoint")
	sfuURL := flag.String("sfu", "https://127.0.0.1:4444", "the SFU's base URL")
	caPath := flag.String("ca", ".local-data/certs/ca.pem", "the local CA (for an https SFU)")
	pubs := flag.Int("publishers", 12, "publishers")
	subs := flag.Int("subscribers", 10, "subscribers (each receives every publisher)")
	kbps := flag.Int("kbps", 600, "video bitrate per publisher (360p: ~600)")
	fps := flag.Int("fps", 30, "video frame rate")
	warmup := flag.Duration("warmup", 5*time.Second, "time before measuring")
	dur := flag.Duration("duration", 30*time.Second, "measurement window")
	pid := flag.Int("pid", 0, "the SFU's process id, to report its CPU")
	flag.Parse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var tlsConf *tls.Config
	if strings.HasPrefix(*sfuURL, "https") {
		pem, err := os.ReadFile(*caPath)
		if err != nil {
			return fmt.Errorf("CA: %w", err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tlsConf = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	client, err := whipclient.New(*sfuURL, tlsConf)
	if err != nil {
		return err
	}
	ivs := rt.New(rt.Options{BaseEndpoint: aws.String(*awsURL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	st, err := ivs.CreateStage(ctx, &rt.CreateStageInput{Name: aws.String("sfuload")})
	if err != nil {
		return fmt.Errorf("create stage: %w", err)
	}
	arn := aws.ToString(st.Stage.Arn)
	defer func() { _, _ = ivs.DeleteStage(context.Background(), &rt.DeleteStageInput{Arn: aws.String(arn)}) }()
	stageID := arn[strings.LastIndex(arn, "/")+1:]
	token := func(user string, caps ...rttypes.ParticipantTokenCapability) (string, string, error) {
		out, err := ivs.CreateParticipantToken(ctx, &rt.CreateParticipantTokenInput{StageArn: aws.String(arn), UserId: aws.String(user), Capabilities: caps})
		if err != nil {
			return "", "", err
		}
		return aws.ToString(out.ParticipantToken.Token), aws.ToString(out.ParticipantToken.ParticipantId), nil
	}

	var pids []string
	var publishers []*whipclient.Publisher
	for i := range *pubs {
		tok, pid, err := token(fmt.Sprintf("pub%d", i), rttypes.ParticipantTokenCapabilityPublish)
		if err != nil {
			return err
		}
		p, err := client.Publish(ctx, stageID, tok)
		if err != nil {
			return fmt.Errorf("publisher %d: %w", i+1, err)
		}
		go p.Pump(ctx, *fps, *kbps)
		publishers = append(publishers, p)
		pids = append(pids, pid)
	}
	time.Sleep(2 * time.Second) // publishers' media flowing: PUBLISHED

	var measuring atomic.Bool
	lat := &samples{}
	var received atomic.Int64
	onRTP := func(_ string, pkt *rtp.Packet) {
		if !measuring.Load() {
			return
		}
		received.Add(1)
		if at, ok := whipclient.StampOf(pkt.Payload); ok {
			lat.add(time.Since(at))
		}
	}
	sessions := 0
	for i := range *subs {
		tok, _, err := token(fmt.Sprintf("sub%d", i), rttypes.ParticipantTokenCapabilitySubscribe)
		if err != nil {
			return err
		}
		for _, pid := range pids {
			if _, err := client.Subscribe(ctx, stageID, pid, tok, onRTP); err != nil {
				return fmt.Errorf("subscriber %d → %s: %w", i+1, pid, err)
			}
			sessions++
		}
	}
	fmt.Printf("stage %s: %d publishers × %d subscribers = %d WHEP sessions; video %d kbps @ %d fps + audio 50 pkt/s\n",
		stageID, *pubs, *subs, sessions, *kbps, *fps)
	time.Sleep(*warmup)

	var t0 int64
	if *pid != 0 {
		if t0, err = cpuTicks(*pid); err != nil {
			return err
		}
	}
	sent := func() (n int64) {
		for _, p := range publishers {
			n += p.Sent.Load()
		}
		return n
	}
	start, sent0 := time.Now(), sent()
	measuring.Store(true)
	time.Sleep(*dur)
	measuring.Store(false)
	elapsed, sentN := time.Since(start), sent()-sent0
	expected := float64(sentN) * float64(*subs)
	fmt.Printf("sent %.0f packets/s (publishers), received %.0f packets/s (subscribers): %.2f%% of expected\n",
		float64(sentN)/elapsed.Seconds(), float64(received.Load())/elapsed.Seconds(), 100*float64(received.Load())/expected)
	fmt.Printf("publish-to-receive latency: %s\n", lat.report())
	if *pid != 0 {
		t1, err := cpuTicks(*pid)
		if err != nil {
			return err
		}
		fmt.Printf("SFU process CPU: %.0f%% of one core (%.1f s CPU in %.1f s)\n",
			float64(t1-t0)/100/elapsed.Seconds()*100, float64(t1-t0)/100, elapsed.Seconds())
	}
	return nil
}
