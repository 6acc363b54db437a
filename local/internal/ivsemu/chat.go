package ivsemu

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Room is an IVS Chat room.
type Room struct {
	Arn                             string                `json:"arn"`
	ID                              string                `json:"id"`
	Name                            string                `json:"name"`
	CreateTime                      *Time                 `json:"createTime"`
	UpdateTime                      *Time                 `json:"updateTime"`
	MaximumMessageRatePerSecond     int                   `json:"maximumMessageRatePerSecond"`
	MaximumMessageLength            int                   `json:"maximumMessageLength"`
	MessageReviewHandler            *MessageReviewHandler `json:"messageReviewHandler,omitempty"`
	Tags                            map[string]string     `json:"tags"`
	LoggingConfigurationIdentifiers []string              `json:"loggingConfigurationIdentifiers"`
}

// MessageReviewHandler is a room's message review Lambda.
type MessageReviewHandler struct {
	URI            string `json:"uri"`
	FallbackResult string `json:"fallbackResult"`
}

// RoomSummary is a ListRooms item.
type RoomSummary struct {
	Arn                             string                `json:"arn"`
	ID                              string                `json:"id"`
	Name                            string                `json:"name"`
	MessageReviewHandler            *MessageReviewHandler `json:"messageReviewHandler,omitempty"`
	CreateTime                      *Time                 `json:"createTime"`
	UpdateTime                      *Time                 `json:"updateTime"`
	Tags                            map[string]string     `json:"tags"`
	LoggingConfigurationIdentifiers []string              `json:"loggingConfigurationIdentifiers"`
}

// Chat capabilities.
const (
	CapSendMessage    = "SEND_MESSAGE"
	CapDeleteMessage  = "DELETE_MESSAGE"
	CapDisconnectUser = "DISCONNECT_USER"
)

// Room defaults and limits (IVS Chat quotas).
const (
	defaultMaxMessageLength = 500
	defaultMaxMessageRate   = 10
	maxChatAttributesBytes  = 1024
	defaultChatSession      = 60 // minutes
	// Tokens are for opening a connection; the official JS SDK reopens its
	// connection (with a new token) 60 s before tokenExpirationTime, so it is
	// never earlier than needed: the session's end, capped at an hour.
	maxTokenLifetime = time.Hour
)

// ChatEvent is a chat event to broadcast to a room's connections.
type ChatEvent struct {
	ID         string
	EventName  string
	Attributes map[string]string
	SendTime   time.Time
}

// ChatHub is the messaging side of IVS Chat (the WebSocket server). The
// control-plane operations that act on live connections call it.
type ChatHub interface {
	// SendEvent broadcasts an EVENT to every connection of the room.
	SendEvent(ctx context.Context, roomArn string, ev ChatEvent)
	// DeleteMessage broadcasts aws:DELETE_MESSAGE (event id eventID).
	DeleteMessage(ctx context.Context, roomArn, eventID, messageID, reason string)
	// DisconnectUser broadcasts aws:DISCONNECT_USER and closes the user's
	// connections.
	DisconnectUser(ctx context.Context, roomArn, eventID, userID, reason string)
	// CloseRoom closes every connection of a deleted room.
	CloseRoom(ctx context.Context, roomArn string)
}

// ChatSession is what a redeemed chat token grants: one connection to a room
// as a user, with capabilities, until SessionExpiration.
type ChatSession struct {
	RoomArn           string
	UserID            string
	Attributes        map[string]string
	Capabilities      []string
	SessionExpiration time.Time
}

// Can reports whether the session has a capability.
func (c *ChatSession) Can(capability string) bool {
	for _, x := range c.Capabilities {
		if x == capability {
			return true
		}
	}
	return false
}

type chatTokenRecord struct {
	RoomArn           string            `json:"roomArn"`
	UserID            string            `json:"userId"`
	Attributes        map[string]string `json:"attributes"`
	Capabilities      []string          `json:"capabilities"`
	TokenExpiration   time.Time         `json:"tokenExpiration"`
	SessionExpiration time.Time         `json:"sessionExpiration"`
}

