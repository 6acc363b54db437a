package stack_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSoak is the load and soak benchmark (not part of make test): the
// offline stack on loopback holds ONAIR_SOAK_CONNS chat connections (1,000)
// while ONAIR_SOAK_RPS signed-in API requests per second (500) run for
// ONAIR_SOAK (60s), from users who each must get their own channel back.
// It fails on any error, any cross-user answer, or heap growth over 50%
// from the first to the last sample. Run: make soak (docs/performance.md).
func TestSoak(t *testing.T) {
	duration, err := time.ParseDuration(os.Getenv("ONAIR_SOAK"))
	if err != nil {
		t.Skip("set ONAIR_SOAK=60s to run the soak benchmark")
	}
	conns := envInt("ONAIR_SOAK_CONNS", 1000)
	rps := envInt("ONAIR_SOAK_RPS", 500)

	s := boot(t, nil, nil)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(awsConfig(s))}
	const nUsers = 10
	users := make([]*user, nUsers)
	keys := map[string]string{}
	for i := range users {
		users[i] = c.signUp(fmt.Sprintf("soak%02d", i))
		status, _ := c.api("POST", "/channel/resources/create", users[i].access, map[string]string{"email": users[i].email})
		require.Equal(t, http.StatusCreated, status)
		_, me := c.api("GET", "/channel", users[i].access, nil)
		keys[users[i].name] = me["streamKeyValue"].(string)
	}

	// Chat: conns connections spread over the users' rooms.
	start := time.Now()
	var open []*websocket.Conn
	for i := 0; i < conns; i++ {
		viewer, owner := users[i%nUsers], users[(i/nUsers)%nUsers]
		status, tok := chatToken(t, c, owner.name, viewer.access)
		require.Equal(t, http.StatusOK, status)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ws, _, err := websocket.Dial(ctx, s.Config()["chatUrl"].(string), &websocket.DialOptions{Subprotocols: []string{tok}})
		cancel()
		require.NoError(t, err, "connection %d", i)
		open = append(open, ws)
	}
	t.Cleanup(func() {
		for _, ws := range open {
			_ = ws.CloseNow()
		}
	})
	t.Logf("%d chat connections open in %s", len(open), time.Since(start).Round(time.Millisecond))
	var chatFrames atomic.Int64
	for _, ws := range open {
		go func() {
			for {
				if _, _, err := ws.Read(context.Background()); err != nil {
					return
				}
				chatFrames.Add(1)
			}
		}()
	}

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var (
		sent, failed, crossed atomic.Int64
		latMu                 sync.Mutex
		lat                   []time.Duration
		samples               []uint64
		firstErr              atomic.Value
	)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	// Every 10 ms, the requests due by now (a finer ticker drops ticks, and
	// a late tick catches up rather than lowering the rate).
	began := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	sample := time.NewTicker(duration / 6)
	defer sample.Stop()
	samples = append(samples, heap())
	// Keep-alive connections, as browsers keep them: the default client's
	// two idle connections per host made most requests dial anew (a third
	// of the generator's CPU in the first profile).
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}}
	defer hc.CloseIdleConnections()
	sender := users[0]
	senderTok := ""
	if st, tok := chatToken(t, c, users[0].name, sender.access); st == http.StatusOK {
		senderTok = tok
	}
	senderWS := dialChat(t, s, senderTok)
loop:
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			break loop
		case <-sample.C:
			samples = append(samples, heap())
		case <-tick.C:
			due := int64(time.Since(began).Seconds()*float64(rps)) - sent.Load()
			for range due {
				u := users[rand.IntN(nUsers)]
				wg.Add(1)
				sent.Add(1)
				go func() {
					defer wg.Done()
					t0 := time.Now()
					err := getOwnChannel(hc, s.APIURL, u, keys[u.name])
					d := time.Since(t0)
					latMu.Lock()
					lat = append(lat, d)
					latMu.Unlock()
					if err != nil {
						failed.Add(1)
						if strings.Contains(err.Error(), "'s channel") {
							crossed.Add(1)
						}
						firstErr.CompareAndSwap(nil, err.Error())
					}
				}()
			}
			if n%10 == 0 { // a chat message every 100 ms into the first room
				send(t, senderWS, map[string]any{"Action": "SEND_MESSAGE", "Content": "soak", "RequestId": fmt.Sprint(n)})
			}
		}
	}
	wg.Wait()
	samples = append(samples, heap())
	latMu.Lock()
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	latMu.Unlock()
	t.Logf("soak %s: %d API requests (%.0f/s), %d failed, %d cross-user; p50 %s p99 %s; %d chat frames delivered to %d connections",
		duration, sent.Load(), float64(sent.Load())/duration.Seconds(), failed.Load(), crossed.Load(), p50, p99, chatFrames.Load(), len(open))
	var mb []string
	for _, h := range samples {
		mb = append(mb, fmt.Sprintf("%.1f", float64(h)/(1<<20)))
	}
	t.Logf("heap after GC (MiB), start to end: %v", mb)
	assert.Zero(t, failed.Load(), "first error: %v", firstErr.Load())
	assert.Zero(t, crossed.Load())
	assert.LessOrEqual(t, float64(samples[len(samples)-1]), 1.5*float64(samples[1]), "memory stays flat")
}

func envInt(k string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(k), &n); err != nil || n <= 0 {
		return def
	}
	return n
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	return s[len(s)*p/100].Round(100 * time.Microsecond)
}
