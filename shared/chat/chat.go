// Package chat issues IVS Chat tokens for channel chat rooms
// (POST /channel/chatToken/create). Anyone may read a room; signed-in users
// may write, unless the owner banned them; the owner moderates.
package chat

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/onair/onair/shared/directory"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// SessionDuration is how long a chat connection lasts before the client
// needs a new token.
const SessionDuration = 60 * time.Minute

// MaxAttributesBytes is IVS Chat's limit on a token's attributes.
const MaxAttributesBytes = 1024

// Roles, the values of the ChatTokensIssued metric's Role dimension.
const (
	RoleAnonymous = "anonymous"
	RoleViewer    = "viewer"
	RoleModerator = "moderator"
)

// Store is what token issuing reads.
type Store interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
	GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error)
}

// Tokens issues chat tokens (IVS Chat CreateChatToken).
type Tokens interface {
	CreateChatToken(ctx context.Context, req onair.ChatTokenRequest) (onair.ChatToken, error)
}

// RoomReview puts the message review handler on the owner's room if it
// lacks it (chatreview.Setup): a room provisioned before the handler existed
// gets it before anyone receives a new token to it.
type RoomReview interface {
	Ensure(ctx context.Context, owner onair.User) error
}

// Service serves the chat token route.
type Service struct {
	store  Store
	tokens Tokens
	review RoomReview
}

// New returns the service.
func New(st Store, tokens Tokens, review RoomReview) *Service {
	return &Service{store: st, tokens: tokens, review: review}
}

// CreateChatToken serves POST /channel/chatToken/create (see
// Service.CreateToken).
func CreateChatToken(st Store, tokens Tokens, review RoomReview) http.Handler {
	return httpapi.Func(New(st, tokens, review).CreateToken)
}

type tokenRequest struct {
	ChatRoomOwnerUsername string `json:"chatRoomOwnerUsername"`
}

// TokenResponse is the body of a successful token request.
type TokenResponse struct {
	Token                 string       `json:"token"`
	SessionExpirationTime httpapi.Time `json:"sessionExpirationTime"`
	TokenExpirationTime   httpapi.Time `json:"tokenExpirationTime"`
	// Capabilities always ends with VIEW_MESSAGE, which clients use to tell
	// a reader from nobody (IVS grants reading implicitly).
	Capabilities []string `json:"capabilities"`
}

// CreateToken serves POST /channel/chatToken/create {chatRoomOwnerUsername}.
// Behind httpapi.OptionalCaller: the caller, when there is one, is verified.
func (s *Service) CreateToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := httpapi.Decode(r, &req); err != nil {
		return err
	}
	name := strings.TrimSpace(req.ChatRoomOwnerUsername)
	if name == "" {
		return onair.Errorf(onair.Invalid, "BadRequestException", "Missing chatRoomOwnerUsername.")
	}
	ctx := r.Context()
	owner, err := s.store.GetUserByUsername(ctx, name)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.Errorf(onair.NotFound, "UserNotFoundException", "No channel is named %q.", name)
	}
	if err != nil {
		return err
	}
	if owner.ChatRoomArn == "" {
		return onair.Errorf(onair.NotFound, "ChatRoomArnNotFoundException", "This channel has no chat room yet.")
	}
	if err := s.review.Ensure(ctx, owner); err != nil {
		// The token is still useful (the room works, only unreviewed);
		// the next token request tries again.
		telemetry.Logger(ctx).Warn("chat room review handler not set", "room", owner.ChatRoomArn, "err", err.Error())
	}

	tr := onair.ChatTokenRequest{RoomArn: owner.ChatRoomArn, SessionDuration: SessionDuration}
	role := RoleAnonymous
	if caller, ok := httpapi.Caller(r); ok {
		viewer, err := s.viewer(ctx, owner, caller)
		if err != nil {
			return err
		}
		tr.UserID = onair.ChatUserID(viewer)
		tr.Attributes = Attributes(viewer)
		tr.Capabilities = []string{onair.ChatSendMessage}
		role = RoleViewer
		if viewer.Sub == owner.Sub {
			tr.Capabilities = append(tr.Capabilities, onair.ChatDeleteMessage, onair.ChatDisconnectUser)
			role = RoleModerator
		}
	} else {
		// Anonymous readers get a fresh id each time: nothing they do in the
		// room can be attributed, and reading needs no capability.
		tr.UserID = "anonymous-" + rand.Text()
	}

	tok, err := s.tokens.CreateChatToken(ctx, tr)
	if err != nil {
		return err
	}
	telemetry.MetricsFrom(ctx).Count(ctx, "ChatTokensIssued", 1, "Role", role)
	return httpapi.WriteJSON(w, http.StatusOK, TokenResponse{
		Token:                 tok.Token,
		SessionExpirationTime: httpapi.TimeOf(tok.SessionExpiration),
		TokenExpirationTime:   httpapi.TimeOf(tok.TokenExpiration),
		Capabilities:          append(append([]string{}, tr.Capabilities...), onair.ChatViewMessage),
	})
}

// viewer loads the signed-in caller and refuses them if the owner banned them.
func (s *Service) viewer(ctx context.Context, owner onair.User, caller onair.Caller) (onair.User, error) {
	viewer, err := s.store.GetUser(ctx, caller.Sub)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.User{}, onair.Errorf(onair.Forbidden, "ForbiddenException", "Your profile was not found.")
	}
	if err != nil {
		return onair.User{}, err
	}
	_, err = s.store.GetBan(ctx, owner.Sub, viewer.Sub)
	switch {
	case err == nil:
		return onair.User{}, onair.Errorf(onair.Forbidden, "ForbiddenException", "You are banned from this chat.")
	case !errors.Is(err, onair.ErrNotFound):
		return onair.User{}, err
	}
	return viewer, nil
}

// Attributes returns the chat attributes of u, which IVS attaches to every
// message u sends: how the sender is shown. channelAssetUrls is a JSON string
// of {avatar?}. Empty values are left out. If everything does not fit IVS's
// 1 KB limit (only a very long avatar URL could do that), the avatar URL is
// dropped and clients show the preset avatar.
func Attributes(u onair.User) map[string]string {
	assets := map[string]string{}
	if url := directory.AssetURLs(u)["avatar"]; url != "" {
		assets["avatar"] = url
	}
	encoded, _ := json.Marshal(assets) // a map of strings always encodes
	attrs := map[string]string{}
	for k, v := range map[string]string{
		"avatar":           u.Avatar,
		"color":            u.Color,
		"displayName":      u.Username,
		"channelArn":       u.ChannelArn,
		"channelAssetUrls": string(encoded),
	} {
		if v != "" {
			attrs[k] = v
		}
	}
	if AttributesSize(attrs) > MaxAttributesBytes {
		attrs["channelAssetUrls"] = "{}"
	}
	return attrs
}

// AttributesSize is the size IVS counts: every key and value, in bytes.
func AttributesSize(attrs map[string]string) int {
	n := 0
	for k, v := range attrs {
		n += len(k) + len(v)
	}
	return n
}