type roomSettings struct {
	Name                            *string               `json:"name"`
	MaximumMessageRatePerSecond     *int                  `json:"maximumMessageRatePerSecond"`
	MaximumMessageLength            *int                  `json:"maximumMessageLength"`
	MessageReviewHandler            *MessageReviewHandler `json:"messageReviewHandler"`
	LoggingConfigurationIdentifiers []string              `json:"loggingConfigurationIdentifiers"`
}

func (in *roomSettings) validate(c *check) {
	c.str("name", in.Name, 0, 128, reName)
	c.intRange("maximumMessageRatePerSecond", in.MaximumMessageRatePerSecond, 1, 100)
	c.intRange("maximumMessageLength", in.MaximumMessageLength, 1, 500)
	if h := in.MessageReviewHandler; h != nil {
		c.str("messageReviewHandler.uri", &h.URI, 0, 170, reLambdaArn)
		if h.FallbackResult != "" {
			c.enum("messageReviewHandler.fallbackResult", &h.FallbackResult, "ALLOW", "DENY")
		}
	}
	if len(in.LoggingConfigurationIdentifiers) > 3 {
		c.fail("loggingConfigurationIdentifiers", "<list>", "Member must have length less than or equal to 3")
	}
}

func (in *roomSettings) apply(r *Room) error {
	if len(in.LoggingConfigurationIdentifiers) > 0 {
		// The emulator has no logging configurations.
		e := errNotFound("Logging configuration not found: %s", in.LoggingConfigurationIdentifiers[0])
		e.ResourceID = in.LoggingConfigurationIdentifiers[0]
		e.ResourceType = "ROOM"
		return e
	}
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.MaximumMessageRatePerSecond != nil {
		r.MaximumMessageRatePerSecond = *in.MaximumMessageRatePerSecond
	}
	if in.MaximumMessageLength != nil {
		r.MaximumMessageLength = *in.MaximumMessageLength
	}
	if h := in.MessageReviewHandler; h != nil {
		if h.URI == "" {
			r.MessageReviewHandler = nil
		} else {
			fb := h.FallbackResult
			if fb == "" {
				fb = "ALLOW"
			}
			r.MessageReviewHandler = &MessageReviewHandler{URI: h.URI, FallbackResult: fb}
		}
	}
	return nil
}

func roomNotFound(arn string) *Error {
	e := errNotFound("Room not found: %s", arn)
	e.ResourceID = arn[strings.LastIndex(arn, "/")+1:]
	e.ResourceType = "ROOM"
	e.sentinel = ErrChatRoomNotFound
	return e
}

func (s *Service) getRoomRecord(tx *bolt.Tx, arn string) (*Room, error) {
	var r Room
	if err := get(tx, bRooms, arn, &r); err != nil {
		if err == errMissing {
			return nil, roomNotFound(arn)
		}
		return nil, err
	}
	r.Tags = nonNil(r.Tags)
	if r.LoggingConfigurationIdentifiers == nil {
		r.LoggingConfigurationIdentifiers = []string{}
	}
	return &r, nil
}

// ChatRoom returns a room by ARN (chatws reads its limits per message, so
// UpdateRoom applies at once).
func (s *Service) ChatRoom(ctx context.Context, arn string) (*Room, error) {
	var r *Room
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		r, err = s.getRoomRecord(tx, arn)
		return err
	})
	return r, err
}

type createRoomInput struct {
	roomSettings
	Tags map[string]string `json:"tags"`
}

