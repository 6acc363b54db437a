package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ivs"
	ivstypes "github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/devcert"
)

// encodeTestMedia makes an Annex-B H.264 file (constrained baseline, as
// browsers send) and an Ogg Opus file with ffmpeg.
func encodeTestMedia(t *testing.T, seconds int) (h264File, oggFile string) {
	t.Helper()
	dir := t.TempDir()
	h264File, oggFile = filepath.Join(dir, "v.h264"), filepath.Join(dir, "a.ogg")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
		"-i", "testsrc2=size=320x240:rate=25", "-t", strconv.Itoa(seconds), "-c:v", "libx264", "-profile:v", "baseline",
		"-pix_fmt", "yuv420p", "-g", "25", "-bf", "0", "-bsf:v", "h264_mp4toannexb", "-f", "h264", h264File).CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
		"-i", "sine=frequency=440:sample_rate=48000", "-t", strconv.Itoa(seconds), "-c:a", "libopus", "-page_duration", "20000",
		"-frame_duration", "20", oggFile).CombinedOutput()
	require.NoError(t, err, string(out))
	return h264File, oggFile
}

// publishWebRTC plays the files into a peer connection negotiated the way
// the web broadcast SDK does (POST /v1/offer, candidates-less offer).
func publishWebRTC(t *testing.T, client *http.Client, base, key, h264File, oggFile string) (*webrtc.PeerConnection, int) {
	t.Helper()
	m := &webrtc.MediaEngine{}
	require.NoError(t, m.RegisterDefaultCodecs())
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m)).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	video, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}, "video", "sdk")
	require.NoError(t, err)
	audio, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "sdk")
	require.NoError(t, err)
	_, err = pc.AddTrack(video)
	require.NoError(t, err)
	_, err = pc.AddTrack(audio)
	require.NoError(t, err)
	_, err = pc.CreateDataChannel("stopStream", nil)
	require.NoError(t, err)
	offer, err := pc.CreateOffer(nil)
	require.NoError(t, err)
	require.NoError(t, pc.SetLocalDescription(offer))
	raw, _ := json.Marshal(offer)
	body, _ := json.Marshal(map[string]any{"offer": base64.StdEncoding.EncodeToString(raw), "streamKey": key,
		"maxResolution": map[string]int{"width": 852, "height": 480}, "maxFramerate": 30, "maxBitrate": 1500})
	resp, err := client.Post(base+"/v1/offer", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Answer          string `json:"answer"`
		IngestSessionID string `json:"ingestSessionId"`
		Code            int    `json:"code"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	if resp.StatusCode != http.StatusOK {
		return nil, out.Code
	}
	require.NotEmpty(t, out.IngestSessionID)
	ans, err := base64.StdEncoding.DecodeString(out.Answer)
	require.NoError(t, err)
	var sd webrtc.SessionDescription
	require.NoError(t, json.Unmarshal(ans, &sd))
	assert.Contains(t, sd.SDP, "a=candidate", "the answer carries the server's candidates")
	assert.Contains(t, sd.SDP, "H264")
	require.NoError(t, pc.SetRemoteDescription(sd))

	// The senders stop when the test ends or the connection closes.
	done := make(chan struct{})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateClosed || s == webrtc.PeerConnectionStateFailed {
			select {
			case <-done:
			default:
				close(done)
			}
		}
	})
	var senders sync.WaitGroup
	t.Cleanup(senders.Wait)
	senders.Add(2)
	go func() {
		defer senders.Done()
		f, err := os.Open(h264File)
		if err != nil {
			return
		}
		defer f.Close()
		r, err := h264reader.NewReader(f)
		if err != nil {
			return
		}
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		var frame []byte
		for {
			nal, err := r.NextNAL()
			if err != nil {
				return
			}
			frame = append(frame, 0, 0, 0, 1)
			frame = append(frame, nal.Data...)
			if nal.UnitType == h264reader.NalUnitTypeCodedSliceIdr || nal.UnitType == h264reader.NalUnitTypeCodedSliceNonIdr {
				select {
				case <-tick.C:
				case <-done:
					return
				}
				if video.WriteSample(media.Sample{Data: frame, Duration: 40 * time.Millisecond}) != nil {
					return
				}
				frame = nil
			}
		}
	}()
	go func() {
		defer senders.Done()
		f, err := os.Open(oggFile)
		if err != nil {
			return
		}
		defer f.Close()
		r, _, err := oggreader.NewWith(f)
		if err != nil {
			return
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			page, _, err := r.ParseNextPage()
			if err != nil {
				return
			}
			select {
			case <-tick.C:
			case <-done:
				return
			}
			if audio.WriteSample(media.Sample{Data: page, Duration: 20 * time.Millisecond}) != nil {
				return
			}
		}
	}()
	return pc, 0
}

func TestWebRTCBroadcastSDKOffer(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, key := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	h264File, oggFile := encodeTestMedia(t, 8)

	cert, err := devcert.Load(t.TempDir(), time.Now())
	require.NoError(t, err)
	h, err := e.plane.WebRTCHandler()
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cert.TLSConfig()
	srv.StartTLS()
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cert.ClientTLSConfig()}}
	defer client.CloseIdleConnections()

	_, code := publishWebRTC(t, client, srv.URL, "sk_us-east-1_nope", h264File, oggFile)
	assert.Equal(t, codeInvalidKey, code, "a wrong key is the SDK's invalid-key error")

	pc, code := publishWebRTC(t, client, srv.URL, key, h264File, oggFile)
	require.Zero(t, code)
	multivariant := string(waitPlaylist(t, e.playbackURL(arn)))
	assert.Contains(t, multivariant, "opus", "Opus is offered to hls.js as is")
	assert.Contains(t, multivariant, "avc1.42")

	_, tsMulti := get(t, e.http.URL+PlaybackPrefix+channelID(arn)+"/ts/index.m3u8")
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		assert.Contains(t, string(tsMulti), "mp4a.40.2", "the MPEG-TS rendition has AAC transcoded by ffmpeg")
	}
	sess, err := e.api.GetStreamSession(context.Background(), &ivs.GetStreamSessionInput{ChannelArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, int64(320), sess.StreamSession.IngestConfiguration.Video.VideoWidth)
	assert.Equal(t, "opus", *sess.StreamSession.IngestConfiguration.Audio.Codec)

	require.NoError(t, pc.Close())
	require.Eventually(t, func() bool {
		n := e.events.names()
		return len(n) > 0 && n[len(n)-1] == "Session Ended"
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"Session Created", "Stream Start", "Stream End", "Session Ended"}, e.events.names())
}
