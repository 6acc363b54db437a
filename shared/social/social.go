// Package social serves the relations between users: following channels
// (follow, unfollow, the following list) and channel owners' bans.
package social

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/onair/onair/shared/directory"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// MaxFollowing is the length of the following list, as in the reference.
const MaxFollowing = 50

// BanReason is what a banned user's chat client is told.
const BanReason = "Banned by the channel owner"

// Store is what follows and bans read and write.
type Store interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetUsers(ctx context.Context, subs []string) ([]onair.User, error)
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
	GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error)

	PutFollow(ctx context.Context, f onair.Follow) (created bool, err error)
	DeleteFollow(ctx context.Context, followerSub, followedSub string) (deleted bool, err error)
	ListFollowing(ctx context.Context, followerSub string) ([]onair.Follow, error)

	PutBan(ctx context.Context, b onair.Ban) (created bool, err error)
	DeleteBan(ctx context.Context, ownerSub, bannedSub string) (deleted bool, err error)
	// ListBans returns the owner's bans, most recent first.
	ListBans(ctx context.Context, ownerSub string) ([]onair.Ban, error)
}

// ChatModerator disconnects users from chat rooms (IVS Chat DisconnectUser).
type ChatModerator interface {
	DisconnectUser(ctx context.Context, roomArn, userID, reason string) error
}

// FollowChannel serves PUT /channel/followingList/add.
func FollowChannel(st Store, now func() time.Time) http.Handler {
	return httpapi.Func(newService(st, nil, now).Follow)
}

// UnfollowChannel serves PUT /channel/followingList/remove.
func UnfollowChannel(st Store) http.Handler {
	return httpapi.Func(newService(st, nil, nil).Unfollow)
}

// GetFollowingList serves GET /channel/followingList.
func GetFollowingList(st Store) http.Handler {
	return httpapi.Func(newService(st, nil, nil).FollowingList)
}

// RoomReview puts the message review handler on the owner's room if it
// lacks it (chatreview.Setup): the handler is what denies a banned user's
// messages sent with a token minted before the ban.
type RoomReview interface {
	Ensure(ctx context.Context, owner onair.User) error
}

// BanUser serves POST /channel/ban; the banned user is disconnected from
// the caller's chat room through chat, and the room is made sure to have
// the review handler through review.
func BanUser(st Store, chat ChatModerator, review RoomReview, now func() time.Time) http.Handler {
	s := newService(st, chat, now)
	s.review = review
	return httpapi.Func(s.Ban)
}

// UnbanUser serves POST /channel/unban.
func UnbanUser(st Store) http.Handler {
	return httpapi.Func(newService(st, nil, nil).Unban)
}

// ListBannedUsers serves GET /channel/bans.
func ListBannedUsers(st Store) http.Handler {
	return httpapi.Func(newService(st, nil, nil).BannedUsers)
}

// service implements the follow and ban routes; chat and review are set
// for BanUser only, the one route that uses them.
type service struct {
	store  Store
	chat   ChatModerator
	review RoomReview
	now    func() time.Time
}

func newService(st Store, chat ChatModerator, now func() time.Time) *service {
	if now == nil {
		now = time.Now
	}
	return &service{store: st, chat: chat, now: now}
}

type followRequest struct {
	FollowedUsername string `json:"followedUsername"`
}

// followed resolves the body of a follow route to the followed user.
func (s *service) followed(r *http.Request, caller onair.Caller) (onair.User, error) {
	var req followRequest
	if err := httpapi.Decode(r, &req); err != nil {
		return onair.User{}, err
	}
	name := strings.TrimSpace(req.FollowedUsername)
	if name == "" {
		return onair.User{}, onair.Errorf(onair.Invalid, "BadRequestException", "Missing followedUsername.")
	}
	u, err := s.userByName(r.Context(), name)
	if err != nil {
		return onair.User{}, err
	}
	if u.Sub == caller.Sub {
		return onair.User{}, onair.Errorf(onair.Invalid, "BadRequestException", "You cannot follow yourself.")
	}
	return u, nil
}

func (s *service) userByName(ctx context.Context, name string) (onair.User, error) {
	u, err := s.store.GetUserByUsername(ctx, name)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.User{}, onair.Errorf(onair.NotFound, "UserNotFoundException", "No user is named %q.", name)
	}
	return u, err
}