func (s *Service) createRoom(ctx context.Context, in *createRoomInput) (any, error) {
	var c check
	in.validate(&c)
	c.tags("tags", in.Tags)
	if err := c.err(); err != nil {
		return nil, err
	}
	now := s.now()
	id := randomID(12)
	r := Room{Arn: s.arn("ivschat", "room", id), ID: id, CreateTime: ts(now), UpdateTime: ts(now),
		MaximumMessageRatePerSecond: defaultMaxMessageRate, MaximumMessageLength: defaultMaxMessageLength,
		Tags: nonNil(in.Tags), LoggingConfigurationIdentifiers: []string{}}
	if err := in.apply(&r); err != nil {
		return nil, err
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return put(tx, bRooms, r.Arn, r) }); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: chat room created", "room_arn", r.Arn)
	return r, nil
}

type identifierInput struct {
	Identifier *string `json:"identifier"`
}

func (s *Service) getRoom(ctx context.Context, in *identifierInput) (any, error) {
	var c check
	c.arn("identifier", in.Identifier, reRoomArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s.ChatRoom(ctx, *in.Identifier)
}

type updateRoomInput struct {
	Identifier *string `json:"identifier"`
	roomSettings
}

func (s *Service) updateRoom(ctx context.Context, in *updateRoomInput) (any, error) {
	var c check
	c.arn("identifier", in.Identifier, reRoomArn)
	in.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	var out *Room
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := s.getRoomRecord(tx, *in.Identifier)
		if err != nil {
			return err
		}
		if err := in.apply(r); err != nil {
			return err
		}
		r.UpdateTime = ts(s.now())
		out = r
		return put(tx, bRooms, r.Arn, r)
	})
	return out, err
}

