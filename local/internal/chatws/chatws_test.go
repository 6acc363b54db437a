package chatws

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/ivschat/types"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/ivsemu"
	"github.com/onair/onair/shared/clocktest"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	clock *clocktest.Clock
	hub   *Hub
	svc   *ivsemu.Service
	srv   *httptest.Server
	chat  *ivschat.Client
	room  string
}

func newEnv(t *testing.T, review Invoker) *env {
	t.Helper()
	return newEnvConfig(t, Config{Review: review})
}

func newEnvConfig(t *testing.T, cfg Config) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: clocktest.New(time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC))}
	cfg.Now = e.clock.Now
	e.hub = New(cfg)
	svc, err := ivsemu.New(ivsemu.Config{DataDir: t.TempDir(), Account: "111122223333", Now: e.clock.Now, Chat: e.hub})
	require.NoError(t, err)
	e.svc = svc
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, e.hub.Handler(svc))
	mux.Handle("POST /{operation}", svc.Handler())
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		e.hub.Close()
		e.srv.Close()
		_ = svc.Close()
	})
	e.chat = ivschat.New(ivschat.Options{BaseEndpoint: aws.String(e.srv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), RetryMaxAttempts: 1})
	out, err := e.chat.CreateRoom(e.ctx, &ivschat.CreateRoomInput{Name: aws.String("room"),
		MaximumMessageLength: aws.Int32(10), MaximumMessageRatePerSecond: aws.Int32(3)})
	require.NoError(t, err)
	e.room = *out.Arn
	return e
}

func (e *env) token(user string, caps ...types.ChatTokenCapability) string {
	e.t.Helper()
	out, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: aws.String(e.room),
		UserId: aws.String(user), Capabilities: caps, Attributes: map[string]string{"displayName": strings.ToUpper(user)}})
	require.NoError(e.t, err)
	return *out.Token
}

// client is a test connection that collects frames.
type client struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	closed chan websocket.StatusCode
}

func (e *env) dial(token string) (*client, *http.Response, error) {
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + Path
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{token}})
	if err != nil {
		return nil, resp, err
	}
	c := &client{t: e.t, ws: ws, frames: make(chan map[string]any, 100), closed: make(chan websocket.StatusCode, 1)}
	go func() {
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				c.closed <- websocket.CloseStatus(err)
				close(c.frames)
				return
			}
			var f map[string]any
			_ = json.Unmarshal(data, &f)
			c.frames <- f
		}
	}()
	e.t.Cleanup(func() { ws.CloseNow() })
	return c, resp, nil
}

func (e *env) connect(user string, caps ...types.ChatTokenCapability) *client {
	e.t.Helper()
	tok := e.token(user, caps...)
	c, _, err := e.dial(tok)
	require.NoError(e.t, err)
	assert.Equal(e.t, tok, c.ws.Subprotocol(), "the server echoes the token sub-protocol")
	require.Eventually(e.t, func() bool { return e.hub.Connections(e.room) > 0 }, time.Second, time.Millisecond)
	return c
}

func (c *client) send(v map[string]any) {
	c.t.Helper()
	data, _ := json.Marshal(v)
	require.NoError(c.t, c.ws.Write(context.Background(), websocket.MessageText, data))
}

func (c *client) next() map[string]any {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		require.True(c.t, ok, "connection closed while waiting for a frame")
		return f
	case <-time.After(3 * time.Second):
		c.t.Fatal("no frame received")
		return nil
	}
}

// reply skips broadcasts until the frame answering requestID.
func (c *client) reply(requestID string) map[string]any {
	c.t.Helper()
	for {
		if f := c.next(); f["RequestId"] == requestID {
			return f
		}
	}
}

func (c *client) waitClosed() websocket.StatusCode {
	c.t.Helper()
	for {
		select {
		case code := <-c.closed:
			return code
		case _, ok := <-c.frames:
			if !ok {
				continue
			}
		case <-time.After(3 * time.Second):
			c.t.Fatal("connection was not closed")
			return 0
		}
	}
}

