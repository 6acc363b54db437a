package sfu_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	rt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	rttypes "github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"
	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/ivsemu"
	"github.com/onair/onair/local/internal/sfu"
	"github.com/onair/onair/local/internal/sfu/whipclient"
)

// sink records the EventBridge events the emulator emits.
type sink struct {
	mu     sync.Mutex
	events []eventbus.Event
}

func (s *sink) Publish(_ context.Context, ev eventbus.Event) (eventbus.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
	return ev, nil
}

// stageEvents lists "<event_name> <participant_id>" of IVS Stage Update events.
func (s *sink) stageEvents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.events {
		var d struct {
			EventName     string `json:"event_name"`
			ParticipantID string `json:"participant_id"`
			SessionID     string `json:"session_id"`
		}
		if ev.DetailType == "IVS Stage Update" && ev.Source == "aws.ivs" && json.Unmarshal(ev.Detail, &d) == nil && d.SessionID != "" {
			out = append(out, d.EventName+" "+d.ParticipantID)
		}
	}
	return out
}

type env struct {
	t      *testing.T
	ctx    context.Context
	ivs    *ivsemu.Service
	sfu    *sfu.Server
	events *sink
	rt     *rt.Client
	client *whipclient.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), events: &sink{}}
	var err error
	e.ivs, err = ivsemu.New(ivsemu.Config{DataDir: t.TempDir(), Events: e.events,
		OnParticipantDisconnected: func(arn, pid, reason string) { e.sfu.Disconnect(arn, pid, reason) },
		OnStageDeleted:            func(arn string) { e.sfu.StageDeleted(arn) },
	})
	require.NoError(t, err)
	e.sfu, err = sfu.New(sfu.Config{Stages: e.ivs, ConnectTimeout: 10 * time.Second})
	require.NoError(t, err)
	ivsSrv := httptest.NewServer(e.ivs.Handler())
	sfuSrv := httptest.NewServer(e.sfu.Handler())
	t.Cleanup(func() {
		sfuSrv.Close()
		_ = e.sfu.Close()
		ivsSrv.Close()
		_ = e.ivs.Close()
	})
	e.rt = rt.New(rt.Options{BaseEndpoint: aws.String(ivsSrv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), RetryMaxAttempts: 1})
	e.client, err = whipclient.New(sfuSrv.URL, nil)
	require.NoError(t, err)
	return e
}

// stage creates a stage and returns its ARN and id.
func (e *env) stage() (string, string) {
	out, err := e.rt.CreateStage(e.ctx, &rt.CreateStageInput{Name: aws.String("test")})
	require.NoError(e.t, err)
	arn := aws.ToString(out.Stage.Arn)
	return arn, arn[strings.LastIndex(arn, "/")+1:]
}

// token mints an API token; caps are PUBLISH and/or SUBSCRIBE.
func (e *env) token(stageArn, userID string, caps ...rttypes.ParticipantTokenCapability) (token, participantID string) {
	out, err := e.rt.CreateParticipantToken(e.ctx, &rt.CreateParticipantTokenInput{StageArn: aws.String(stageArn),
		UserId: aws.String(userID), Capabilities: caps, Attributes: map[string]string{"username": userID}})
	require.NoError(e.t, err)
	return aws.ToString(out.ParticipantToken.Token), aws.ToString(out.ParticipantToken.ParticipantId)
}

var both = []rttypes.ParticipantTokenCapability{rttypes.ParticipantTokenCapabilityPublish, rttypes.ParticipantTokenCapabilitySubscribe}

// importedKey imports a P-384 public key, as the backend's self mode does,
// and returns the private key and the key's ARN (the kid).
func (e *env) importedKey() (*ecdsa.PrivateKey, string) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(e.t, err)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(e.t, err)
	out, err := e.rt.ImportPublicKey(e.ctx, &rt.ImportPublicKeyInput{
		PublicKeyMaterial: aws.String(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))})
	require.NoError(e.t, err)
	return key, aws.ToString(out.PublicKey.Arn)
}

