// Package ivschat is the conformance suite of Amazon IVS Chat: the control
// plane (rooms, chat tokens, events, moderation, tags) and the messaging
// WebSocket (SEND_MESSAGE, DELETE_MESSAGE, DISCONNECT_USER and the frames
// they produce), checked against local/internal/ivsemu + chatws in `make
// test` and against AWS with -tags awsconformance.
package ivschat

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/ivschat/types"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// MessagingService is the service id under which the suite records the
// WebSocket's actions ("ivschat-messaging/SEND_MESSAGE").
const MessagingService = "ivschat-messaging"

var (
	roomArn = regexp.MustCompile(`^arn:aws:ivschat:[a-z0-9-]+:\d{12}:room/([a-zA-Z0-9]{12})$`)
	chatID  = regexp.MustCompile(`^[a-zA-Z0-9]{12}$`)
)

type suite struct {
	target conformance.Target
	c      *ivschat.Client
	wsURL  string
}

// Run runs every case against target; messagingURL is the chat WebSocket
// (wss://edge.ivschat.<region>.amazonaws.com on AWS). Each case creates its
// own rooms (named target.Prefix-…, deleted at the end).
func Run(t *testing.T, target conformance.Target, messagingURL string) {
	s := &suite{target: target, c: ivschat.NewFromConfig(target.Config), wsURL: messagingURL}
	conformance.RunCases(t, []conformance.Case{
		{Name: "RoomLifecycle", Run: s.roomLifecycle},
		{Name: "ListRooms", Run: s.listRooms},
		{Name: "Validation", Run: s.validation},
		{Name: "ChatToken", Run: s.chatToken},
		{Name: "Tags", Run: s.tags},
		{Name: "Messaging", Run: s.messaging},
		{Name: "Moderation", Run: s.moderation},
		{Name: "MessageReviewHandler", Run: s.messageReviewHandler},
	})
}

func (s *suite) room(t *testing.T, in *ivschat.CreateRoomInput) *ivschat.CreateRoomOutput {
	t.Helper()
	if in == nil {
		in = &ivschat.CreateRoomInput{}
	}
	if in.Name == nil {
		in.Name = aws.String(s.target.Unique("room"))
	}
	out, err := s.c.CreateRoom(t.Context(), in)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = s.c.DeleteRoom(context.WithoutCancel(t.Context()), &ivschat.DeleteRoomInput{Identifier: out.Arn})
	})
	return out
}

