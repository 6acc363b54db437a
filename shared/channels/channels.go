// Package channels is the signed-in user's own channel: reading it, the
// first-login provisioning of its IVS channel, stream key and chat room,
// resetting the stream key, renaming, profile preferences, and deleting the
// whole account.
//
// Every handler here sits behind the API's JWT authorizer and acts only on the
// caller's own records: the user is always the caller's sub, never a name or
// id taken from the request.
package channels

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/onair/onair/shared/onair"
)

// Store is the part of the storage contract (shared/store) the channel
// routes use.
type Store interface {
	CreateUser(ctx context.Context, u onair.User) error
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
	UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error)
	DeleteUser(ctx context.Context, sub string) error
	DeleteUserEdges(ctx context.Context, sub string) error
	DeleteSessions(ctx context.Context, channelArn string) error
	GetStage(ctx context.Context, id string) (onair.Stage, error)
	DeleteStage(ctx context.Context, id string) error
	DeleteDocuments(ctx context.Context, sub string) error
}

// Video is IVS low-latency channels (shared/ivs). Deletes succeed when the
// resource is already gone, so that retries of a cascade finish.
type Video interface {
	// CreateChannel creates a channel and, with it, its stream key.
	CreateChannel(ctx context.Context, spec onair.IVSChannelSpec) (onair.IVSChannel, onair.StreamKey, error)
	// FindChannels returns the channels named exactly name that carry every
	// tag of tags, fully described (endpoints included).
	FindChannels(ctx context.Context, name string, tags map[string]string) ([]onair.IVSChannel, error)
	DeleteChannel(ctx context.Context, arn string) error
	// StopStream disconnects the channel's stream; a channel that is not
	// live is not an error.
	StopStream(ctx context.Context, channelArn string) error
	// ListStreamKeys returns the ARNs of the channel's stream keys.
	ListStreamKeys(ctx context.Context, channelArn string) ([]string, error)
	GetStreamKey(ctx context.Context, arn string) (onair.StreamKey, error)
	CreateStreamKey(ctx context.Context, channelArn string) (onair.StreamKey, error)
	DeleteStreamKey(ctx context.Context, arn string) error
}

// Chat is IVS Chat rooms (shared/ivschat).
type Chat interface {
	CreateRoom(ctx context.Context, spec onair.ChatRoomSpec) (onair.ChatRoom, error)
	// FindRooms returns the rooms named exactly name that carry every tag of tags.
	FindRooms(ctx context.Context, name string, tags map[string]string) ([]onair.ChatRoom, error)
	// DeleteRoom: no error if the room is already gone.
	DeleteRoom(ctx context.Context, arn string) error
	// SetReview sets a room's message review handler and rate (UpdateRoom).
	SetReview(ctx context.Context, roomArn string, r onair.ChatRoomReview) error
}

// Accounts is the Cognito user pool (shared/cognito), addressed by Cognito
// username (onair.Caller.Username).
type Accounts interface {
	// AdminGetUser returns the user's attributes (email, sub,
	// preferred_username, ...). ErrNotFound if there is no such user.
	AdminGetUser(ctx context.Context, username string) (map[string]string, error)
	// AdminUpdateUserAttributes sets attributes; a preferred_username another
	// user holds is a Conflict.
	AdminUpdateUserAttributes(ctx context.Context, username string, attrs map[string]string) error
	// AdminDeleteUser: no error if the user is already gone.
	AdminDeleteUser(ctx context.Context, username string) error
}

// Assets is the channel-assets bucket (shared/s3).
type Assets interface {
	// DeletePrefix deletes every version of every object under prefix.
	DeletePrefix(ctx context.Context, prefix string) (int, error)
}

// RealTime is IVS Real-Time stages (shared/ivsrealtime).
type RealTime interface {
	// DeleteStage: no error if the stage is already gone.
	DeleteStage(ctx context.Context, stageArn string) error
}