// selfSigned signs a token the way the backend's self mode does.
func selfSigned(t *testing.T, key *ecdsa.PrivateKey, kid, stageArn, jti string, iat, exp time.Time, caps ivsemu.TokenCapabilities) string {
	t.Helper()
	tok, err := ivsemu.SignStageToken(key, kid, ivsemu.StageTokenClaims{Exp: exp.Unix(), Iat: iat.Unix(), Jti: jti,
		UserID: "self-" + jti, Resource: stageArn, Topic: stageArn[strings.LastIndex(stageArn, "/")+1:],
		EventsURL: "wss://x", WhipURL: "https://x", Capabilities: caps,
		Attributes: map[string]string{"username": "self", "avatar": "bear"}, Version: "1.0"})
	require.NoError(t, err)
	return tok
}

// presence is a presence socket that collects messages.
type presence struct {
	ws   *websocket.Conn
	mu   sync.Mutex
	msgs []map[string]any
	done chan struct{}
}

func (e *env) presence(stageID, token string) *presence {
	e.t.Helper()
	url := strings.Replace(e.client.BaseURL, "http://", "ws://", 1) + "/stages/" + stageID + "/events"
	ws, _, err := websocket.Dial(e.ctx, url, &websocket.DialOptions{Subprotocols: []string{token}})
	require.NoError(e.t, err)
	p := &presence{ws: ws, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			_, data, err := ws.Read(e.ctx)
			if err != nil {
				return
			}
			var m map[string]any
			_ = json.Unmarshal(data, &m)
			p.mu.Lock()
			p.msgs = append(p.msgs, m)
			p.mu.Unlock()
		}
	}()
	e.t.Cleanup(func() { ws.CloseNow() })
	return p
}

// has reports whether a message satisfies ok.
func (p *presence) has(ok func(m map[string]any) bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.msgs {
		if ok(m) {
			return true
		}
	}
	return false
}

// published: id's publish state is PUBLISHED, in an update or in the
// welcome snapshot.
func published(id string) func(m map[string]any) bool {
	isPub := func(pv map[string]any) bool { return pv["participantId"] == id && pv["publishState"] == "PUBLISHED" }
	return func(m map[string]any) bool {
		switch m["type"] {
		case "participantUpdated":
			pv, _ := m["participant"].(map[string]any)
			return isPub(pv)
		case "welcome":
			list, _ := m["participants"].([]any)
			for _, x := range list {
				if pv, _ := x.(map[string]any); isPub(pv) {
					return true
				}
			}
		}
		return false
	}
}

func unpublished(id string) func(m map[string]any) bool {
	return func(m map[string]any) bool {
		pv, _ := m["participant"].(map[string]any)
		return m["type"] == "participantUpdated" && pv["participantId"] == id && pv["publishState"] == "NOT_PUBLISHED"
	}
}