func TestTwoUsersChat(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.connect("ann", types.ChatTokenCapabilitySendMessage)
	bob := e.connect("bob", types.ChatTokenCapabilitySendMessage)
	require.Eventually(t, func() bool { return e.hub.Connections(e.room) == 2 }, time.Second, time.Millisecond)

	ann.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "req-1", "Content": "héllo 👋", "Attributes": map[string]string{"k": "v"}})
	mine := ann.next()
	theirs := bob.next()
	assert.Equal(t, "MESSAGE", mine["Type"])
	assert.Equal(t, "req-1", mine["RequestId"], "the sender's echo carries its RequestId")
	_, hasReq := theirs["RequestId"]
	assert.False(t, hasReq)
	assert.Equal(t, mine["Id"], theirs["Id"])
	assert.Regexp(t, `^[A-Za-z0-9]{12}$`, theirs["Id"])
	assert.Equal(t, "héllo 👋", theirs["Content"])
	assert.Equal(t, "2026-01-10T18:00:00.000Z", theirs["SendTime"])
	assert.Equal(t, map[string]any{"k": "v"}, theirs["Attributes"])
	assert.Equal(t, map[string]any{"UserId": "ann", "Attributes": map[string]any{"displayName": "ANN"}}, theirs["Sender"])

	// Control-plane SendEvent reaches both.
	_, err := e.chat.SendEvent(e.ctx, &ivschat.SendEventInput{RoomIdentifier: aws.String(e.room), EventName: aws.String("stage:JOIN"),
		Attributes: map[string]string{"userId": "x"}})
	require.NoError(t, err)
	for _, c := range []*client{ann, bob} {
		f := c.next()
		assert.Equal(t, "EVENT", f["Type"])
		assert.Equal(t, "stage:JOIN", f["EventName"])
		assert.Equal(t, map[string]any{"userId": "x"}, f["Attributes"])
	}
}

func TestDeleteMessageNeedsCapability(t *testing.T) {
	e := newEnv(t, nil)
	viewer := e.connect("viewer")
	mod := e.connect("mod", types.ChatTokenCapabilityDeleteMessage)

	viewer.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "r0", "Content": "hi"})
	f := viewer.next()
	assert.Equal(t, "ERROR", f["Type"])
	assert.EqualValues(t, 403, f["ErrorCode"], "viewing is free, sending needs SEND_MESSAGE")
	assert.Equal(t, "r0", f["RequestId"])

	viewer.send(map[string]any{"Action": "DELETE_MESSAGE", "RequestId": "r1", "Id": "AbCdEf123456"})
	f = viewer.next()
	assert.Equal(t, "ERROR", f["Type"])
	assert.EqualValues(t, 403, f["ErrorCode"])
	assert.Equal(t, "r1", f["RequestId"])
	assert.NotEmpty(t, f["Id"])

	mod.send(map[string]any{"Action": "DELETE_MESSAGE", "RequestId": "r2", "Id": "AbCdEf123456", "Reason": "spam"})
	for _, c := range []*client{mod, viewer} {
		f := c.next()
		assert.Equal(t, "EVENT", f["Type"])
		assert.Equal(t, "aws:DELETE_MESSAGE", f["EventName"])
		assert.Equal(t, map[string]any{"MessageId": "AbCdEf123456", "MessageID": "AbCdEf123456", "Reason": "spam"}, f["Attributes"])
		if c == mod {
			assert.Equal(t, "r2", f["RequestId"])
		}
	}

	// The control plane's DeleteMessage too.
	_, err := e.chat.DeleteMessage(e.ctx, &ivschat.DeleteMessageInput{RoomIdentifier: aws.String(e.room), Id: aws.String("ZZZZZZ123456")})
	require.NoError(t, err)
	f = viewer.next()
	assert.Equal(t, "aws:DELETE_MESSAGE", f["EventName"])
	assert.Equal(t, "ZZZZZZ123456", f["Attributes"].(map[string]any)["MessageID"])
}

