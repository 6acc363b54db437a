//go:build perf

package invoke

// Cold starts for docs/performance.md (.ci/measure.sh runs this):
//
//	go test -tags perf -run TestColdStart -count=1 -timeout 60m ./local/internal/invoke
//
// Every function of template.yaml, and the hello-world baselines of
// testdata/, is built for this machine and started ONAIR_PERF_RUNS times
// (default 5, interleaved rounds) under the Runtime, each time a new process
// with its sample event; ONAIR_PERF_TAGS=xraysdk measures the X-Ray SDK
// build. Init is process start → first request for an event (Lambda's Init
// Duration); first response is process start → response. Nothing can reach
// AWS (the endpoint is a closed port, one attempt), so functions whose event
// needs AWS answer with an error, quickly; the table says which. The
// markdown table goes to ONAIR_PERF_OUT (default stdout).

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type perfRow struct {
	name        string
	init, first []time.Duration
	outcome     string
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func TestColdStart(t *testing.T) {
	runs := 5
	if n, err := strconv.Atoi(os.Getenv("ONAIR_PERF_RUNS")); err == nil && n > 0 {
		runs = n
	}
	// ONAIR_PERF_TAGS=xraysdk measures the X-Ray SDK build of the functions.
	tags := "lambda.norpc"
	if extra := os.Getenv("ONAIR_PERF_TAGS"); extra != "" {
		tags += "," + extra
	}
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	binDir := t.TempDir()
	hostEnv := []string{"PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_MAX_ATTEMPTS=1"}

	// The baselines run under a one-function template.
	baseTpl := filepath.Join(binDir, "template.yaml")
	require.NoError(t, os.WriteFile(baseTpl, []byte("Resources:\n  Hello:\n    Type: AWS::Serverless::Function\n    Properties: {Timeout: 10}\n"), 0o600))

	// One go build for the baselines, one for every function, as make build
	// does (the host's GOOS/GOARCH, no -ldflags).
	goBuild := func(dir, tags string, pkgs ...string) {
		cmd := exec.Command("go", append([]string{"build", "-tags", tags, "-trimpath", "-o", dir + "/"}, pkgs...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	baselines := []string{"hello", "hellocfg", "helloxray"}
	goBuild(filepath.Join(binDir, "baselines"), "lambda.norpc", "./local/internal/invoke/testdata/hello", "./local/internal/invoke/testdata/hellocfg", "./local/internal/invoke/testdata/helloxray")
	goBuild(filepath.Join(binDir, "functions"), tags, "./functions/...")

	type program struct {
		name, template, function, bin string
		event                         []byte
	}
	var programs []program
	for _, h := range baselines {
		programs = append(programs, program{name: "(baseline) " + h, template: baseTpl, function: "Hello", bin: filepath.Join(binDir, "baselines", h), event: []byte(`{}`)})
	}
	tpl, err := loadTemplate(filepath.Join(root, "template.yaml"))
	require.NoError(t, err)
	for _, name := range tpl.FunctionNames() {
		ev, err := os.ReadFile(filepath.Join(root, "events", name+".json"))
		if err != nil {
			ev = []byte(`{}`)
		}
		programs = append(programs, program{name: name, template: filepath.Join(root, "template.yaml"), function: name, bin: filepath.Join(binDir, "functions", name), event: ev})
	}

	// Rounds are interleaved (every program once per round), so that the
	// machine's load at any moment weighs on baselines and functions alike.
	rows := make([]perfRow, len(programs))
	for i, p := range programs {
		rows[i].name = p.name
	}
	for range runs {
		for i, p := range programs {
			row := &rows[i]
			if strings.HasPrefix(row.outcome, "harness error") {
				continue
			}
			res, err := Run(context.Background(), Options{Root: root, Template: p.template, Function: p.function, Binary: p.bin,
				Event: p.event, Logs: io.Discard, HostEnv: hostEnv, Timeout: 10 * time.Second})
			if err != nil {
				row.outcome = "harness error: " + err.Error()
				continue
			}
			row.init = append(row.init, res.Init)
			row.first = append(row.first, res.ColdStart)
			switch {
			case res.Err != nil:
				row.outcome = "error: " + res.Err.Type
			case statusCode.Match(res.Payload):
				row.outcome = "HTTP " + string(statusCode.FindSubmatch(res.Payload)[1])
			default:
				row.outcome = "ok"
			}
		}
	}

	require.NotEmpty(t, rows[0].init, "hello did not run: %s", rows[0].outcome)
	hello := median(rows[0].init)
	ratio := func(d time.Duration) string { return fmt.Sprintf("%.1f×", float64(d)/float64(hello)) }
	var b strings.Builder
	fmt.Fprintf(&b, "Functions built with -tags %s.\n\n", tags)
	fmt.Fprintf(&b, "| function | init ms (median, min–max) | init ÷ hello | first response ms (median, min–max) | sample event's outcome offline |\n|---|---|---|---|---|\n")
	var fnMedians, fnMins []time.Duration
	for i, r := range rows {
		if len(r.init) == 0 {
			fmt.Fprintf(&b, "| %s | – | – | – | %s |\n", r.name, r.outcome)
			continue
		}
		lo, hi := minmax(r.init)
		flo, fhi := minmax(r.first)
		m := median(r.init)
		if i >= len(baselines) {
			fnMedians, fnMins = append(fnMedians, m), append(fnMins, lo)
		}
		fmt.Fprintf(&b, "| %s | %s (%s–%s) | %s | %s (%s–%s) | %s |\n", r.name, msf(m), msf(lo), msf(hi), ratio(m), msf(median(r.first)), msf(flo), msf(fhi), r.outcome)
	}
	fmt.Fprintf(&b, "\n%d cold starts each, interleaved. ", runs)
	if len(fnMedians) > 0 {
		lo, hi := minmax(fnMedians)
		fmt.Fprintf(&b, "Functions' median init: %s ms (%s–%s), %s hello's %s ms. ", msf(median(fnMedians)), msf(lo), msf(hi), ratio(median(fnMedians)), msf(hello))
		// The fastest run of each program is the least disturbed by other
		// load on the machine.
		helloMin, _ := minmax(rows[0].init)
		fmt.Fprintf(&b, "Fastest runs: functions' median %s ms, %.1f× hello's %s ms.\n", msf(median(fnMins)), float64(median(fnMins))/float64(helloMin), msf(helloMin))
	}
	if path := os.Getenv("ONAIR_PERF_OUT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	} else {
		fmt.Print(b.String())
	}
}

var statusCode = regexp.MustCompile(`"statusCode":\s*(\d+)`)

func minmax(ds []time.Duration) (time.Duration, time.Duration) {
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}
