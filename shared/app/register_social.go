package app

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/chat"
	"github.com/onair/onair/shared/directory"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/social"
)

// addSocial registers the functions of the social capability: follows, bans,
// chat tokens and the public channel pages.
func addSocial(m map[string]Builder) {
	m["FollowChannel"] = FollowChannel
	m["UnfollowChannel"] = UnfollowChannel
	m["GetFollowingList"] = GetFollowingList
	m["BanUser"] = BanUser
	m["UnbanUser"] = UnbanUser
	m["CreateChatToken"] = CreateChatToken
	m["GetChannelPage"] = GetChannelPage
	m["ListChannels"] = ListChannels
}

func socialService(d *Deps, withChat bool) (*social.Service, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	var moderator social.ChatModerator
	if withChat {
		moderator = d.Chat()
	}
	return social.New(db, moderator, d.Clock()), nil
}

// FollowChannel serves PUT /channel/followingList/add.
func FollowChannel(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := socialService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, httpapi.Func(s.Follow), "PUT /channel/followingList/add")
}

// UnfollowChannel serves PUT /channel/followingList/remove.
func UnfollowChannel(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := socialService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, httpapi.Func(s.Unfollow), "PUT /channel/followingList/remove")
}

// GetFollowingList serves GET /channel/followingList.
func GetFollowingList(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := socialService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, httpapi.Func(s.FollowingList), "GET /channel/followingList")
}

// BanUser serves POST /channel/ban; it disconnects the banned user from the
// caller's chat room through IVS Chat.
func BanUser(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := socialService(d, true)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, httpapi.Func(s.Ban), "POST /channel/ban")
}

// UnbanUser serves POST /channel/unban.
func UnbanUser(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := socialService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, httpapi.Func(s.Unban), "POST /channel/unban")
}

// CreateChatToken serves POST /channel/chatToken/create; login is optional
// (signed-out viewers read only).
func CreateChatToken(ctx context.Context, d *Deps) (lambda.Handler, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	s := chat.New(db, d.Chat())
	return HTTP(d, Optional, httpapi.Func(s.CreateToken), "POST /channel/chatToken/create")
}

// GetChannelPage serves GET /channels/{username}; login is optional.
func GetChannelPage(ctx context.Context, d *Deps) (lambda.Handler, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	return HTTP(d, Optional, httpapi.Func(directory.New(db).GetChannelPage), "GET /channels/{username}")
}

// ListChannels serves GET /channels?isLive=true, the public live directory.
func ListChannels(ctx context.Context, d *Deps) (lambda.Handler, error) {
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	return HTTP(d, Public, httpapi.Func(directory.New(db).ListChannels), "GET /channels")
}