func (s *suite) roomLifecycle(t *testing.T) {
	name := s.target.Unique("room")
	r := s.room(t, &ivschat.CreateRoomInput{Name: aws.String(name), Tags: map[string]string{"app": "onair"}})
	m := roomArn.FindStringSubmatch(aws.ToString(r.Arn))
	require.NotNil(t, m, "room ARN %q", aws.ToString(r.Arn))
	assert.Equal(t, m[1], aws.ToString(r.Id), "the id ends the ARN")
	assert.Equal(t, name, aws.ToString(r.Name))
	assert.EqualValues(t, 500, aws.ToInt32(r.MaximumMessageLength), "default length")
	assert.EqualValues(t, 10, aws.ToInt32(r.MaximumMessageRatePerSecond), "default rate")
	require.NotNil(t, r.CreateTime)
	require.NotNil(t, r.UpdateTime)
	assert.WithinDuration(t, time.Now(), *r.CreateTime, 10*time.Minute)
	assert.Equal(t, map[string]string{"app": "onair"}, r.Tags)

	got, err := s.c.GetRoom(t.Context(), &ivschat.GetRoomInput{Identifier: r.Arn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(r.Arn), aws.ToString(got.Arn))
	assert.Equal(t, name, aws.ToString(got.Name))

	upd, err := s.c.UpdateRoom(t.Context(), &ivschat.UpdateRoomInput{Identifier: r.Arn, MaximumMessageLength: aws.Int32(100), MaximumMessageRatePerSecond: aws.Int32(5)})
	require.NoError(t, err)
	assert.EqualValues(t, 100, aws.ToInt32(upd.MaximumMessageLength))
	assert.EqualValues(t, 5, aws.ToInt32(upd.MaximumMessageRatePerSecond))
	assert.Equal(t, name, aws.ToString(upd.Name), "fields not sent are kept")
	assert.False(t, upd.UpdateTime.Before(*r.UpdateTime))

	_, err = s.c.DeleteRoom(t.Context(), &ivschat.DeleteRoomInput{Identifier: r.Arn})
	require.NoError(t, err)
	_, err = s.c.GetRoom(t.Context(), &ivschat.GetRoomInput{Identifier: r.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, types.ResourceTypeRoom, nf.ResourceType, "chat errors name the resource type")
	_, err = s.c.DeleteRoom(t.Context(), &ivschat.DeleteRoomInput{Identifier: r.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u")})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

func (s *suite) listRooms(t *testing.T) {
	name := s.target.Unique("list")
	var arns []string
	// The summaries carry the rooms' tags (what SetUpChatRooms keeps its
	// stack's rooms by).
	tags := map[string]string{"project": name, "onair:owner": "owner-1"}
	for range 3 {
		arns = append(arns, aws.ToString(s.room(t, &ivschat.CreateRoomInput{Name: aws.String(name), Tags: tags}).Arn))
	}
	var seen []string
	in := &ivschat.ListRoomsInput{Name: aws.String(name), MaxResults: aws.Int32(2)}
	for page := 0; ; page++ {
		out, err := s.c.ListRooms(t.Context(), in)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(out.Rooms), 2)
		for _, r := range out.Rooms {
			assert.Equal(t, name, aws.ToString(r.Name))
			assert.Equal(t, tags, r.Tags, "a summary's tags")
			assert.Nil(t, r.MessageReviewHandler, "no handler")
			seen = append(seen, aws.ToString(r.Arn))
		}
		if out.NextToken == nil {
			break
		}
		require.Less(t, page, 3, "pagination does not end")
		in.NextToken = out.NextToken
	}
	assert.ElementsMatch(t, arns, seen)
}

func (s *suite) validation(t *testing.T) {
	_, err := s.c.CreateRoom(t.Context(), &ivschat.CreateRoomInput{Name: aws.String(s.target.Unique("bad")), MaximumMessageLength: aws.Int32(501)})
	conformance.RequireCode(t, err, "ValidationException")
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, types.ValidationExceptionReasonFieldValidationFailed, ve.Reason)
	_, err = s.c.CreateRoom(t.Context(), &ivschat.CreateRoomInput{Name: aws.String(s.target.Unique("bad")), MaximumMessageRatePerSecond: aws.Int32(101)})
	conformance.RequireCode(t, err, "ValidationException")

	r := s.room(t, nil)
	_, err = s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"), SessionDurationInMinutes: aws.Int32(181)})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"), Capabilities: []types.ChatTokenCapability{"FLY"}})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"),
		Attributes: map[string]string{"big": strings.Repeat("x", 1100)}})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.SendEvent(t.Context(), &ivschat.SendEventInput{RoomIdentifier: r.Arn, EventName: aws.String(strings.Repeat("e", 101))})
	conformance.RequireCode(t, err, "ValidationException")
}

func (s *suite) chatToken(t *testing.T) {
	r := s.room(t, nil)
	before := time.Now()
	tok, err := s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("viewer-1"), SessionDurationInMinutes: aws.Int32(30)})
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(tok.Token))
	require.NotNil(t, tok.SessionExpirationTime)
	require.NotNil(t, tok.TokenExpirationTime)
	assert.WithinDuration(t, before.Add(30*time.Minute), *tok.SessionExpirationTime, 2*time.Minute)
	assert.False(t, tok.TokenExpirationTime.After(*tok.SessionExpirationTime), "a token is for connecting; the session outlives it")

	def, err := s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("viewer-2")})
	require.NoError(t, err)
	assert.WithinDuration(t, before.Add(60*time.Minute), *def.SessionExpirationTime, 2*time.Minute, "default session: 60 minutes")
}

