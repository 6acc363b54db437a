package main

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeStreamTargetsUseTheEndpointAndFail: simulate-stream and
// stop-stream call the stack at AWS_ENDPOINT and exit non-zero when the
// call fails (a 404 once printed and exited 0).
func TestMakeStreamTargetsUseTheEndpointAndFail(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		if strings.Contains(r.URL.Path, "/nobody/") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"no channel nobody"}`)
			return
		}
		_, _ = io.WriteString(w, `{"live":true}`)
	}))
	defer srv.Close()

	run := func(target, channel string) (string, error) {
		cmd := exec.Command("make", "--no-print-directory", "-C", "..", target, "CHANNEL="+channel, "AWS_ENDPOINT="+srv.URL)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("simulate-stream", "alice")
	require.NoError(t, err, out)
	assert.Contains(t, out, `{"live":true}`)
	out, err = run("stop-stream", "alice")
	require.NoError(t, err, out)

	out, err = run("simulate-stream", "nobody")
	require.Error(t, err, "a 404 fails the target")
	assert.Contains(t, out, "no channel nobody", "the stack's answer is shown")
	assert.Contains(t, out, "simulate-stream: failed")
	_, err = run("stop-stream", "nobody")
	require.Error(t, err)

	assert.Equal(t, []string{"POST /_local/streams/alice/start", "POST /_local/streams/alice/stop",
		"POST /_local/streams/nobody/start", "POST /_local/streams/nobody/stop"}, paths)
}

// TestMakeDevShowsProgressAndTakesAddresses runs `make dev` with a stand-in
// go command: the build's packages are counted as they compile, compile
// errors pass through, and the stack gets the addresses and data dir given
// to make.
func TestMakeDevShowsProgressAndTakesAddresses(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dir := t.TempDir()
	fakeGo := dir + "/go"
	// "go build -v -o <out> ./local": list three packages on stderr, then
	// write a stack binary that prints its arguments.
	script := `#!/bin/sh
out=""; while [ $# -gt 0 ]; do [ "$1" = "-o" ] && out="$2"; shift; done
printf 'github.com/a/one\ngithub.com/a/two\ngithub.com/a/three\n' >&2
[ -n "$FAKE_GO_FAIL" ] && { printf '# github.com/a/three\nthree.go:1: syntax error\n' >&2; exit 1; }
mkdir -p "$(dirname "$out")"; printf '#!/bin/sh\necho stack "$@"\n' > "$out"; chmod +x "$out"
`
	require.NoError(t, writeExecutable(fakeGo, script))
	run := func(env ...string) (string, error) {
		cmd := exec.Command("make", "--no-print-directory", "-C", "..", "dev", "GO="+fakeGo, "BUILD_DIR="+dir+"/build",
			"AWS_ADDR=127.0.0.1:45123", "API_ADDR=127.0.0.1:45124", "DATA_DIR=/tmp/x",
			"RTMP_ADDR=127.0.0.1:45125", "RTMPS_ADDR=127.0.0.1:45126", "WEBRTC_ADDR=127.0.0.1:45127", "SFU_ADDR=127.0.0.1:45128",
			"WEB="+dir+"/no-web-ui") // no web app to build here
		cmd.Env = append(cmd.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run()
	require.NoError(t, err, out)
	assert.Contains(t, out, "dev: building the offline stack")
	assert.Contains(t, out, "3 packages compiled")
	assert.Contains(t, out, "stack --web-addr 127.0.0.1:3000 --api-addr 127.0.0.1:45124 --aws-addr 127.0.0.1:45123 "+
		"--rtmp-addr 127.0.0.1:45125 --rtmps-addr 127.0.0.1:45126 --webrtc-addr 127.0.0.1:45127 --sfu-addr 127.0.0.1:45128 --data-dir /tmp/x")

	out, err = run("FAKE_GO_FAIL=1")
	require.Error(t, err, "a failed build fails make dev")
	assert.Contains(t, out, "three.go:1: syntax error")
	assert.NotContains(t, out, "stack --web-addr")
}

func writeExecutable(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o755)
}

// TestFuzzTargetsListsEveryFuzzFunction: make fuzz (run by make test) runs
// every fuzz target of the tree, so a new one cannot be left out.
func TestFuzzTargetsListsEveryFuzzFunction(t *testing.T) {
	mk, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	listed := regexp.MustCompile(`([\w/]+):(Fuzz\w+)`).FindAllStringSubmatch(string(mk), -1)
	var inMake []string
	for _, m := range listed {
		inMake = append(inMake, m[1]+":"+m[2])
	}
	var inTree []string
	decl := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	require.NoError(t, filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "web-ui") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			rel, _ := filepath.Rel("..", filepath.Dir(path))
			inTree = append(inTree, filepath.ToSlash(rel)+":"+m[1])
		}
		return nil
	}))
	require.NotEmpty(t, inTree)
	assert.ElementsMatch(t, inTree, inMake, "FUZZ_TARGETS in the Makefile")
}

// TestMakeStreamNamesItsStackAndShowsRefusals: make stream against a stack
// on other addresses tells how to stop it on those addresses (a bare
// make stop-stream looks in the default data dir and fails), and a refused
// ingest lookup shows the stack's answer.
func TestMakeStreamNamesItsStackAndShowsRefusals(t *testing.T) {
	for _, tool := range []string{"make", "ffmpeg", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed")
		}
	}
	dir := t.TempDir()
	// ffmpeg "pushes" into a file: the test needs no RTMP server.
	sink := filepath.Join(dir, "out.flv")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/_local/ingest/nobody":
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `no user "nobody"`)
		case r.URL.Path == "/_local/ingest/alice" && r.URL.Query().Get("field") == "rtmpUrl":
			_, _ = io.WriteString(w, sink)
		case r.URL.Path == "/_local/ingest/alice" && r.URL.Query().Get("field") == "playbackUrl":
			_, _ = io.WriteString(w, "http://"+r.Host+"/hls/alice.m3u8")
		case r.URL.Path == "/hls/alice.m3u8":
			_, _ = io.WriteString(w, "#EXTM3U\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	run := func(target, channel string) (string, error) {
		cmd := exec.Command("make", "--no-print-directory", "-C", "..", target, "CHANNEL="+channel,
			"AWS_ENDPOINT="+srv.URL, "DATA_DIR="+dir, "STREAM_SIZE=160x90", "STREAM_FPS=5")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("stream", "nobody")
	require.Error(t, err, out)
	assert.Contains(t, out, `no user "nobody"`, "the stack's answer is shown")

	out, err = run("stream", "alice")
	require.NoError(t, err, out)
	stop := "make stop-stream CHANNEL=alice AWS_ENDPOINT=" + srv.URL + " DATA_DIR=" + dir
	assert.Contains(t, out, stop+" stops it")
	out, err = run("stop-stream", "alice")
	require.NoError(t, err, out)
	assert.Contains(t, out, "stopped the test stream of alice")
}

// TestReadmeNamesEveryMakeTarget: each target `make help` lists is in the
// README (make stream and make trust once were not).
func TestReadmeNamesEveryMakeTarget(t *testing.T) {
	mk, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	targets := regexp.MustCompile(`(?m)^([a-z][a-z-]*):[^=\n]*##`).FindAllStringSubmatch(string(mk), -1)
	require.NotEmpty(t, targets)
	for _, m := range targets {
		named := regexp.MustCompile(`make ` + regexp.QuoteMeta(m[1]) + `([^a-z-]|$)`)
		assert.Regexp(t, named, string(readme), "README.md does not mention make %s", m[1])
	}
}
