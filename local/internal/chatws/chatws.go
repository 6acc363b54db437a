// Package chatws is the IVS Chat messaging WebSocket of the offline stack
// (spec/ivs-protocols.md §3.2): clients connect to ws://<host>/chat with a
// chat token as the WebSocket sub-protocol, exactly as the official
// amazon-ivs-chat-messaging SDK does when given that URL as regionOrUrl.
//
// Tokens come from ivsemu's CreateChatToken and are single-use; the
// connection lasts until the token's session expiration. Capabilities
// (SEND_MESSAGE, DELETE_MESSAGE, DISCONNECT_USER) are enforced, rooms'
// maximumMessageLength (code points) and maximumMessageRatePerSecond
// (room-wide) apply, and message review handlers are invoked when an Invoker
// is configured. The Hub also implements ivsemu.ChatHub, so the control
// plane's SendEvent, DeleteMessage, DisconnectUser and DeleteRoom act on the
// live connections.
package chatws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/onair/onair/local/internal/ivsemu"
)

// Path is where the messaging endpoint is mounted; the web app passes
// "ws://127.0.0.1:4566" + Path as the SDK's regionOrUrl.
const Path = "/chat"

// Actions lists the client requests (the frames' Action) the hub serves:
// what the conformance suite (local/conformance/ivschat) must cover.
func Actions() []string { return []string{"DELETE_MESSAGE", "DISCONNECT_USER", "SEND_MESSAGE"} }

// Rooms is what the hub needs from the IVS Chat control plane
// (*ivsemu.Service implements it).
type Rooms interface {
	RedeemChatToken(ctx context.Context, token string) (*ivsemu.ChatSession, error)
	ChatRoom(ctx context.Context, arn string) (*ivsemu.Room, error)
}

// Invoker runs a Lambda function (message review handlers), named as the
// room's messageReviewHandler names it: by its ARN.
type Invoker interface {
	Invoke(ctx context.Context, functionArn string, payload []byte) ([]byte, error)
}

// Config configures a Hub.
type Config struct {
	Now    func() time.Time // default time.Now
	Logger *slog.Logger
	// Review invokes rooms' message review handlers. Without it, rooms with
	// a handler apply the handler's fallbackResult.
	Review Invoker
	// ReviewTimeout is how long a review handler may take before the
	// fallback applies (IVS: 200 ms).
	ReviewTimeout time.Duration
}

// Hub holds the live connections of every room.
type Hub struct {
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	rooms map[string]map[*conn]struct{}
	sends map[string][]time.Time // room-wide SEND_MESSAGE times in the last second
}

// New returns a hub. Mount Handler at Path and run Run in the background.
func New(cfg Config) *Hub {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReviewTimeout <= 0 {
		cfg.ReviewTimeout = 200 * time.Millisecond
	}
	return &Hub{cfg: cfg, log: cfg.Logger, rooms: map[string]map[*conn]struct{}{}, sends: map[string][]time.Time{}}
}

// Error codes of ERROR frames.
const (
	codeBadRequest   = 400
	codeUnauthorized = 401
	codeForbidden    = 403
	codeNotFound     = 404
	codeRejected     = 406
	codeTooLarge     = 413
	codeRateLimited  = 429
	codeInternal     = 500
)

const (
	maxAttributesBytes = 1024
	maxReasonLength    = 256
	readLimit          = 64 * 1024
	outboxSize         = 256
	writeTimeout       = 5 * time.Second
)

// frame is every server-to-client message (MESSAGE, EVENT, ERROR).
type frame struct {
	Type         string            `json:"Type"`
	ID           string            `json:"Id"`
	RequestID    string            `json:"RequestId,omitempty"`
	Content      *string           `json:"Content,omitempty"`
	EventName    string            `json:"EventName,omitempty"`
	SendTime     string            `json:"SendTime,omitempty"`
	Attributes   map[string]string `json:"Attributes,omitempty"`
	Sender       *sender           `json:"Sender,omitempty"`
	ErrorCode    int               `json:"ErrorCode,omitempty"`
	ErrorMessage string            `json:"ErrorMessage,omitempty"`
}

type sender struct {
	UserID     string            `json:"UserId"`
	Attributes map[string]string `json:"Attributes,omitempty"`
}

// request is every client-to-server message.
type request struct {
	Action     string            `json:"Action"`
	RequestID  string            `json:"RequestId"`
	Content    *string           `json:"Content"`
	Attributes map[string]string `json:"Attributes"`
	ID         string            `json:"Id"`
	Reason     string            `json:"Reason"`
	UserID     string            `json:"UserId"`
}