func (s *suite) tags(t *testing.T) {
	r := s.room(t, &ivschat.CreateRoomInput{Tags: map[string]string{"a": "1"}})
	_, err := s.c.TagResource(t.Context(), &ivschat.TagResourceInput{ResourceArn: r.Arn, Tags: map[string]string{"b": "2"}})
	require.NoError(t, err)
	got, err := s.c.ListTagsForResource(t.Context(), &ivschat.ListTagsForResourceInput{ResourceArn: r.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1", "b": "2"}, got.Tags)
	_, err = s.c.UntagResource(t.Context(), &ivschat.UntagResourceInput{ResourceArn: r.Arn, TagKeys: []string{"a"}})
	require.NoError(t, err)
	got, err = s.c.ListTagsForResource(t.Context(), &ivschat.ListTagsForResourceInput{ResourceArn: r.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, got.Tags)
}

// frame is a server frame of the messaging WebSocket.
type frame struct {
	Type       string
	ID         string `json:"Id"`
	RequestID  string `json:"RequestId"`
	Content    string
	EventName  string
	SendTime   string
	Attributes map[string]string
	Sender     *struct {
		UserID     string `json:"UserId"`
		Attributes map[string]string
	}
	ErrorCode    int
	ErrorMessage string
}

// client is one messaging connection.
type client struct {
	t      *testing.T
	s      *suite
	ws     *websocket.Conn
	frames chan frame
	closed chan struct{}
}

func (s *suite) connect(t *testing.T, room *string, user string, caps ...types.ChatTokenCapability) *client {
	t.Helper()
	tok, err := s.c.CreateChatToken(t.Context(), &ivschat.CreateChatTokenInput{RoomIdentifier: room, UserId: aws.String(user),
		Capabilities: caps, Attributes: map[string]string{"displayName": user}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, s.wsURL, &websocket.DialOptions{Subprotocols: []string{aws.ToString(tok.Token)}})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(tok.Token), res.Header.Get("Sec-WebSocket-Protocol"), "the token is echoed as the sub-protocol")
	c := &client{t: t, s: s, ws: ws, frames: make(chan frame, 64), closed: make(chan struct{})}
	go func() {
		defer close(c.closed)
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			var f frame
			if json.Unmarshal(data, &f) == nil {
				c.frames <- f
			}
		}
	}()
	t.Cleanup(func() { ws.CloseNow() })

	// A token is accepted once.
	_, _, err = websocket.Dial(ctx, s.wsURL, &websocket.DialOptions{Subprotocols: []string{aws.ToString(tok.Token)}})
	assert.Error(t, err, "a used token is refused")
	return c
}

func (c *client) send(action string, req map[string]any) {
	c.t.Helper()
	c.s.target.Recorder.Record(MessagingService + "/" + action)
	req["Action"] = action
	data, err := json.Marshal(req)
	require.NoError(c.t, err)
	require.NoError(c.t, c.ws.Write(c.t.Context(), websocket.MessageText, data))
}

// next returns the next frame that match accepts (others are skipped).
func (c *client) next(what string, match func(frame) bool) frame {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	var skipped []frame
	for {
		select {
		case f := <-c.frames:
			if match(f) {
				return f
			}
			skipped = append(skipped, f)
		case <-c.closed:
			c.t.Fatalf("connection closed while waiting for %s (frames before: %+v)", what, skipped)
		case <-timeout:
			c.t.Fatalf("no %s within 10 s (frames: %+v)", what, skipped)
		}
	}
}

func isType(typ string) func(frame) bool { return func(f frame) bool { return f.Type == typ } }

func isEvent(name string) func(frame) bool {
	return func(f frame) bool { return f.Type == "EVENT" && f.EventName == name }
}

func (s *suite) messaging(t *testing.T) {
	r := s.room(t, &ivschat.CreateRoomInput{MaximumMessageLength: aws.Int32(20)})
	alice := s.connect(t, r.Arn, "alice", types.ChatTokenCapabilitySendMessage)
	bob := s.connect(t, r.Arn, "bob")

	alice.send("SEND_MESSAGE", map[string]any{"RequestId": "req-1", "Content": "héllo", "Attributes": map[string]string{"k": "v"}})
	mine := alice.next("own MESSAGE", isType("MESSAGE"))
	assert.Equal(t, "req-1", mine.RequestID, "the sender gets its own message with its RequestId")
	assert.Regexp(t, chatID, mine.ID)
	assert.Equal(t, "héllo", mine.Content)
	assert.Equal(t, map[string]string{"k": "v"}, mine.Attributes)
	require.NotNil(t, mine.Sender)
	assert.Equal(t, "alice", mine.Sender.UserID)
	assert.Equal(t, map[string]string{"displayName": "alice"}, mine.Sender.Attributes, "the token's attributes")
	_, err := time.Parse(time.RFC3339Nano, mine.SendTime)
	assert.NoError(t, err, "SendTime %q", mine.SendTime)
	theirs := bob.next("MESSAGE", isType("MESSAGE"))
	assert.Equal(t, mine.ID, theirs.ID)
	assert.Equal(t, "héllo", theirs.Content)

	// Length counts code points: 20 "é" fit, 21 do not.
	alice.send("SEND_MESSAGE", map[string]any{"RequestId": "req-2", "Content": strings.Repeat("é", 21)})
	tooLong := alice.next("ERROR", isType("ERROR"))
	assert.Equal(t, "req-2", tooLong.RequestID)
	assert.Contains(t, []int{400, 413}, tooLong.ErrorCode, "%+v", tooLong)

	// Without the capability: 403.
	bob.send("SEND_MESSAGE", map[string]any{"RequestId": "req-3", "Content": "hi"})
	denied := bob.next("ERROR", isType("ERROR"))
	assert.Equal(t, "req-3", denied.RequestID)
	assert.Equal(t, 403, denied.ErrorCode)
	bob.send("DELETE_MESSAGE", map[string]any{"RequestId": "req-4", "Id": mine.ID})
	assert.Equal(t, 403, bob.next("ERROR", isType("ERROR")).ErrorCode)
	bob.send("DISCONNECT_USER", map[string]any{"RequestId": "req-5", "UserId": "alice"})
	assert.Equal(t, 403, bob.next("ERROR", isType("ERROR")).ErrorCode)

	// SendEvent reaches every connection.
	ev, err := s.c.SendEvent(t.Context(), &ivschat.SendEventInput{RoomIdentifier: r.Arn, EventName: aws.String("app:overlay"), Attributes: map[string]string{"x": "1"}})
	require.NoError(t, err)
	assert.Regexp(t, chatID, aws.ToString(ev.Id))
	for _, c := range []*client{alice, bob} {
		got := c.next("app:overlay", isEvent("app:overlay"))
		assert.Equal(t, aws.ToString(ev.Id), got.ID)
		assert.Equal(t, map[string]string{"x": "1"}, got.Attributes)
	}
}

func (s *suite) moderation(t *testing.T) {
	r := s.room(t, nil)
	mod := s.connect(t, r.Arn, "mod", types.ChatTokenCapabilitySendMessage, types.ChatTokenCapabilityDeleteMessage, types.ChatTokenCapabilityDisconnectUser)
	viewer := s.connect(t, r.Arn, "viewer")

	mod.send("SEND_MESSAGE", map[string]any{"RequestId": "m1", "Content": "one"})
	msg := mod.next("MESSAGE", isType("MESSAGE"))

	// DELETE_MESSAGE from a client: aws:DELETE_MESSAGE to all, with the RequestId to the requester.
	mod.send("DELETE_MESSAGE", map[string]any{"RequestId": "d1", "Id": msg.ID, "Reason": "spam"})
	del := mod.next("aws:DELETE_MESSAGE", isEvent("aws:DELETE_MESSAGE"))
	assert.Equal(t, "d1", del.RequestID)
	assert.Equal(t, msg.ID, del.Attributes["MessageId"])
	assert.Equal(t, "spam", del.Attributes["Reason"])
	assert.Equal(t, msg.ID, viewer.next("aws:DELETE_MESSAGE", isEvent("aws:DELETE_MESSAGE")).Attributes["MessageId"])

	// DeleteMessage from the control plane.
	out, err := s.c.DeleteMessage(t.Context(), &ivschat.DeleteMessageInput{RoomIdentifier: r.Arn, Id: aws.String(msg.ID), Reason: aws.String("again")})
	require.NoError(t, err)
	assert.Regexp(t, chatID, aws.ToString(out.Id))
	got := viewer.next("aws:DELETE_MESSAGE", isEvent("aws:DELETE_MESSAGE"))
	assert.Equal(t, aws.ToString(out.Id), got.ID, "the event's id is the one returned")
	assert.Equal(t, "again", got.Attributes["Reason"])

	// DisconnectUser from the control plane: the event, then the user's connections close.
	second := s.connect(t, r.Arn, "viewer")
	_, err = s.c.DisconnectUser(t.Context(), &ivschat.DisconnectUserInput{RoomIdentifier: r.Arn, UserId: aws.String("viewer"), Reason: aws.String("bye")})
	require.NoError(t, err)
	dis := mod.next("aws:DISCONNECT_USER", isEvent("aws:DISCONNECT_USER"))
	assert.Equal(t, "viewer", dis.Attributes["UserId"])
	assert.Equal(t, "bye", dis.Attributes["Reason"])
	for _, c := range []*client{viewer, second} {
		select {
		case <-c.closed:
		case <-time.After(10 * time.Second):
			t.Fatal("the disconnected user's connection stays open")
		}
	}

	// DISCONNECT_USER from a client.
	other := s.connect(t, r.Arn, "other")
	mod.send("DISCONNECT_USER", map[string]any{"RequestId": "x1", "UserId": "other", "Reason": "out"})
	ack := mod.next("aws:DISCONNECT_USER", func(f frame) bool { return f.EventName == "aws:DISCONNECT_USER" && f.RequestID == "x1" })
	assert.Equal(t, "other", ack.Attributes["UserId"])
	select {
	case <-other.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("DISCONNECT_USER leaves the connection open")
	}
}

// messageReviewHandler: a room's messageReviewHandler as CreateRoom,
// UpdateRoom, GetRoom and ListRooms show it (fallbackResult ALLOW by
// default, an empty uri removes it, ListRooms filters by uri), its
// validation, and the fallbackResult applying when the handler cannot be
// invoked. The handler named is a function of the room's account and region
// that does not exist (so the suite needs no Lambda on AWS): IVS Chat then
// fails to invoke it, as it would fail on a handler's error or timeout.
func (s *suite) messageReviewHandler(t *testing.T) {
	probe := s.room(t, nil)
	m := regexp.MustCompile(`^arn:aws:ivschat:([a-z0-9-]+):(\d{12}):room/`).FindStringSubmatch(aws.ToString(probe.Arn))
	require.NotNil(t, m)
	fn := "arn:aws:lambda:" + m[1] + ":" + m[2] + ":function:" + s.target.Unique("review")

	deny := s.room(t, &ivschat.CreateRoomInput{MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String(fn), FallbackResult: types.FallbackResultDeny}})
	require.NotNil(t, deny.MessageReviewHandler)
	assert.Equal(t, fn, aws.ToString(deny.MessageReviewHandler.Uri))
	assert.Equal(t, types.FallbackResultDeny, deny.MessageReviewHandler.FallbackResult)
	got, err := s.c.GetRoom(t.Context(), &ivschat.GetRoomInput{Identifier: deny.Arn})
	require.NoError(t, err)
	require.NotNil(t, got.MessageReviewHandler)
	assert.Equal(t, types.FallbackResultDeny, got.MessageReviewHandler.FallbackResult)

	// The default fallback, set by UpdateRoom on a room without a handler.
	upd, err := s.c.UpdateRoom(t.Context(), &ivschat.UpdateRoomInput{Identifier: probe.Arn, MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String(fn)}})
	require.NoError(t, err)
	require.NotNil(t, upd.MessageReviewHandler)
	assert.Equal(t, fn, aws.ToString(upd.MessageReviewHandler.Uri))
	assert.Equal(t, types.FallbackResultAllow, upd.MessageReviewHandler.FallbackResult, "default fallbackResult")

	list, err := s.c.ListRooms(t.Context(), &ivschat.ListRoomsInput{MessageReviewHandlerUri: aws.String(fn)})
	require.NoError(t, err)
	listed := map[string]types.MessageReviewHandler{}
	for _, r := range list.Rooms {
		require.NotNil(t, r.MessageReviewHandler, "a summary's handler")
		listed[aws.ToString(r.Arn)] = *r.MessageReviewHandler
	}
	assert.Len(t, listed, 2, "ListRooms by messageReviewHandlerUri")
	// The summaries carry the handler and its fallbackResult (what
	// SetUpChatRooms compares with the setting it applies).
	for arn, fallback := range map[string]types.FallbackResult{aws.ToString(deny.Arn): types.FallbackResultDeny, aws.ToString(probe.Arn): types.FallbackResultAllow} {
		assert.Equal(t, fn, aws.ToString(listed[arn].Uri), arn)
		assert.Equal(t, fallback, listed[arn].FallbackResult, arn)
	}

	// Messages: the fallbackResult applies when the handler cannot run.
	denied := s.connect(t, deny.Arn, "sender", types.ChatTokenCapabilitySendMessage)
	denied.send("SEND_MESSAGE", map[string]any{"RequestId": "r-deny", "Content": "hello"})
	f := denied.next("reply", func(f frame) bool { return f.RequestID == "r-deny" })
	assert.Equal(t, "ERROR", f.Type)
	assert.Equal(t, 406, f.ErrorCode, "fallbackResult DENY: rejected as by the handler")
	allowed := s.connect(t, probe.Arn, "sender", types.ChatTokenCapabilitySendMessage)
	allowed.send("SEND_MESSAGE", map[string]any{"RequestId": "r-allow", "Content": "hello"})
	f = allowed.next("reply", func(f frame) bool { return f.RequestID == "r-allow" })
	assert.Equal(t, "MESSAGE", f.Type, "fallbackResult ALLOW: delivered")
	assert.Equal(t, "hello", f.Content)

	// An empty uri removes the handler.
	upd, err = s.c.UpdateRoom(t.Context(), &ivschat.UpdateRoomInput{Identifier: probe.Arn, MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String("")}})
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(handlerURI(upd.MessageReviewHandler)))

	// Validation.
	_, err = s.c.UpdateRoom(t.Context(), &ivschat.UpdateRoomInput{Identifier: probe.Arn, MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String(fn), FallbackResult: "MAYBE"}})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateRoom(t.Context(), &ivschat.CreateRoomInput{Name: aws.String(s.target.Unique("bad")),
		MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String("https://example.com/review")}})
	conformance.RequireCode(t, err, "ValidationException")
}

func handlerURI(h *types.MessageReviewHandler) *string {
	if h == nil {
		return nil
	}
	return h.Uri
}
