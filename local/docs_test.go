package main

import (
	"bytes"
	"net"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelpNamesTheSubcommandsAndDocsEveryFlag: `local -h` names the
// subcommands (found nowhere else from the command line), and docs/local.md's
// Flags table has exactly the flags -h prints.
func TestHelpNamesTheSubcommandsAndDocsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-h"}, &stdout, &stderr))
	help := stderr.String()
	for _, sub := range []string{"local invoke", "local cert", "local new-function"} {
		assert.Contains(t, help, sub)
	}
	var inHelp []string
	for _, m := range regexp.MustCompile(`(?m)^  -([\w-]+)`).FindAllStringSubmatch(help, -1) {
		inHelp = append(inHelp, m[1])
	}
	require.NotEmpty(t, inHelp)

	doc, err := os.ReadFile("../docs/local.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(doc), "\n## Flags\n")
	require.True(t, ok, "docs/local.md has no Flags section")
	section, _, _ = strings.Cut(section, "\n## ")
	var inDoc []string
	for _, m := range regexp.MustCompile("(?m)^\\| `-{1,2}([\\w-]+)").FindAllStringSubmatch(section, -1) {
		inDoc = append(inDoc, m[1])
	}
	sort.Strings(inHelp)
	sort.Strings(inDoc)
	assert.Equal(t, inHelp, inDoc, "docs/local.md's Flags table and `go run ./local -h`")
}

// TestTakenPortSaysHowToMoveTheStack: a port in use (usually another make
// dev) fails with the flags and make variables that move this stack.
func TestTakenPortSaysHowToMoveTheStack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"--web-addr", ln.Addr().String(), "--data-dir", t.TempDir(), "--template", "../template.yaml", "--web-dir", t.TempDir()}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "web listener")
	assert.Contains(t, stderr.String(), "make dev WEB_ADDR= API_ADDR= AWS_ADDR= RTMP_ADDR= RTMPS_ADDR= WEBRTC_ADDR= SFU_ADDR=")
}