// Why a client frame is not a request.
var (
	errNotText = errors.New("Requests must be JSON text frames.")
	errNotUTF8 = errors.New("Text frames must be UTF-8.")
	errNotJSON = errors.New("The request is not valid JSON.")
)

// parseRequest reads a client frame: a text frame, in UTF-8, holding a JSON
// object. The error's text is the ERROR frame's message.
func parseRequest(typ websocket.MessageType, data []byte) (*request, error) {
	if typ != websocket.MessageText {
		return nil, errNotText
	}
	if !utf8.Valid(data) {
		return nil, errNotUTF8
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		return nil, errNotJSON
	}
	return &req, nil
}

func (h *Hub) sendTime() string { return h.cfg.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

// conn is one client connection.
type conn struct {
	ws     *websocket.Conn
	sess   *ivsemu.ChatSession
	remote string

	mu     sync.Mutex
	outbox chan outgoing
	closed bool
}

type outgoing struct {
	data  []byte
	close *closeReq // after data (if any), close the socket
}

type closeReq struct {
	code   websocket.StatusCode
	reason string
}

// send queues a frame; a client too slow to keep up is disconnected.
func (c *conn) send(f frame) {
	data, _ := json.Marshal(f)
	c.enqueue(outgoing{data: data})
}

// closeWith queues a close after the frames already queued.
func (c *conn) closeWith(code websocket.StatusCode, reason string) {
	c.enqueue(outgoing{close: &closeReq{code, reason}})
}

func (c *conn) enqueue(o outgoing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if o.close != nil {
		c.closed = true
	}
	select {
	case c.outbox <- o:
	default:
		c.closed = true
		if c.ws != nil { // nil: still in the handshake; the writer then finds the outbox closed
			go c.ws.Close(websocket.StatusPolicyViolation, "client too slow")
		}
	}
	if c.closed {
		close(c.outbox)
	}
}

// writeLoop writes queued frames in order, then the close.
func (c *conn) writeLoop() {
	for o := range c.outbox {
		if o.data != nil {
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, o.data)
			cancel()
			if err != nil {
				c.ws.CloseNow()
				return
			}
		}
		if o.close != nil {
			_ = c.ws.Close(o.close.code, o.close.reason)
			return
		}
	}
}

// Handler serves the messaging WebSocket (mount it at Path).
func (h *Hub) Handler(rooms Rooms) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := offeredProtocol(r)
		if token == "" {
			http.Error(w, "a chat token is required as the WebSocket sub-protocol", http.StatusUnauthorized)
			return
		}
		sess, err := rooms.RedeemChatToken(r.Context(), token)
		switch {
		case errors.Is(err, ivsemu.ErrChatRoomNotFound):
			http.Error(w, "chat room not found", http.StatusNotFound)
			return
		case errors.Is(err, ivsemu.ErrChatTokenInvalid), errors.Is(err, ivsemu.ErrChatTokenExpired):
			h.log.Info("chatws: connection refused", "reason", err.Error())
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		case err != nil:
			h.log.Error("chatws: redeem token", "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		// The connection joins the room before the handshake completes: a
		// client that sees the socket open receives every later frame (the
		// conformance suite sends right after connecting). Frames queue in
		// the outbox until the writer starts.
		c := &conn{sess: sess, remote: clientIP(r), outbox: make(chan outgoing, outboxSize)}
		h.register(c)
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			Subprotocols: []string{token}, // echoed: browsers require it
			// Like IVS, any web origin may connect with a valid token.
			InsecureSkipVerify: true,
		})
		if err != nil {
			h.unregister(c)
			h.log.Warn("chatws: upgrade failed", "error", err.Error())
			return
		}
		ws.SetReadLimit(readLimit)
		c.mu.Lock()
		c.ws = ws
		dropped := c.closed && len(c.outbox) == 0 // overflowed during the handshake
		c.mu.Unlock()
		if dropped {
			h.unregister(c)
			_ = ws.Close(websocket.StatusPolicyViolation, "client too slow")
			return
		}
		h.log.Info("chatws: connected", "room_arn", sess.RoomArn, "user_id", sess.UserID)
		go c.writeLoop()
		h.readLoop(rooms, c)
		h.unregister(c)
		h.log.Info("chatws: disconnected", "room_arn", sess.RoomArn, "user_id", sess.UserID)
	})
}

func offeredProtocol(r *http.Request) string {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				return p
			}
		}
	}
	return ""
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Hub) register(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.rooms[c.sess.RoomArn]
	if set == nil {
		set = map[*conn]struct{}{}
		h.rooms[c.sess.RoomArn] = set
	}
	set[c] = struct{}{}
}

