package media

import (
	"crypto/tls"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	ivstypes "github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/devcert"
)

// RTMPS, as the offline stack serves it: the same RTMP server behind TLS
// with the stack's development certificate. ffmpeg publishes over
// rtmps:// verifying the certificate against the local CA (as OBS does
// once `make trust` has run), and the broadcast plays.
func TestRTMPSWithTheDevCertificate(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	cert, err := devcert.Load(t.TempDir(), time.Now())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	rtmps := e.plane.ServeRTMP(tls.NewListener(ln, cert.TLSConfig()))
	t.Cleanup(func() { _ = rtmps.Close() })
	arn, key := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	url := "rtmps://" + rtmps.Addr().String() + "/app/" + key

	run := func(tlsArgs ...string) *exec.Cmd {
		args := append([]string{"-hide_banner", "-loglevel", "error", "-re",
			"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "30",
			"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "15",
			"-an"}, tlsArgs...)
		cmd := exec.Command("ffmpeg", append(args, "-f", "flv", url)...)
		cmd.Stderr = &strings.Builder{}
		require.NoError(t, cmd.Start())
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		return cmd
	}

	// Without the local CA, a verifying client refuses the certificate.
	other, err := devcert.Load(t.TempDir(), time.Now())
	require.NoError(t, err)
	refused := run("-tls_verify", "1", "-ca_file", other.CAPath)
	require.Error(t, waitExit(t, refused, 15*time.Second), "a CA that did not sign the certificate is refused")
	assert.Empty(t, e.events.names(), "no session without a TLS connection")

	cmd := run("-tls_verify", "1", "-ca_file", cert.CAPath)
	waitPlaylist(t, e.playbackURL(arn))
	assert.Equal(t, []string{"Session Created", "Stream Start"}, e.events.names())
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Eventually(t, func() bool { return len(e.events.names()) == 4 }, 10*time.Second, 50*time.Millisecond)
}