func TestTokenRefusals(t *testing.T) {
	e := newEnv(t)
	arn, id := e.stage()
	otherArn, _ := e.stage()
	key, kid := e.importedKey()
	now := time.Now()
	pubOnly := ivsemu.TokenCapabilities{AllowPublish: true}

	good, _ := e.token(arn, "ann", both...)
	subOnly, _ := e.token(arn, "viewer", rttypes.ParticipantTokenCapabilitySubscribe)
	forOther, _ := e.token(otherArn, "ann", both...)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	// signed by a key that is not the one kid names
	stranger, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	wrongKey := selfSigned(t, stranger, kid, arn, "strangerjti", now, now.Add(time.Hour), pubOnly)
	expired := selfSigned(t, key, kid, arn, "expiredjti", now.Add(-2*time.Hour), now.Add(-time.Minute), pubOnly)
	publishOnly := selfSigned(t, key, kid, arn, "pubonlyjti", now, now.Add(time.Hour), pubOnly)

	whip := "/stages/" + id + "/whip"
	whep := "/stages/" + id + "/whep/somebody"
	tests := []struct {
		name, path, token, contentType string
		status                         int
		code                           string
	}{
		{"no token", whip, "", "application/sdp", 401, "Unauthorized"},
		{"not a JWT", whip, "garbage", "application/sdp", 401, "Unauthorized"},
		{"tampered signature", whip, tampered, "application/sdp", 401, "Unauthorized"},
		{"signed by another key", whip, wrongKey, "application/sdp", 401, "Unauthorized"},
		{"expired", whip, expired, "application/sdp", 401, "TokenExpired"},
		{"token of another stage", whip, forOther, "application/sdp", 403, "WrongStage"},
		{"subscribe-only token publishing", whip, subOnly, "application/sdp", 403, "InsufficientCapabilities"},
		{"publish-only token subscribing", whep, publishOnly, "application/sdp", 403, "InsufficientCapabilities"},
		{"not SDP", whip, good, "application/json", 415, "UnsupportedMediaType"},
		{"publisher that does not publish", whep, good, "application/sdp", 404, "PublisherNotFound"},
	}
	offer := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=recvonly\r\na=rtpmap:111 opus/48000/2\r\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body, err := e.client.PostOffer(e.ctx, tc.path, tc.token, tc.contentType, offer)
			require.NoError(t, err)
			assert.Equal(t, tc.status, resp.StatusCode, string(body))
			var b struct{ Code, Message string }
			require.NoError(t, json.Unmarshal(body, &b))
			assert.Equal(t, tc.code, b.Code)
			assert.NotEmpty(t, b.Message)
		})
	}

	t.Run("presence with a bad token", func(t *testing.T) {
		url := strings.Replace(e.client.BaseURL, "http://", "ws://", 1) + "/stages/" + id + "/events"
		_, resp, err := websocket.Dial(e.ctx, url, &websocket.DialOptions{Subprotocols: []string{tampered}})
		require.Error(t, err)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})

	// None of the refusals joined the stage.
	st, err := e.rt.GetStage(e.ctx, &rt.GetStageInput{Arn: aws.String(arn)})
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(st.Stage.ActiveSessionId))
	assert.Equal(t, sfu.Stats{}, e.sfu.Stats())
}

