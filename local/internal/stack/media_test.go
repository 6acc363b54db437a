package stack_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real RTMP broadcast through the whole stack: the events reach the events
// function in order, the channel page knows the video size while live, the
// health routes show the measured stream, and a stream-key reset (the
// backend's StopStream) disconnects the encoder.
func TestRealBroadcastThroughTheStack(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack and ffmpeg")
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("SKIPPED: ffmpeg is not installed (CI installs it: apt-get install ffmpeg)")
	}
	s := boot(t, map[string]string{"EnableUserAutoVerify": "false"}, time.Now)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(awsConfig(s))}
	alice := c.signUp("carol")
	status, _ := c.api("POST", "/channel/resources/create", "Bearer "+alice.access, map[string]string{"email": alice.email})
	require.Equal(t, http.StatusCreated, status)
	_, me := c.api("GET", "/channel", alice.access, nil)
	key, _ := me["streamKeyValue"].(string)
	require.NotEmpty(t, key)
	channelID := me["channelResourceId"].(string)

	ingest, _ := s.Config()["rtmpIngest"].(string)
	require.True(t, strings.HasPrefix(ingest, "rtmp://127.0.0.1:"))
	// RTMPS: TLS with the stack's certificate, trusted through its local CA
	// (the media package's test publishes over it with ffmpeg).
	rtmps, _ := s.Config()["rtmpsIngest"].(string)
	require.True(t, strings.HasPrefix(rtmps, "rtmps://127.0.0.1:"), rtmps)
	conn, err := tls.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(rtmps, "rtmps://"), "/app/"), s.Cert.ClientTLSConfig())
	require.NoError(t, err, "the RTMPS listener presents the stack's certificate")
	_ = conn.Close()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=426x240:rate=15", "-f", "lavfi", "-i", "sine=sample_rate=44100",
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "15",
		"-b:v", "300k", "-c:a", "aac", "-b:a", "64k", "-t", "120", "-f", "flv", ingest+key)
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// Live: the channel page has the video size from the start.
	var page map[string]any
	eventually(t, 30*time.Second, func() bool {
		_, page = c.api("GET", "/channels/carol", "", nil)
		return page["isLive"] == true && page["ingestConfiguration"] != nil
	})
	video := page["ingestConfiguration"].(map[string]any)["video"].(map[string]any)
	assert.EqualValues(t, 426, video["videoWidth"])
	assert.EqualValues(t, 240, video["videoHeight"])
	resp, err := http.Get(page["playbackUrl"].(string))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the playbackUrl plays")

	// A stream-key reset disconnects the encoder and ends the session.
	status, _ = c.api("POST", "/channel/streamKey/reset", alice.access, nil)
	require.Equal(t, http.StatusOK, status)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatal("ffmpeg is still connected after the stream key reset")
	}
	eventually(t, 15*time.Second, func() bool {
		_, page = c.api("GET", "/channels/carol", "", nil)
		return page["isLive"] == false
	})

	_, sessions := c.api("GET", "/metrics/"+channelID+"/streamSessions", alice.access, nil)
	list, _ := sessions["streamSessions"].([]any)
	require.Len(t, list, 1)
	streamID := list[0].(map[string]any)["streamId"].(string)
	_, detail := c.api("GET", "/metrics/"+channelID+"/streamSessions/"+streamID, alice.access, nil)
	var names []string
	events, _ := detail["truncatedEvents"].([]any)
	for _, ev := range events { // in time order
		names = append(names, fmt.Sprint(ev.(map[string]any)["name"]))
	}
	assert.Equal(t, []string{"Session Created", "Stream Start", "Stream End", "Session Ended"}, names,
		"the events function received the lifecycle in order")
	cfg, _ := detail["ingestConfiguration"].(map[string]any)
	require.NotNil(t, cfg)
	assert.EqualValues(t, 426, cfg["video"].(map[string]any)["videoWidth"])
}