// Config is the deployment's channel settings.
type Config struct {
	ProjectTag            string // PROJECT_TAG: the "project" tag of IVS resources
	ChannelType           string // IVS_CHANNEL_TYPE; empty = IVS's default (STANDARD)
	TranscodePreset       string // IVS_ADVANCED_CHANNEL_TRANSCODE_PRESET, ADVANCED types only
	ProductLinkRegionCode string // PRODUCT_LINK_REGION_CODE: trackingId suffix
	// Region and AccountID build a stage ARN when the stored stage record is
	// missing but the profile still names the stage.
	Region    string
	AccountID string
	// AssetBucket (CHANNEL_ASSETS_BUCKET) and AssetUploadURL (the URL upload
	// forms are posted to: the bucket's endpoint) say where an image preview
	// may point: only at the caller's own object in this bucket. Without
	// them no preview is accepted.
	AssetBucket    string
	AssetUploadURL string
	// Review is the moderation new rooms are created with (the message
	// review handler, chatreview.Room(CHAT_REVIEW_HANDLER_ARN)).
	Review onair.ChatRoomReview
}

// GetChannel serves GET /channel; it finishes an interrupted rename of the
// caller in accounts (see Rename).
func GetChannel(st Store, accounts Accounts) http.Handler {
	return (&service{Store: st, Accounts: accounts}).GetChannel()
}

// CreateChannelResources serves POST /channel/resources/create: the
// caller's IVS channel, stream key and chat room, tagged with
// cfg.ProjectTag.
func CreateChannelResources(st Store, video Video, chat Chat, accounts Accounts, cfg Config, now func() time.Time) http.Handler {
	return (&service{Store: st, Video: video, Chat: chat, Accounts: accounts, Config: cfg, Now: now}).CreateChannelResources()
}

// ResetStreamKey serves GET and POST /channel/streamKey/reset.
func ResetStreamKey(st Store, video Video) http.Handler {
	return (&service{Store: st, Video: video}).ResetStreamKey()
}

// DeleteChannel serves DELETE /channel: the caller's whole account.
func DeleteChannel(st Store, video Video, chat Chat, rt RealTime, accounts Accounts, assets Assets, cfg Config) http.Handler {
	return (&service{Store: st, Video: video, Chat: chat, RealTime: rt, Accounts: accounts, Assets: assets, Config: cfg}).DeleteChannel()
}

// UpdateUsername serves PUT /channel/username/update.
func UpdateUsername(st Store, accounts Accounts) http.Handler {
	return (&service{Store: st, Accounts: accounts}).UpdateUsername()
}

// UpdatePreferences serves PUT /channel/preferences/update; image previews
// must point into cfg.AssetBucket.
func UpdatePreferences(st Store, cfg Config, now func() time.Time) http.Handler {
	return (&service{Store: st, Config: cfg, Now: now}).UpdatePreferences()
}

// service implements the channel routes; each constructor above sets the
// adapters its route uses (tests set the rest: NewToken, Sleep).
type service struct {
	Store    Store
	Video    Video
	Chat     Chat
	Accounts Accounts
	Assets   Assets
	RealTime RealTime
	Config   Config
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// NewToken makes provisioning claim tokens (random when nil).
	NewToken func() string
	// Sleep waits between retries (a timer when nil).
	Sleep func(ctx context.Context, d time.Duration) error
}

func (s *service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Exception names of this package's errors.
const (
	ChannelNotProvisionedType = "ChannelNotProvisionedException"
	UserNotFoundType          = "UserNotFoundException"
)

func errNotProvisioned() error {
	return onair.Errorf(onair.NotFound, ChannelNotProvisionedType,
		"Your channel is not set up yet; create its resources first.")
}

func errUserNotFound() error {
	return onair.Errorf(onair.NotFound, UserNotFoundType, "No profile exists for this user.")
}

// getUser loads the caller's profile, turning "missing" into UserNotFound.
func (s *service) getUser(ctx context.Context, sub string) (onair.User, error) {
	u, err := s.Store.GetUser(ctx, sub)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.User{}, errUserNotFound()
	}
	return u, err
}

// as gives err the exception name typ when it is an unexpected failure,
// keeping the classes clients can act on (throttled, not found, ...) as they
// are. This is the reference's "ResetStreamKeyException" and friends.
func as(err error, typ, message string) error {
	if err == nil || onair.ErrorCode(err) != onair.Internal {
		return err
	}
	return onair.Wrap(onair.Internal, typ, message, err)
}

// ownerTags are the tags that mark a resource as sub's in this deployment.
func (s *service) ownerTags(sub string) map[string]string {
	tags := map[string]string{onair.TagOwner: sub}
	if s.Config.ProjectTag != "" {
		tags[onair.TagProject] = s.Config.ProjectTag
	}
	return tags
}