func TestTwoPublishersThreeSubscribers(t *testing.T) {
	e := newEnv(t)
	arn, id := e.stage()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()

	// One publisher on an API token, the other self-signed with an imported
	// key (the backend's self mode).
	tokA, pidA := e.token(arn, "ann", both...)
	key, kid := e.importedKey()
	pidB := "selfsignedB"
	tokB := selfSigned(t, key, kid, arn, pidB, time.Now(), time.Now().Add(time.Hour), ivsemu.TokenCapabilities{AllowPublish: true, AllowSubscribe: true})

	watcherTok, _ := e.token(arn, "watcher", rttypes.ParticipantTokenCapabilitySubscribe)
	watch := e.presence(id, watcherTok)

	pubA, err := e.client.Publish(ctx, id, tokA)
	require.NoError(t, err)
	pubB, err := e.client.Publish(ctx, id, tokB)
	require.NoError(t, err)
	go pubA.Pump(ctx, 30, 500)
	go pubB.Pump(ctx, 30, 500)
	require.Eventually(t, func() bool { return watch.has(published(pidA)) && watch.has(published(pidB)) }, 10*time.Second, 20*time.Millisecond)

	// The welcome and join messages carry the token's attributes.
	assert.True(t, watch.has(func(m map[string]any) bool {
		pv, _ := m["participant"].(map[string]any)
		attrs, _ := pv["attributes"].(map[string]any)
		return m["type"] == "participantJoined" && pv["participantId"] == pidB && attrs["avatar"] == "bear" && pv["userId"] == "self-"+pidB
	}))

	var subs []*whipclient.Subscriber
	for i := range 3 {
		tok, _ := e.token(arn, "viewer"+string(rune('0'+i)), rttypes.ParticipantTokenCapabilitySubscribe)
		for _, pid := range []string{pidA, pidB} {
			s, err := e.client.Subscribe(ctx, id, pid, tok, nil)
			require.NoError(t, err)
			subs = append(subs, s)
		}
	}
	require.Eventually(t, func() bool {
		for _, s := range subs {
			if s.Packets("video") < 20 || s.Packets("audio") < 10 {
				return false
			}
		}
		return true
	}, 15*time.Second, 50*time.Millisecond, "every subscriber receives both publishers' audio and video")

	// The emulator's view: one session, 2 published, 6 connected (2
	// publishers, 3 subscribers, the watcher).
	st, err := e.rt.GetStage(e.ctx, &rt.GetStageInput{Arn: aws.String(arn)})
	require.NoError(t, err)
	session := aws.ToString(st.Stage.ActiveSessionId)
	require.NotEmpty(t, session)
	pubs, err := e.rt.ListParticipants(e.ctx, &rt.ListParticipantsInput{StageArn: aws.String(arn), SessionId: aws.String(session), FilterByPublished: true})
	require.NoError(t, err)
	var ids []string
	for _, p := range pubs.Participants {
		ids = append(ids, aws.ToString(p.ParticipantId))
	}
	assert.ElementsMatch(t, []string{pidA, pidB}, ids)
	conn, err := e.rt.ListParticipants(e.ctx, &rt.ListParticipantsInput{StageArn: aws.String(arn), SessionId: aws.String(session), FilterByState: rttypes.ParticipantStateConnected})
	require.NoError(t, err)
	assert.Len(t, conn.Participants, 6)
	gp, err := e.rt.GetParticipant(e.ctx, &rt.GetParticipantInput{StageArn: aws.String(arn), SessionId: aws.String(session), ParticipantId: aws.String(pidB)})
	require.NoError(t, err)
	assert.True(t, gp.Participant.Published)
	assert.Equal(t, "bear", gp.Participant.Attributes["avatar"])

	// A publisher stops: Unpublished, its subscribers' sessions end, the
	// others keep receiving.
	require.NoError(t, pubA.Close())
	require.Eventually(t, func() bool { return watch.has(unpublished(pidA)) }, 5*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool { return e.sfu.Stats().Sessions == 1+3 }, 5*time.Second, 20*time.Millisecond,
		"B's WHIP session and its 3 subscribers remain")
	before := subs[1].Packets("video")
	require.Eventually(t, func() bool { return subs[1].Packets("video") > before+10 }, 5*time.Second, 20*time.Millisecond)

	// A's participant left (its WHIP session was its only connection).
	require.Eventually(t, func() bool {
		return watch.has(func(m map[string]any) bool {
			return m["type"] == "participantLeft" && m["participantId"] == pidA
		})
	}, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, []string{"Participant Published " + pidA, "Participant Published " + pidB, "Participant Unpublished " + pidA},
		e.events.stageEvents())
}

func TestDisconnectParticipantCutsMedia(t *testing.T) {
	e := newEnv(t)
	arn, id := e.stage()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	tok, pid := e.token(arn, "guest", both...)
	guest := e.presence(id, tok)
	pub, err := e.client.Publish(ctx, id, tok)
	require.NoError(t, err)
	go pub.Pump(ctx, 30, 300)
	viewerTok, _ := e.token(arn, "viewer", rttypes.ParticipantTokenCapabilitySubscribe)
	watch := e.presence(id, viewerTok)
	require.Eventually(t, func() bool { return watch.has(published(pid)) }, 10*time.Second, 20*time.Millisecond)
	sub, err := e.client.Subscribe(ctx, id, pid, viewerTok, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sub.Packets("video") > 5 }, 10*time.Second, 20*time.Millisecond)

	_, err = e.rt.DisconnectParticipant(e.ctx, &rt.DisconnectParticipantInput{StageArn: aws.String(arn),
		ParticipantId: aws.String(pid), Reason: aws.String("Removed by the host")})
	require.NoError(t, err)

	// At once: the guest hears why and its socket closes; the media stops.
	select {
	case <-guest.done:
	case <-time.After(2 * time.Second):
		t.Fatal("the guest's presence socket was not closed")
	}
	assert.True(t, guest.has(func(m map[string]any) bool {
		return m["type"] == "disconnected" && m["reason"] == "Removed by the host"
	}))
	require.Eventually(t, func() bool { return e.sfu.Stats().Publishers == 0 && e.sfu.Stats().Sessions == 0 }, 2*time.Second, 10*time.Millisecond)
	n := sub.Packets("video")
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, n, sub.Packets("video"), "no media after the disconnect")
	assert.True(t, watch.has(func(m map[string]any) bool { return m["type"] == "participantLeft" && m["participantId"] == pid }))

	// The token is revoked: publishing again is refused.
	_, err = e.client.Publish(ctx, id, tok)
	var werr *whipclient.Error
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, "ParticipantDisconnected", werr.Code)
	assert.Equal(t, []string{"Participant Published " + pid, "Participant Unpublished " + pid}, e.events.stageEvents())
}