func TestDisconnectUserClosesAllTheirConnections(t *testing.T) {
	e := newEnv(t, nil)
	troll1 := e.connect("troll")
	troll2 := e.connect("troll")
	other := e.connect("other")
	mod := e.connect("mod", types.ChatTokenCapabilityDisconnectUser)
	require.Eventually(t, func() bool { return e.hub.Connections(e.room) == 4 }, time.Second, time.Millisecond)

	other.send(map[string]any{"Action": "DISCONNECT_USER", "RequestId": "r1", "UserId": "troll"})
	assert.EqualValues(t, 403, other.next()["ErrorCode"])

	mod.send(map[string]any{"Action": "DISCONNECT_USER", "RequestId": "r2", "UserId": "troll", "Reason": "rude"})
	ev := mod.next()
	assert.Equal(t, "aws:DISCONNECT_USER", ev["EventName"])
	assert.Equal(t, "r2", ev["RequestId"])
	assert.Equal(t, map[string]any{"UserId": "troll", "Reason": "rude"}, ev["Attributes"])
	for _, c := range []*client{troll1, troll2} {
		assert.Equal(t, "aws:DISCONNECT_USER", c.next()["EventName"])
		assert.Equal(t, websocket.StatusNormalClosure, c.waitClosed())
	}
	assert.Equal(t, "aws:DISCONNECT_USER", other.next()["EventName"])
	require.Eventually(t, func() bool { return e.hub.Connections(e.room) == 2 }, time.Second, time.Millisecond)

	// The control plane's DisconnectUser as well.
	_, err := e.chat.DisconnectUser(e.ctx, &ivschat.DisconnectUserInput{RoomIdentifier: aws.String(e.room), UserId: aws.String("other")})
	require.NoError(t, err)
	assert.Equal(t, "aws:DISCONNECT_USER", other.next()["EventName"])
	assert.Equal(t, websocket.StatusNormalClosure, other.waitClosed())
}

func TestTokensAreSingleUseAndExpire(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("ann")
	_, _, err := e.dial(tok)
	require.NoError(t, err)
	_, resp, err := e.dial(tok)
	require.Error(t, err, "a token opens one connection only")
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	_, resp, err = e.dial("")
	require.Error(t, err, "no token, no connection")
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	late := e.token("bob")
	e.clock.Advance(61 * time.Minute)
	_, resp, err = e.dial(late)
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestSessionExpiryClosesTheConnection(t *testing.T) {
	e := newEnv(t, nil)
	c := e.connect("ann")
	e.hub.Sweep()
	e.clock.Advance(60 * time.Minute)
	e.hub.Sweep()
	f := c.next()
	assert.Equal(t, "ERROR", f["Type"])
	assert.EqualValues(t, 401, f["ErrorCode"])
	assert.Equal(t, websocket.StatusNormalClosure, c.waitClosed())
}

func TestRoomLimits(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.connect("ann", types.ChatTokenCapabilitySendMessage)
	bob := e.connect("bob", types.ChatTokenCapabilitySendMessage)

	// Length is counted in code points: 10 emoji fit, 11 do not.
	ann.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "ok", "Content": strings.Repeat("😀", 10)})
	assert.Equal(t, "MESSAGE", ann.next()["Type"])
	ann.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "long", "Content": strings.Repeat("a", 11)})
	f := ann.next()
	assert.EqualValues(t, 413, f["ErrorCode"])
	assert.Equal(t, "long", f["RequestId"])
	ann.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "empty"})
	assert.EqualValues(t, 400, ann.next()["ErrorCode"])
	ann.send(map[string]any{"Action": "SHOUT", "RequestId": "x"})
	assert.EqualValues(t, 400, ann.next()["ErrorCode"])

	// 3 messages per second, room-wide: one more (from bob) is refused.
	ann.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "a2", "Content": "two"})
	assert.Equal(t, "MESSAGE", ann.reply("a2")["Type"])
	bob.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "b1", "Content": "three"})
	assert.Equal(t, "MESSAGE", bob.reply("b1")["Type"])
	bob.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "b2", "Content": "four"})
	f = bob.reply("b2")
	assert.Equal(t, "ERROR", f["Type"])
	assert.EqualValues(t, 429, f["ErrorCode"])
	e.clock.Advance(time.Second)
	bob.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "b3", "Content": "later"})
	assert.Equal(t, "MESSAGE", bob.reply("b3")["Type"])
}