func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.rooms[c.sess.RoomArn]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(h.rooms, c.sess.RoomArn)
			delete(h.sends, c.sess.RoomArn)
		}
	}
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.outbox)
	}
	c.mu.Unlock()
}

func (h *Hub) roomConns(roomArn string) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*conn, 0, len(h.rooms[roomArn]))
	for c := range h.rooms[roomArn] {
		out = append(out, c)
	}
	return out
}

// allConns returns the connections of every room: a copy, so that callers
// can close them without holding h.mu.
func (h *Hub) allConns() []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var all []*conn
	for _, set := range h.rooms {
		for c := range set {
			all = append(all, c)
		}
	}
	return all
}

// Connections returns how many connections a room has (for tests and the
// offline program's status page).
func (h *Hub) Connections(roomArn string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rooms[roomArn])
}

func (h *Hub) readLoop(rooms Rooms, c *conn) {
	ctx := context.Background()
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		if h.expired(c) {
			return
		}
		req, err := parseRequest(typ, data)
		switch {
		case errors.Is(err, errNotUTF8):
			// RFC 6455 §8.1: a text frame that is not UTF-8 fails the
			// connection with 1007; it is never relayed.
			c.closeWith(websocket.StatusInvalidFramePayloadData, "text frame is not valid UTF-8")
			h.log.Info("chatws: invalid UTF-8 text frame, connection closed", "room_arn", c.sess.RoomArn, "user_id", c.sess.UserID)
			return
		case err != nil:
			c.send(h.errorFrame("", codeBadRequest, err.Error()))
			continue
		}
		switch req.Action {
		case "SEND_MESSAGE":
			h.sendMessage(ctx, rooms, c, req)
		case "DELETE_MESSAGE":
			h.clientDeleteMessage(ctx, c, req)
		case "DISCONNECT_USER":
			h.clientDisconnectUser(ctx, c, req)
		default:
			c.send(h.errorFrame(req.RequestID, codeBadRequest, fmt.Sprintf("Unknown Action %q.", req.Action)))
		}
	}
}

func (h *Hub) errorFrame(requestID string, code int, msg string) frame {
	return frame{Type: "ERROR", ID: ivsemu.NewChatID(), RequestID: requestID, ErrorCode: code, ErrorMessage: msg}
}

// expired closes a connection whose session has ended: an ERROR 401 (the
// SDK then fetches a new token and reconnects) and a normal close.
func (h *Hub) expired(c *conn) bool {
	if h.cfg.Now().Before(c.sess.SessionExpiration) {
		return false
	}
	c.send(h.errorFrame("", codeUnauthorized, "The chat session has expired."))
	c.closeWith(websocket.StatusNormalClosure, "session expired")
	h.log.Info("chatws: session expired", "room_arn", c.sess.RoomArn, "user_id", c.sess.UserID)
	return true
}

// Sweep closes connections whose session has expired. Run calls it every
// second; tests call it after moving their clock.
func (h *Hub) Sweep() {
	for _, c := range h.allConns() {
		h.expired(c)
	}
}

// Run sweeps expired sessions until ctx is done.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.Sweep()
		}
	}
}

// Close closes every connection (shutdown).
func (h *Hub) Close() {
	for _, c := range h.allConns() {
		c.closeWith(websocket.StatusGoingAway, "server shutting down")
	}
}

// allowSend applies the room-wide message rate limit.
func (h *Hub) allowSend(roomArn string, perSecond int) bool {
	now := h.cfg.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	recent := h.sends[roomArn][:0]
	for _, t := range h.sends[roomArn] {
		if now.Sub(t) < time.Second {
			recent = append(recent, t)
		}
	}
	if len(recent) >= perSecond {
		h.sends[roomArn] = recent
		return false
	}
	h.sends[roomArn] = append(recent, now)
	return true
}

func attributesSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	return n
}