func TestDeleteStageEndsEverything(t *testing.T) {
	e := newEnv(t)
	arn, id := e.stage()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	tok, pid := e.token(arn, "host", both...)
	pub, err := e.client.Publish(ctx, id, tok)
	require.NoError(t, err)
	go pub.Pump(ctx, 30, 300)
	viewerTok, _ := e.token(arn, "viewer", rttypes.ParticipantTokenCapabilitySubscribe)
	watch := e.presence(id, viewerTok)
	require.Eventually(t, func() bool { return watch.has(published(pid)) }, 10*time.Second, 20*time.Millisecond)
	sub, err := e.client.Subscribe(ctx, id, pid, viewerTok, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sub.Packets("video") > 5 }, 10*time.Second, 20*time.Millisecond)

	_, err = e.rt.DeleteStage(e.ctx, &rt.DeleteStageInput{Arn: aws.String(arn)})
	require.NoError(t, err)
	select {
	case <-watch.done:
	case <-time.After(2 * time.Second):
		t.Fatal("the viewer's presence socket was not closed")
	}
	assert.True(t, watch.has(func(m map[string]any) bool { return m["type"] == "stageEnded" }))
	assert.Equal(t, sfu.Stats{}, e.sfu.Stats())
	_, err = e.client.Publish(ctx, id, tok)
	var werr *whipclient.Error
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, 404, werr.Status)
}

func TestThirteenthPublisherRefused(t *testing.T) {
	e := newEnv(t)
	arn, id := e.stage()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	for i := range 12 {
		tok, _ := e.token(arn, "pub"+string(rune('a'+i)), both...)
		_, err := e.client.Publish(ctx, id, tok)
		require.NoError(t, err, "publisher %d", i+1)
	}
	tok, pid := e.token(arn, "thirteenth", both...)
	_, err := e.client.Publish(ctx, id, tok)
	var werr *whipclient.Error
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, http.StatusForbidden, werr.Status)
	assert.Equal(t, "StageFull", werr.Code)
	assert.Equal(t, 12, e.sfu.Stats().Publishers)
	evs := e.events.stageEvents()
	require.Len(t, evs, 13)
	assert.Equal(t, "Participant Publish Error "+pid, evs[12])
	// The refused participant did not stay connected.
	st, err := e.rt.GetStage(e.ctx, &rt.GetStageInput{Arn: aws.String(arn)})
	require.NoError(t, err)
	conn, err := e.rt.ListParticipants(e.ctx, &rt.ListParticipantsInput{StageArn: aws.String(arn),
		SessionId: st.Stage.ActiveSessionId, FilterByState: rttypes.ParticipantStateConnected})
	require.NoError(t, err)
	assert.Len(t, conn.Participants, 12)
}

func TestSessionDeleteNeedsItsToken(t *testing.T) {
	e := newEnv(t)
	arn, id := e.stage()
	tok, _ := e.token(arn, "ann", both...)
	other, _ := e.token(arn, "bob", both...)
	pub, err := e.client.Publish(e.ctx, id, tok)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodDelete, pub.Location, nil)
	req.Header.Set("Authorization", "Bearer "+other)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, 1, e.sfu.Stats().Publishers)
	require.NoError(t, pub.Close())
	assert.Equal(t, 0, e.sfu.Stats().Publishers)
	assert.Equal(t, webrtc.PeerConnectionStateClosed, pub.PC.ConnectionState())
}
