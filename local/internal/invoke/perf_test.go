//go:build perf

package invoke

// Cold starts for docs/performance.md (.ci/measure.sh runs this):
//
//	go test -tags perf -run TestColdStart -count=1 -timeout 60m ./local/internal/invoke
//
// Every function of template.yaml, and the hello-world baselines of
// testdata/, is built for this machine and started ONAIR_PERF_RUNS times
// (default 5) under the Runtime, each time a new process with its sample
// event. Init is process start → first request for an event (Lambda's Init
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
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	binDir := t.TempDir()
	hostEnv := []string{"PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_MAX_ATTEMPTS=1"}

	// The baselines run under a one-function template.
	baseTpl := filepath.Join(binDir, "template.yaml")
	require.NoError(t, os.WriteFile(baseTpl, []byte("Resources:\n  Hello:\n    Type: AWS::Serverless::Function\n    Properties: {Timeout: 10}\n"), 0o600))

	type program struct {
		name, template, function, bin string
		event                         []byte
	}
	var programs []program
	for _, h := range []string{"hello", "hellocfg", "helloxray"} {
		bin := filepath.Join(binDir, h, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "./testdata/"+h)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		programs = append(programs, program{name: "(baseline) " + h, template: baseTpl, function: "Hello", bin: bin, event: []byte(`{}`)})
	}
	tpl, err := loadTemplate(filepath.Join(root, "template.yaml"))
	require.NoError(t, err)
	for _, name := range tpl.FunctionNames() {
		bin, err := Build(context.Background(), root, name, filepath.Join(binDir, name, "bootstrap"))
		if err != nil {
			t.Logf("%s: %v", name, err)
			programs = append(programs, program{name: name})
			continue
		}
		ev, err := os.ReadFile(filepath.Join(root, "events", name+".json"))
		if err != nil {
			ev = []byte(`{}`)
		}
		programs = append(programs, program{name: name, template: filepath.Join(root, "template.yaml"), function: name, bin: bin, event: ev})
	}

	var rows []perfRow
	for _, p := range programs {
		row := perfRow{name: p.name}
		if p.bin == "" {
			row.outcome = "does not build"
			rows = append(rows, row)
			continue
		}
		for range runs {
			res, err := Run(context.Background(), Options{Root: root, Template: p.template, Function: p.function, Binary: p.bin,
				Event: p.event, Logs: io.Discard, HostEnv: hostEnv, Timeout: 10 * time.Second})
			if err != nil {
				row.outcome = "harness error: " + err.Error()
				break
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
		rows = append(rows, row)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "| function | init ms (median, min–max) | first response ms (median, min–max) | sample event's outcome offline |\n|---|---|---|---|\n")
	for _, r := range rows {
		if len(r.init) == 0 {
			fmt.Fprintf(&b, "| %s | – | – | %s |\n", r.name, r.outcome)
			continue
		}
		lo, hi := minmax(r.init)
		flo, fhi := minmax(r.first)
		fmt.Fprintf(&b, "| %s | %s (%s–%s) | %s (%s–%s) | %s |\n", r.name, msf(median(r.init)), msf(lo), msf(hi), msf(median(r.first)), msf(flo), msf(fhi), r.outcome)
	}
	fmt.Fprintf(&b, "\n%d cold starts each.\n", runs)
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