func TestRoomDeletedClosesConnections(t *testing.T) {
	e := newEnv(t, nil)
	c := e.connect("ann")
	_, err := e.chat.DeleteRoom(e.ctx, &ivschat.DeleteRoomInput{Identifier: aws.String(e.room)})
	require.NoError(t, err)
	assert.Equal(t, websocket.StatusNormalClosure, c.waitClosed())
}

type reviewer struct {
	result string
	err    error
	got    chan map[string]any
}

func (r *reviewer) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	var in map[string]any
	_ = json.Unmarshal(payload, &in)
	in["_function"] = function
	r.got <- in
	if r.err != nil {
		return nil, r.err
	}
	return []byte(r.result), nil
}

func TestMessageReviewHandler(t *testing.T) {
	rev := &reviewer{got: make(chan map[string]any, 10), result: `{"ReviewResult":"ALLOW","Content":"***","Attributes":{"reviewed":"yes"}}`}
	e := newEnv(t, rev)
	_, err := e.chat.UpdateRoom(e.ctx, &ivschat.UpdateRoomInput{Identifier: aws.String(e.room),
		MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String("arn:aws:lambda:us-east-1:111122223333:function:ReviewChat"),
			FallbackResult: types.FallbackResultDeny}})
	require.NoError(t, err)
	c := e.connect("ann", types.ChatTokenCapabilitySendMessage)

	c.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "r1", "Content": "darn"})
	f := c.next()
	assert.Equal(t, "***", f["Content"])
	assert.Equal(t, map[string]any{"reviewed": "yes"}, f["Attributes"])
	in := <-rev.got
	assert.Equal(t, "arn:aws:lambda:us-east-1:111122223333:function:ReviewChat", in["_function"], "invoked by its ARN")
	assert.Equal(t, "darn", in["Content"])
	assert.Equal(t, e.room, in["RoomArn"])
	assert.Equal(t, f["Id"], in["MessageId"])
	assert.Equal(t, "ann", in["Sender"].(map[string]any)["UserId"])

	rev.result = `{"ReviewResult":"DENY"}`
	c.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "r2", "Content": "bad"})
	assert.EqualValues(t, 406, c.next()["ErrorCode"])
	<-rev.got

	rev.err = errors.New("timeout")
	c.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "r3", "Content": "x"})
	assert.EqualValues(t, 406, c.next()["ErrorCode"], "fallbackResult DENY applies when the handler fails")
}

// TestInvalidUTF8ClosesWith1007: a text frame that is not UTF-8 is not
// relayed; the connection is failed with 1007 (RFC 6455 §8.1).
func TestInvalidUTF8ClosesWith1007(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.connect("ann", types.ChatTokenCapabilitySendMessage)
	bob := e.connect("bob", types.ChatTokenCapabilitySendMessage)
	bad := append([]byte(`{"Action":"SEND_MESSAGE","RequestId":"r1","Content":"`), 0xff, 0xfe, '"', '}')
	require.NoError(t, ann.ws.Write(context.Background(), websocket.MessageText, bad))
	assert.Equal(t, websocket.StatusInvalidFramePayloadData, ann.waitClosed())

	bob.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "r2", "Content": "still here"})
	f := bob.reply("r2")
	assert.Equal(t, "still here", f["Content"], "nothing of the invalid frame reached the room first")
}

