package onair

import (
	"encoding/json"
	"strings"
	"time"
)

// User is a person's profile and, once provisioned, their channel. One record
// per Cognito user, keyed by Sub. Stores keep every field; the zero value of a
// field means "not set".
type User struct {
	Sub      string `json:"sub"`
	Username string `json:"username"` // display name, case kept; unique case-insensitively
	Email    string `json:"email"`
	Avatar   string `json:"avatar"` // preset name or "custom"
	Color    string `json:"color"`
	Banner   string `json:"banner,omitempty"` // preset name or "custom"

	CreatedAt time.Time `json:"createdAt"`

	// Channel resources, set by first-login provisioning.
	ChannelArn     string `json:"channelArn,omitempty"`
	ChatRoomArn    string `json:"chatRoomArn,omitempty"`
	IngestEndpoint string `json:"ingestEndpoint,omitempty"`
	PlaybackURL    string `json:"playbackUrl,omitempty"`
	StreamKeyArn   string `json:"streamKeyArn,omitempty"`
	StreamKeyValue string `json:"streamKeyValue,omitempty"`
	TrackingID     string `json:"trackingId,omitempty"`
	ChannelAssetID string `json:"channelAssetId,omitempty"`
	ChannelType    string `json:"channelType,omitempty"`
	// ChatReview is the moderation the chat room was last set up with
	// (ChatRoomReview.Marker): a room is updated when it differs from the
	// deployment's (chatreview.Ensure), once.
	ChatReview string `json:"chatReview,omitempty"`

	// BlockedWords are the owner's blocked words and phrases: the chat
	// review denies a message that contains one (whole words, any case).
	BlockedWords []string `json:"blockedWords,omitempty"`

	// Provisioning is set while a provisioning attempt holds the claim, so two
	// concurrent first logins never create two channels.
	Provisioning *Claim `json:"provisioning,omitempty"`
	// KeyReset is set while a stream-key reset holds the claim, so two
	// concurrent resets never leave IVS holding a key other than the stored
	// one (or hand out a key the other deleted).
	KeyReset *Claim `json:"keyReset,omitempty"`
	// Rename is set while a rename is under way: written before Cognito's
	// preferred_username changes and cleared in the same write that moves
	// Username, so a rename interrupted in between (a crash, a timeout) is
	// found and finished by the next call (shared/channels).
	Rename *RenameIntent `json:"rename,omitempty"`

	// ChannelAssets holds uploaded images by asset type ("avatar", "banner").
	ChannelAssets map[string]Asset `json:"channelAssets,omitempty"`

	// Live state, maintained by stream event processing. LiveSince is set while
	// the channel has a live stream; stores index it sparsely for the directory.
	LiveSince    *time.Time `json:"liveSince,omitempty"`
	LiveStreamID string     `json:"liveStreamId,omitempty"`

	// The user's open real-time stage, if any.
	StageID string `json:"stageId,omitempty"`
	// StageClaim is set while a stage-creation attempt holds the claim, so two
	// concurrent POST /stages never create two stages.
	StageClaim *Claim `json:"stageClaim,omitempty"`

	// Version increases on every write; stores use it for conditional writes.
	Version int64 `json:"version"`
}

// ChannelID is the resource id of the channel ARN (its last path segment).
func (u User) ChannelID() string { return ResourceID(u.ChannelArn) }

// IsLive reports whether the channel has a live stream.
func (u User) IsLive() bool { return u.LiveSince != nil }

// Claim marks an operation in progress by one caller.
type Claim struct {
	Token     string    `json:"token"`
	StartedAt time.Time `json:"startedAt"`
}

// RenameIntent records a rename from one username to another, by one
// request (Token), begun at StartedAt.
type RenameIntent struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	Token     string    `json:"token"`
	StartedAt time.Time `json:"startedAt"`
}

// Asset is an uploaded channel image.
type Asset struct {
	URL          string    `json:"url,omitempty"`
	Sequencer    string    `json:"sequencer,omitempty"` // S3 event sequencer, for ordering
	LastModified time.Time `json:"lastModified,omitempty"`
}