// Follow serves PUT /channel/followingList/add: 200 {} when the caller starts
// following, 204 when they already did.
func (s *service) Follow(w http.ResponseWriter, r *http.Request) error {
	caller, err := httpapi.MustCaller(r)
	if err != nil {
		return err
	}
	target, err := s.followed(r, caller)
	if err != nil {
		return err
	}
	created, err := s.store.PutFollow(r.Context(), onair.Follow{FollowerSub: caller.Sub, FollowedSub: target.Sub, At: s.now().UTC()})
	if err != nil {
		return err
	}
	if !created {
		return httpapi.WriteJSON(w, http.StatusNoContent, nil)
	}
	return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

// Unfollow serves PUT /channel/followingList/remove. Unfollowing a channel
// the caller does not follow succeeds: the outcome is the one asked for.
func (s *service) Unfollow(w http.ResponseWriter, r *http.Request) error {
	caller, err := httpapi.MustCaller(r)
	if err != nil {
		return err
	}
	target, err := s.followed(r, caller)
	if err != nil {
		return err
	}
	if _, err := s.store.DeleteFollow(r.Context(), caller.Sub, target.Sub); err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

// FollowedChannel is an entry of the following list.
type FollowedChannel struct {
	directory.Card
	IsLive  bool   `json:"isLive"`
	StageID string `json:"stageId,omitempty"`
}

// FollowingResponse is the body of GET /channel/followingList.
type FollowingResponse struct {
	Channels   []FollowedChannel `json:"channels"`
	MaxResults int               `json:"maxResults"`
}

// FollowingList serves GET /channel/followingList: the followed channels
// that are live, most recently started first, then the others, most recently
// followed first; 50 at most. Users who have since deleted their account are
// left out.
func (s *service) FollowingList(w http.ResponseWriter, r *http.Request) error {
	caller, err := httpapi.MustCaller(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	follows, err := s.store.ListFollowing(ctx, caller.Sub)
	if err != nil {
		return err
	}
	resp := FollowingResponse{Channels: []FollowedChannel{}, MaxResults: MaxFollowing}
	if len(follows) == 0 {
		return httpapi.WriteJSON(w, http.StatusOK, resp)
	}
	subs := make([]string, len(follows))
	for i, f := range follows {
		subs[i] = f.FollowedSub
	}
	bySub, err := s.usersBySub(ctx, subs)
	if err != nil {
		return err
	}

	// Follows come most recent first; keep that order for offline channels.
	var live, offline []onair.User
	for _, f := range follows {
		u, ok := bySub[f.FollowedSub]
		if !ok {
			continue
		}
		delete(bySub, f.FollowedSub) // a duplicate edge must not list a channel twice
		if u.IsLive() {
			live = append(live, u)
		} else {
			offline = append(offline, u)
		}
	}
	sort.SliceStable(live, func(i, j int) bool { return live[i].LiveSince.After(*live[j].LiveSince) })
	for _, u := range append(live, offline...) {
		if len(resp.Channels) == MaxFollowing {
			break
		}
		resp.Channels = append(resp.Channels, FollowedChannel{Card: directory.CardOf(u), IsLive: u.IsLive(), StageID: u.StageID})
	}
	return httpapi.WriteJSON(w, http.StatusOK, resp)
}

type banRequest struct {
	BannedChannelArn string `json:"bannedChannelArn"`
	BannedUsername   string `json:"bannedUsername"`
}

// banned resolves the body of a ban route to the banned user.
func (s *service) banned(r *http.Request, caller onair.Caller, verb string) (onair.User, error) {
	var req banRequest
	if err := httpapi.Decode(r, &req); err != nil {
		return onair.User{}, err
	}
	arn, name := strings.TrimSpace(req.BannedChannelArn), strings.TrimSpace(req.BannedUsername)
	var (
		u   onair.User
		err error
	)
	switch {
	case arn != "" && name != "":
		return onair.User{}, onair.Errorf(onair.Invalid, "BadRequestException", "Send bannedChannelArn or bannedUsername, not both.")
	case arn != "":
		u, err = s.store.GetUserByChannelArn(r.Context(), arn)
		if errors.Is(err, onair.ErrNotFound) {
			return onair.User{}, onair.Errorf(onair.NotFound, "UserNotFoundException", "No channel has this ARN.")
		}
	case name != "":
		u, err = s.userByName(r.Context(), name)
	default:
		return onair.User{}, onair.Errorf(onair.Invalid, "BadRequestException", "Missing bannedChannelArn or bannedUsername.")
	}
	if err != nil {
		return onair.User{}, err
	}
	if u.Sub == caller.Sub {
		return onair.User{}, onair.Errorf(onair.Invalid, "BadRequestException", "You cannot %s yourself.", verb)
	}
	return u, nil
}

// Ban serves POST /channel/ban. The ban is stored first — it is what refuses
// the user's next chat token and hides the stream from them — and then the
// user is disconnected from the caller's chat room, under the same chat user
// id their tokens carry (onair.ChatUserID, the sub). Banning again repeats the
// disconnect, so a client may retry a ban whose disconnect failed.
func (s *service) Ban(w http.ResponseWriter, r *http.Request) error {
	caller, err := httpapi.MustCaller(r)
	if err != nil {
		return err
	}
	target, err := s.banned(r, caller, "ban")
	if err != nil {
		return err
	}
	ctx := r.Context()
	created, err := s.store.PutBan(ctx, onair.Ban{OwnerSub: caller.Sub, BannedSub: target.Sub, At: s.now().UTC()})
	if err != nil {
		return err
	}
	if created {
		telemetry.MetricsFrom(ctx).Count(ctx, "UsersBanned", 1)
	}
	owner, err := s.store.GetUser(ctx, caller.Sub)
	if err != nil && !errors.Is(err, onair.ErrNotFound) {
		return err
	}
	if owner.ChatRoomArn != "" {
		// First the handler, which denies the banned user's messages
		// whatever token they hold (tokens minted before the ban open new
		// connections until they expire); then the disconnect.
		if err := s.review.Ensure(ctx, owner); err != nil {
			return onair.Wrap(onair.Internal, "BanUserException",
				"The user is banned but the chat room could not be updated; try again.", err)
		}
		err := s.chat.DisconnectUser(ctx, owner.ChatRoomArn, onair.ChatUserID(target), BanReason)
		switch {
		case errors.Is(err, onair.ErrNotFound):
			// No room, so nobody to disconnect.
			telemetry.Logger(ctx).Warn("ban: chat room not found", "room", owner.ChatRoomArn)
		case err != nil:
			code := onair.ErrorCode(err)
			if code != onair.Throttled && code != onair.Unavailable {
				code = onair.Internal
			}
			return onair.Wrap(code, "BanUserException",
				"The user is banned but could not be disconnected from chat; try again.", err)
		}
	}
	telemetry.Logger(ctx).Info("user banned", "banned", target.Sub, "new", created)
	return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

// Unban serves POST /channel/unban. Unbanning a user who is not banned
// succeeds.
func (s *service) Unban(w http.ResponseWriter, r *http.Request) error {
	caller, err := httpapi.MustCaller(r)
	if err != nil {
		return err
	}
	target, err := s.banned(r, caller, "unban")
	if err != nil {
		return err
	}
	if _, err := s.store.DeleteBan(r.Context(), caller.Sub, target.Sub); err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

// BannedUser is an entry of the banned list.
type BannedUser struct {
	directory.Card
	ChannelArn string       `json:"channelArn,omitempty"`
	BannedAt   httpapi.Time `json:"bannedAt"`
}

// BannedUsersResponse is the body of GET /channel/bans.
type BannedUsersResponse struct {
	BannedUsers []BannedUser `json:"bannedUsers"`
}

// BannedUsers serves GET /channel/bans: the users the caller banned, most
// recently banned first, so the stream manager can list them with "Unban".
// Users who have since deleted their account are left out.
func (s *service) BannedUsers(w http.ResponseWriter, r *http.Request) error {
	caller, err := httpapi.MustCaller(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	bans, err := s.store.ListBans(ctx, caller.Sub)
	if err != nil {
		return err
	}
	resp := BannedUsersResponse{BannedUsers: []BannedUser{}}
	if len(bans) == 0 {
		return httpapi.WriteJSON(w, http.StatusOK, resp)
	}
	subs := make([]string, len(bans))
	for i, b := range bans {
		subs[i] = b.BannedSub
	}
	bySub, err := s.usersBySub(ctx, subs)
	if err != nil {
		return err
	}
	for _, b := range bans {
		u, ok := bySub[b.BannedSub]
		if !ok {
			continue
		}
		delete(bySub, b.BannedSub)
		resp.BannedUsers = append(resp.BannedUsers, BannedUser{Card: directory.CardOf(u), ChannelArn: u.ChannelArn, BannedAt: httpapi.TimeOf(b.At)})
	}
	return httpapi.WriteJSON(w, http.StatusOK, resp)
}

// usersBySub reads the profiles that still exist among subs (the other end
// of follow or ban edges; a deleted account is simply absent), by sub.
func (s *service) usersBySub(ctx context.Context, subs []string) (map[string]onair.User, error) {
	users, err := s.store.GetUsers(ctx, subs)
	if err != nil {
		return nil, err
	}
	bySub := make(map[string]onair.User, len(users))
	for _, u := range users {
		bySub[u.Sub] = u
	}
	return bySub, nil
}