func (h *Hub) sendMessage(ctx context.Context, rooms Rooms, c *conn, req *request) {
	fail := func(code int, msg string) { c.send(h.errorFrame(req.RequestID, code, msg)) }
	if !c.sess.Can(ivsemu.CapSendMessage) {
		fail(codeForbidden, "The chat token does not grant the SEND_MESSAGE capability.")
		return
	}
	room, err := rooms.ChatRoom(ctx, c.sess.RoomArn)
	if errors.Is(err, ivsemu.ErrChatRoomNotFound) {
		fail(codeNotFound, "The chat room no longer exists.")
		return
	}
	if err != nil {
		fail(codeInternal, "Internal error.")
		return
	}
	if req.Content == nil || *req.Content == "" {
		fail(codeBadRequest, "Content is required.")
		return
	}
	if n := utf8.RuneCountInString(*req.Content); n > room.MaximumMessageLength {
		fail(codeTooLarge, fmt.Sprintf("Message exceeds maximum length of %d characters.", room.MaximumMessageLength))
		return
	}
	if attributesSize(req.Attributes) > maxAttributesBytes {
		fail(codeTooLarge, "Attributes exceed 1 KB.")
		return
	}
	if !h.allowSend(c.sess.RoomArn, room.MaximumMessageRatePerSecond) {
		fail(codeRateLimited, fmt.Sprintf("Rate limit exceeded: the room accepts %d messages per second.", room.MaximumMessageRatePerSecond))
		return
	}
	id := ivsemu.NewChatID()
	content, attrs := *req.Content, req.Attributes
	if room.MessageReviewHandler != nil {
		var (
			reason string
			ok     bool
		)
		content, attrs, reason, ok = h.review(ctx, room, c, id, content, attrs)
		if !ok {
			if reason == "" {
				reason = "The message was rejected by the room's message review handler."
			}
			fail(codeRejected, reason)
			return
		}
	}
	msg := frame{Type: "MESSAGE", ID: id, Content: &content, SendTime: h.sendTime(), Attributes: attrs,
		Sender: &sender{UserID: c.sess.UserID, Attributes: c.sess.Attributes}}
	h.broadcast(c.sess.RoomArn, msg, c, req.RequestID)
}

// broadcast sends f to every connection of the room; the requester's copy
// carries its RequestId (that is how the SDK resolves its promise).
func (h *Hub) broadcast(roomArn string, f frame, requester *conn, requestID string) {
	for _, o := range h.roomConns(roomArn) {
		g := f
		if o == requester {
			g.RequestID = requestID
		}
		o.send(g)
	}
}

type reviewRequest struct {
	Content    string            `json:"Content"`
	MessageID  string            `json:"MessageId"`
	RoomArn    string            `json:"RoomArn"`
	Attributes map[string]string `json:"Attributes"`
	Sender     struct {
		Attributes map[string]string `json:"Attributes"`
		UserID     string            `json:"UserId"`
		IP         string            `json:"Ip"`
	} `json:"Sender"`
}

type reviewResponse struct {
	ReviewResult string            `json:"ReviewResult"`
	Content      *string           `json:"Content"`
	Attributes   map[string]string `json:"Attributes"`
}

// review runs the room's message review handler as IVS Chat does: the
// function named by the handler's uri gets the message before anyone else,
// and has ReviewTimeout to answer; when it fails, times out, answers
// something invalid or is not reachable offline, the room's fallbackResult
// applies. A DENY's Reason attribute is the sender's error message.
func (h *Hub) review(ctx context.Context, room *ivsemu.Room, c *conn, id, content string, attrs map[string]string) (string, map[string]string, string, bool) {
	fallback := room.MessageReviewHandler.FallbackResult != "DENY"
	if h.cfg.Review == nil {
		h.log.Warn("chatws: no invoker for message review handler; applying fallback", "room_arn", room.Arn,
			"fallback", room.MessageReviewHandler.FallbackResult)
		return content, attrs, "", fallback
	}
	var in reviewRequest
	in.Content, in.MessageID, in.RoomArn, in.Attributes = content, id, room.Arn, attrs
	in.Sender.Attributes, in.Sender.UserID, in.Sender.IP = c.sess.Attributes, c.sess.UserID, c.remote
	payload, _ := json.Marshal(in)
	out, err := h.invokeWithin(ctx, room.MessageReviewHandler.URI, payload)
	var res reviewResponse
	if err == nil {
		err = json.Unmarshal(out, &res)
	}
	if err == nil && res.ReviewResult != "ALLOW" && res.ReviewResult != "DENY" {
		err = fmt.Errorf("invalid ReviewResult %q", res.ReviewResult)
	}
	if err != nil {
		h.log.Warn("chatws: message review failed; applying fallback", "room_arn", room.Arn,
			"fallback", room.MessageReviewHandler.FallbackResult, "error", err.Error())
		return content, attrs, "", fallback
	}
	if res.ReviewResult == "DENY" {
		return "", nil, res.Attributes["Reason"], false
	}
	if res.Content != nil && *res.Content != "" {
		content = *res.Content
	}
	if res.Attributes != nil {
		attrs = res.Attributes
	}
	return content, attrs, "", true
}