// scripted answers every review with answer, after delay.
type scripted struct {
	delay  time.Duration
	answer string
	err    error
}

func (s scripted) Invoke(ctx context.Context, _ string, _ []byte) ([]byte, error) {
	time.Sleep(s.delay) // like a slow function, deaf to the caller giving up
	return []byte(s.answer), s.err
}

// TestMessageReviewOutcomes: the handler's answer decides, and when it has
// none in time (or a broken one) the room's fallbackResult does; a denied
// message reaches nobody, and its sender gets the 406 with the Reason.
func TestMessageReviewOutcomes(t *testing.T) {
	const timeout = 100 * time.Millisecond
	rejected := "The message was rejected by the room's message review handler."
	cases := []struct {
		name      string
		handler   scripted
		fallback  types.FallbackResult
		delivered bool
		error     string // the sender's ERROR message when not delivered
	}{
		{"allowed", scripted{answer: `{"ReviewResult":"ALLOW","Content":"hi"}`}, types.FallbackResultDeny, true, ""},
		{"denied, with the reason", scripted{answer: `{"ReviewResult":"DENY","Attributes":{"Reason":"You are banned from this chat."}}`}, types.FallbackResultAllow, false, "You are banned from this chat."},
		{"denied, no reason", scripted{answer: `{"ReviewResult":"DENY"}`}, types.FallbackResultAllow, false, rejected},
		{"too slow, fallback DENY", scripted{delay: 3 * timeout, answer: `{"ReviewResult":"ALLOW"}`}, types.FallbackResultDeny, false, rejected},
		{"too slow, fallback ALLOW", scripted{delay: 3 * timeout, answer: `{"ReviewResult":"DENY"}`}, types.FallbackResultAllow, true, ""},
		{"function error, fallback DENY", scripted{err: errors.New("Unhandled")}, types.FallbackResultDeny, false, rejected},
		{"function error, fallback ALLOW", scripted{err: errors.New("Unhandled")}, types.FallbackResultAllow, true, ""},
		{"invalid answer, fallback DENY", scripted{answer: `{"ReviewResult":"MAYBE"}`}, types.FallbackResultDeny, false, rejected},
		{"not JSON, fallback ALLOW", scripted{answer: `<html>`}, types.FallbackResultAllow, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvConfig(t, Config{Review: tc.handler, ReviewTimeout: timeout})
			_, err := e.chat.UpdateRoom(e.ctx, &ivschat.UpdateRoomInput{Identifier: aws.String(e.room),
				MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String("arn:aws:lambda:us-east-1:111122223333:function:Review"),
					FallbackResult: tc.fallback}})
			require.NoError(t, err)
			ann := e.connect("ann", types.ChatTokenCapabilitySendMessage)
			bob := e.connect("bob")
			start := time.Now()
			ann.send(map[string]any{"Action": "SEND_MESSAGE", "RequestId": "r1", "Content": "hi"})
			f := ann.next()
			assert.Less(t, time.Since(start), timeout+time.Second, "the fallback applies at the timeout, not when the function ends")
			if tc.delivered {
				assert.Equal(t, "MESSAGE", f["Type"])
				assert.Equal(t, "hi", bob.next()["Content"])
				return
			}
			assert.Equal(t, "ERROR", f["Type"])
			assert.EqualValues(t, 406, f["ErrorCode"])
			assert.Equal(t, "r1", f["RequestId"])
			assert.Equal(t, tc.error, f["ErrorMessage"])
			// Bob's next frame is an event sent after: nothing came before it.
			_, err = e.chat.SendEvent(e.ctx, &ivschat.SendEventInput{RoomIdentifier: aws.String(e.room), EventName: aws.String("probe")})
			require.NoError(t, err)
			assert.Equal(t, "EVENT", bob.next()["Type"], "the denied message reached nobody")
		})
	}
}