func (s *Service) deleteRoom(ctx context.Context, in *identifierInput) (any, error) {
	var c check
	c.arn("identifier", in.Identifier, reRoomArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := s.getRoomRecord(tx, *in.Identifier); err != nil {
			return err
		}
		return del(tx, bRooms, *in.Identifier)
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.Chat != nil {
		s.cfg.Chat.CloseRoom(ctx, *in.Identifier)
	}
	s.log.InfoContext(ctx, "ivsemu: chat room deleted", "room_arn", *in.Identifier)
	return nil, nil
}

type listRoomsInput struct {
	Name                           *string `json:"name"`
	MessageReviewHandlerURI        *string `json:"messageReviewHandlerUri"`
	LoggingConfigurationIdentifier *string `json:"loggingConfigurationIdentifier"`
	NextToken                      *string `json:"nextToken"`
	MaxResults                     *int    `json:"maxResults"`
}

func (s *Service) listRooms(ctx context.Context, in *listRoomsInput) (any, error) {
	var c check
	c.str("name", in.Name, 0, 128, reName)
	c.str("messageReviewHandlerUri", in.MessageReviewHandlerURI, 0, 170, reLambdaArn)
	c.str("nextToken", in.NextToken, 0, 1024, nil)
	c.intRange("maxResults", in.MaxResults, 1, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	var rooms []Room
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bRooms, "", func(_ string, r *Room) error {
			uri := ""
			if r.MessageReviewHandler != nil {
				uri = r.MessageReviewHandler.URI
			}
			switch {
			case in.Name != nil && r.Name != *in.Name,
				in.MessageReviewHandlerURI != nil && uri != *in.MessageReviewHandlerURI,
				in.LoggingConfigurationIdentifier != nil:
				return nil
			}
			rooms = append(rooms, *r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rooms, func(i, j int) bool { return rooms[i].UpdateTime.After(rooms[j].UpdateTime.Time) })
	var items []RoomSummary
	for _, r := range rooms {
		lc := r.LoggingConfigurationIdentifiers
		if lc == nil {
			lc = []string{}
		}
		items = append(items, RoomSummary{Arn: r.Arn, ID: r.ID, Name: r.Name, MessageReviewHandler: r.MessageReviewHandler,
			CreateTime: r.CreateTime, UpdateTime: r.UpdateTime, Tags: nonNil(r.Tags), LoggingConfigurationIdentifiers: lc})
	}
	return pageReply("rooms", items, func(_ int, r RoomSummary) string { return descTime(r.UpdateTime) + r.Arn }, in.NextToken, in.MaxResults, 50)
}

type createChatTokenInput struct {
	RoomIdentifier           *string           `json:"roomIdentifier"`
	UserID                   *string           `json:"userId"`
	Capabilities             []string          `json:"capabilities"`
	SessionDurationInMinutes *int              `json:"sessionDurationInMinutes"`
	Attributes               map[string]string `json:"attributes"`
}

func (s *Service) createChatToken(ctx context.Context, in *createChatTokenInput) (any, error) {
	var c check
	c.arn("roomIdentifier", in.RoomIdentifier, reRoomArn)
	c.required("userId", in.UserID != nil)
	if in.UserID != nil {
		c.length("userId", *in.UserID, 1, 128)
	}
	c.enumList("capabilities", in.Capabilities, 0, 3, CapSendMessage, CapDisconnectUser, CapDeleteMessage)
	c.intRange("sessionDurationInMinutes", in.SessionDurationInMinutes, 1, 180)
	c.attributes("attributes", in.Attributes, maxChatAttributesBytes)
	if err := c.err(); err != nil {
		return nil, err
	}
	minutes := defaultChatSession
	if in.SessionDurationInMinutes != nil {
		minutes = *in.SessionDurationInMinutes
	}
	now := s.now()
	rec := chatTokenRecord{RoomArn: *in.RoomIdentifier, UserID: *in.UserID, Attributes: in.Attributes,
		Capabilities: in.Capabilities, SessionExpiration: now.Add(time.Duration(minutes) * time.Minute)}
	rec.TokenExpiration = rec.SessionExpiration
	if d := now.Add(maxTokenLifetime); d.Before(rec.TokenExpiration) {
		rec.TokenExpiration = d
	}
	token := newChatToken()
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := s.getRoomRecord(tx, rec.RoomArn); err != nil {
			return err
		}
		if err := purgeExpiredChatTokens(tx, now); err != nil {
			return err
		}
		if err := tx.Bucket([]byte(bChatTokenExp)).Put(chatTokenExpKey(rec.TokenExpiration, token), nil); err != nil {
			return err
		}
		return put(tx, bChatTokens, token, rec)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": token, "tokenExpirationTime": ts(rec.TokenExpiration),
		"sessionExpirationTime": ts(rec.SessionExpiration)}, nil
}

// chatTokenExpKey orders the expiry index by time: fixed-width nanoseconds,
// then the token.
func chatTokenExpKey(exp time.Time, token string) []byte {
	return []byte(fmt.Sprintf("%020d|%s", exp.UnixNano(), token))
}

// purgeExpiredChatTokens forgets tokens that can no longer be redeemed,
// walking the expiry index from its oldest entry and stopping at the first
// live one: the cost is the number of expired tokens, not of all tokens
// (a scan made minting slower with every outstanding token).
func purgeExpiredChatTokens(tx *bolt.Tx, now time.Time) error {
	idx, tokens := tx.Bucket([]byte(bChatTokenExp)), tx.Bucket([]byte(bChatTokens))
	c := idx.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		nanos, token, ok := strings.Cut(string(k), "|")
		if !ok {
			return fmt.Errorf("ivsemu: corrupt chat token index key %q", k)
		}
		if n, err := strconv.ParseInt(nanos, 10, 64); err != nil || !now.After(time.Unix(0, n)) {
			return err
		}
		if err := tokens.Delete([]byte(token)); err != nil {
			return err
		}
		if err := idx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// newChatToken returns an opaque token in the style of IVS's ("AQICAH…"),
// made only of URL-safe base64 characters, which are also valid in a
// Sec-WebSocket-Protocol value.
func newChatToken() string {
	b := make([]byte, 96)
	_, _ = rand.Read(b)
	return "AQICAH" + base64.RawURLEncoding.EncodeToString(b)
}

// RedeemChatToken consumes a chat token (tokens are single-use) and returns
// the session it grants. Errors: ErrChatTokenInvalid (unknown or already
// used), ErrChatTokenExpired, ErrChatRoomNotFound (room deleted since).
func (s *Service) RedeemChatToken(ctx context.Context, token string) (*ChatSession, error) {
	var rec chatTokenRecord
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := get(tx, bChatTokens, token, &rec); err != nil {
			if err == errMissing {
				return ErrChatTokenInvalid
			}
			return err
		}
		if err := del(tx, bChatTokens, token); err != nil {
			return err
		}
		if err := tx.Bucket([]byte(bChatTokenExp)).Delete(chatTokenExpKey(rec.TokenExpiration, token)); err != nil {
			return err
		}
		if s.now().After(rec.TokenExpiration) {
			return ErrChatTokenExpired
		}
		_, err := s.getRoomRecord(tx, rec.RoomArn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ChatSession{RoomArn: rec.RoomArn, UserID: rec.UserID, Attributes: rec.Attributes,
		Capabilities: rec.Capabilities, SessionExpiration: rec.SessionExpiration}, nil
}

type sendEventInput struct {
	RoomIdentifier *string           `json:"roomIdentifier"`
	EventName      *string           `json:"eventName"`
	Attributes     map[string]string `json:"attributes"`
}

func (s *Service) sendEvent(ctx context.Context, in *sendEventInput) (any, error) {
	var c check
	c.arn("roomIdentifier", in.RoomIdentifier, reRoomArn)
	c.required("eventName", in.EventName != nil)
	if in.EventName != nil {
		c.length("eventName", *in.EventName, 1, 100)
	}
	c.attributes("attributes", in.Attributes, maxChatAttributesBytes)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := s.ChatRoom(ctx, *in.RoomIdentifier); err != nil {
		return nil, err
	}
	ev := ChatEvent{ID: randomID(12), EventName: *in.EventName, Attributes: in.Attributes, SendTime: s.now()}
	if s.cfg.Chat != nil {
		s.cfg.Chat.SendEvent(ctx, *in.RoomIdentifier, ev)
	}
	return map[string]string{"id": ev.ID}, nil
}

type deleteMessageInput struct {
	RoomIdentifier *string `json:"roomIdentifier"`
	ID             *string `json:"id"`
	Reason         *string `json:"reason"`
}

func (s *Service) deleteMessage(ctx context.Context, in *deleteMessageInput) (any, error) {
	var c check
	c.arn("roomIdentifier", in.RoomIdentifier, reRoomArn)
	c.required("id", in.ID != nil)
	if in.ID != nil {
		c.length("id", *in.ID, 12, 12)
		c.pattern("id", *in.ID, reChatID)
	}
	c.str("reason", in.Reason, 1, 256, nil)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := s.ChatRoom(ctx, *in.RoomIdentifier); err != nil {
		return nil, err
	}
	id := randomID(12)
	if s.cfg.Chat != nil {
		s.cfg.Chat.DeleteMessage(ctx, *in.RoomIdentifier, id, *in.ID, deref(in.Reason))
	}
	return map[string]string{"id": id}, nil
}

type disconnectUserInput struct {
	RoomIdentifier *string `json:"roomIdentifier"`
	UserID         *string `json:"userId"`
	Reason         *string `json:"reason"`
}

func (s *Service) disconnectUser(ctx context.Context, in *disconnectUserInput) (any, error) {
	var c check
	c.arn("roomIdentifier", in.RoomIdentifier, reRoomArn)
	c.required("userId", in.UserID != nil)
	if in.UserID != nil {
		c.length("userId", *in.UserID, 1, 128)
	}
	c.str("reason", in.Reason, 1, 256, nil)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := s.ChatRoom(ctx, *in.RoomIdentifier); err != nil {
		return nil, err
	}
	if s.cfg.Chat != nil {
		s.cfg.Chat.DisconnectUser(ctx, *in.RoomIdentifier, randomID(12), *in.UserID, deref(in.Reason))
	}
	return struct{}{}, nil
}

// NewChatID returns an id in the format of chat message and event ids (12
// alphanumerics); chatws uses it for frames.
func NewChatID() string { return randomID(12) }