// invokeWithin invokes the handler and gives up after ReviewTimeout, even if
// the invocation itself goes on (the host runs a function to its own
// timeout, as Lambda does; IVS Chat only stops waiting).
func (h *Hub) invokeWithin(ctx context.Context, uri string, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.ReviewTimeout)
	defer cancel()
	type answer struct {
		out []byte
		err error
	}
	done := make(chan answer, 1)
	go func() {
		out, err := h.cfg.Review.Invoke(ctx, uri, payload)
		done <- answer{out, err}
	}()
	select {
	case a := <-done:
		return a.out, a.err
	case <-ctx.Done():
		return nil, fmt.Errorf("no answer within %v: %w", h.cfg.ReviewTimeout, ctx.Err())
	}
}

func (h *Hub) clientDeleteMessage(ctx context.Context, c *conn, req *request) {
	switch {
	case !c.sess.Can(ivsemu.CapDeleteMessage):
		c.send(h.errorFrame(req.RequestID, codeForbidden, "The chat token does not grant the DELETE_MESSAGE capability."))
	case req.ID == "":
		c.send(h.errorFrame(req.RequestID, codeBadRequest, "Id is required."))
	case utf8.RuneCountInString(req.Reason) > maxReasonLength:
		c.send(h.errorFrame(req.RequestID, codeTooLarge, "Reason exceeds 256 characters."))
	default:
		h.deleteMessage(c.sess.RoomArn, ivsemu.NewChatID(), req.ID, req.Reason, c, req.RequestID)
	}
}

func (h *Hub) clientDisconnectUser(ctx context.Context, c *conn, req *request) {
	switch {
	case !c.sess.Can(ivsemu.CapDisconnectUser):
		c.send(h.errorFrame(req.RequestID, codeForbidden, "The chat token does not grant the DISCONNECT_USER capability."))
	case req.UserID == "":
		c.send(h.errorFrame(req.RequestID, codeBadRequest, "UserId is required."))
	case utf8.RuneCountInString(req.Reason) > maxReasonLength:
		c.send(h.errorFrame(req.RequestID, codeTooLarge, "Reason exceeds 256 characters."))
	default:
		h.disconnectUser(c.sess.RoomArn, ivsemu.NewChatID(), req.UserID, req.Reason, c, req.RequestID)
	}
}

func (h *Hub) deleteMessage(roomArn, eventID, messageID, reason string, requester *conn, requestID string) {
	attrs := map[string]string{"MessageId": messageID, "MessageID": messageID}
	if reason != "" {
		attrs["Reason"] = reason
	}
	h.broadcast(roomArn, frame{Type: "EVENT", ID: eventID, EventName: "aws:DELETE_MESSAGE",
		SendTime: h.sendTime(), Attributes: attrs}, requester, requestID)
}

func (h *Hub) disconnectUser(roomArn, eventID, userID, reason string, requester *conn, requestID string) {
	attrs := map[string]string{"UserId": userID}
	if reason != "" {
		attrs["Reason"] = reason
	}
	h.broadcast(roomArn, frame{Type: "EVENT", ID: eventID, EventName: "aws:DISCONNECT_USER",
		SendTime: h.sendTime(), Attributes: attrs}, requester, requestID)
	n := 0
	for _, o := range h.roomConns(roomArn) {
		if o.sess.UserID == userID {
			o.closeWith(websocket.StatusNormalClosure, "disconnected: "+reason)
			n++
		}
	}
	h.log.Info("chatws: user disconnected", "room_arn", roomArn, "user_id", userID, "connections", n)
}

// SendEvent implements ivsemu.ChatHub.
func (h *Hub) SendEvent(ctx context.Context, roomArn string, ev ivsemu.ChatEvent) {
	f := frame{Type: "EVENT", ID: ev.ID, EventName: ev.EventName,
		SendTime: ev.SendTime.UTC().Format("2006-01-02T15:04:05.000Z"), Attributes: ev.Attributes}
	h.broadcast(roomArn, f, nil, "")
}

// DeleteMessage implements ivsemu.ChatHub.
func (h *Hub) DeleteMessage(ctx context.Context, roomArn, eventID, messageID, reason string) {
	h.deleteMessage(roomArn, eventID, messageID, reason, nil, "")
}

// DisconnectUser implements ivsemu.ChatHub.
func (h *Hub) DisconnectUser(ctx context.Context, roomArn, eventID, userID, reason string) {
	h.disconnectUser(roomArn, eventID, userID, reason, nil, "")
}

// CloseRoom implements ivsemu.ChatHub: the room was deleted.
func (h *Hub) CloseRoom(ctx context.Context, roomArn string) {
	for _, c := range h.roomConns(roomArn) {
		c.closeWith(websocket.StatusNormalClosure, "room deleted")
	}
}

var _ ivsemu.ChatHub = (*Hub)(nil)