// ResourceID returns the last path segment of an ARN ("…:channel/AbC" → "AbC").
func ResourceID(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return ""
}

// Follow is a follower's edge to a followed user.
type Follow struct {
	FollowerSub string    `json:"followerSub"`
	FollowedSub string    `json:"followedSub"`
	At          time.Time `json:"at"`
}

// Ban is a channel owner's ban of a user from their chat and playback.
type Ban struct {
	OwnerSub  string    `json:"ownerSub"`
	BannedSub string    `json:"bannedSub"`
	At        time.Time `json:"at"`
}

// StreamSession is one go-live of a channel, built from IVS events. It is keyed
// by (ChannelArn, StreamID). Derived fields are recomputed from Events by the
// streams package, so the record only has to keep the event set.
type StreamSession struct {
	ChannelArn string `json:"channelArn"`
	StreamID   string `json:"streamId"`
	OwnerSub   string `json:"ownerSub"`

	// StartTime is the Session Created time (zero until it has been seen).
	StartTime time.Time `json:"startTime,omitempty"`
	EndTime   time.Time `json:"endTime,omitempty"`
	// Open is true from Session Created until Session Ended or until a newer
	// session of the channel is created.
	Open          bool `json:"open"`
	IsHealthy     bool `json:"isHealthy"`
	HasErrorEvent bool `json:"hasErrorEvent"`

	Events []StreamEvent `json:"events,omitempty"`

	// IngestConfiguration is IVS GetStreamSession's ingest configuration, as
	// returned by IVS, cached once known.
	IngestConfiguration json.RawMessage `json:"ingestConfiguration,omitempty"`
	// Metrics caches CloudWatch results of ended sessions, one entry per
	// resolution key ("P<period>-S<startMs>-E<endMs>").
	Metrics map[string]json.RawMessage `json:"metrics,omitempty"`

	Version int64 `json:"version"`
}

// StreamEvent is one IVS event of a session. ID is the EventBridge event id,
// used to make processing idempotent.
type StreamEvent struct {
	ID     string            `json:"id"`
	Time   time.Time         `json:"eventTime"`
	Type   string            `json:"type"` // EventBridge detail-type
	Name   string            `json:"name"` // event_name, limit_name or recording_status
	Detail map[string]string `json:"detail,omitempty"`
}

// Stage is a user's IVS Real-Time stage.
type Stage struct {
	ID        string    `json:"id"` // stage resource id
	Arn       string    `json:"arn"`
	Name      string    `json:"name"`
	OwnerSub  string    `json:"ownerSub"`
	CreatedAt time.Time `json:"createdAt"`
	// AllowAnonymous lets signed-out viewers get subscribe-only tokens.
	AllowAnonymous bool `json:"allowAnonymous"`
	// Invited holds the subs of users the host invited to publish.
	Invited map[string]time.Time `json:"invited,omitempty"`
	// Publishing maps participant ids to what is known of them, from
	// IVS Stage Update events.
	Publishing map[string]StageParticipant `json:"publishing,omitempty"`
	// Endpoints are the stage's IVS endpoints, kept from CreateStage: the
	// self-signed tokens carry them and IVS says they may be cached, so minting
	// a token needs no IVS call.
	Endpoints StageEndpoints `json:"endpoints"`
	// LastActivity is the last time the stage had a participant or was used;
	// the cleanup deletes stages idle for longer than its limit.
	LastActivity time.Time `json:"lastActivity"`
	Version      int64     `json:"version"`
}

// StageParticipant is a participant seen publishing on a stage.
type StageParticipant struct {
	ParticipantID string    `json:"participantId"`
	UserID        string    `json:"userId"`
	SessionID     string    `json:"sessionId"`
	Published     bool      `json:"published"`
	EventTime     time.Time `json:"eventTime"`
	// Events records the ids of the events applied, for idempotency.
	EventIDs []string `json:"eventIds,omitempty"`
}
