// Package store states the contract of onair's storage: what the DynamoDB
// adapter (shared/dynamo) and the embedded adapter (shared/bolt) both provide,
// and what the contract suite (shared/storetest) checks against both. Domain
// packages declare the subsets they use as their own ports.
//
// Every write is conditional or atomic: Update* methods read the record, apply
// fn, and write it back only if its Version is unchanged, retrying fn on a
// conflict, so concurrent writers never lose each other's updates.
package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/onair/onair/shared/onair"
)

// Store is the whole storage contract.
type Store interface {
	Users
	Follows
	Bans
	Sessions
	Stages
	Documents
	Counters
}

// Users holds profiles and channels, keyed by Cognito sub.
type Users interface {
	// CreateUser inserts u (Version becomes 1). ErrConflict if u.Sub exists.
	CreateUser(ctx context.Context, u onair.User) error
	// GetUser returns ErrNotFound if there is no such user.
	GetUser(ctx context.Context, sub string) (onair.User, error)
	// GetUsers returns the users that exist among subs, in no set order.
	GetUsers(ctx context.Context, subs []string) ([]onair.User, error)
	// GetUserByUsername matches case-insensitively. ErrNotFound if none.
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
	// GetUserByEmail matches case-insensitively. ErrNotFound if none.
	GetUserByEmail(ctx context.Context, email string) (onair.User, error)
	// GetUserByChannelArn: ErrNotFound if none.
	GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error)
	// GetUserByAssetID: ErrNotFound if none.
	GetUserByAssetID(ctx context.Context, channelAssetID string) (onair.User, error)
	// GetUserByChatRoomArn returns the owner of a chat room (the message
	// review handler knows only the room). ErrNotFound if none.
	GetUserByChatRoomArn(ctx context.Context, roomArn string) (onair.User, error)
	// UpdateUser applies fn to the current record and writes it if nobody wrote
	// in between, retrying fn on conflict. fn's error aborts the update and is
	// returned as is; onair.ErrUnchanged skips the write. ErrNotFound if the
	// user does not exist. fn must not change Sub.
	UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error)
	// DeleteUser removes the profile record; no error if it is missing.
	DeleteUser(ctx context.Context, sub string) error
	// ListLiveUsers returns users with LiveSince set, most recent first, at
	// most limit (which must be at least 1: Invalid otherwise).
	ListLiveUsers(ctx context.Context, limit int) ([]onair.User, error)
}

// Follows holds follower → followed edges.
type Follows interface {
	// PutFollow creates the edge; created is false if it already existed (the
	// stored edge, and its time, are then left as they were).
	PutFollow(ctx context.Context, f onair.Follow) (created bool, err error)
	// DeleteFollow removes the edge; deleted is false if there was none.
	DeleteFollow(ctx context.Context, followerSub, followedSub string) (deleted bool, err error)
	// GetFollow returns ErrNotFound if there is no such edge.
	GetFollow(ctx context.Context, followerSub, followedSub string) (onair.Follow, error)
	// ListFollowing returns the follower's edges, most recent first.
	ListFollowing(ctx context.Context, followerSub string) ([]onair.Follow, error)
}

// Bans holds channel owner → banned user edges.
type Bans interface {
	PutBan(ctx context.Context, b onair.Ban) (created bool, err error)
	DeleteBan(ctx context.Context, ownerSub, bannedSub string) (deleted bool, err error)
	// GetBan returns ErrNotFound if the user is not banned by the owner.
	GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error)
	// ListBans returns the owner's bans, most recent first.
	ListBans(ctx context.Context, ownerSub string) ([]onair.Ban, error)
	// DeleteUserEdges deletes every follow and ban from or to sub.
	DeleteUserEdges(ctx context.Context, sub string) error
}

// Sessions holds stream sessions, keyed by (channel ARN, stream id).
type Sessions interface {
	// GetSession returns ErrNotFound if there is no such session.
	GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error)
	// UpdateSession applies fn to the session, creating it when missing (fn
	// then sees a session with only the keys set and Version 0). Conflicts
	// retry fn; onair.ErrUnchanged skips the write.
	UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error)
	// ListSessions returns sessions that have a StartTime, newest first, a
	// page at a time. cursor is "" for the first page; the returned cursor is
	// "" after the last page. Cursors are opaque and store-specific; one
	// that does not decode, or is for another channel, is Invalid. limit
	// must be at least 1.
	ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error)
	// ListOpenSessions returns the channel's sessions with Open set, oldest
	// StartTime first.
	ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error)
	// DeleteSessions removes every session of the channel.
	DeleteSessions(ctx context.Context, channelArn string) error
}

// Stages holds real-time stages, keyed by stage id.
type Stages interface {
	// PutStage inserts s (Version becomes 1). ErrConflict if it exists.
	PutStage(ctx context.Context, s onair.Stage) error
	// GetStage returns ErrNotFound if there is no such stage.
	GetStage(ctx context.Context, id string) (onair.Stage, error)
	// UpdateStage: as UpdateUser. ErrNotFound if missing.
	UpdateStage(ctx context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error)
	// DeleteStage: no error if missing.
	DeleteStage(ctx context.Context, id string) error
	// ListStages returns stages newest first (CreatedAt descending), at most
	// limit (at least 1).
	ListStages(ctx context.Context, limit int) ([]onair.Stage, error)
}

// Documents holds small per-user JSON documents by name (overlay presets, the
// active overlay). Each is at most 64 KiB.
type Documents interface {
	// GetDocument returns ErrNotFound if the document does not exist.
	GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error)
	// PutDocument creates or replaces the document: TooLarge over 64 KiB,
	// Invalid if it is not JSON.
	PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error
	// DeleteDocuments removes every document of the user.
	DeleteDocuments(ctx context.Context, sub string) error
}

// Counters holds short-lived atomic counters: the chat review's per-user
// message counts, which must hold across concurrent invocations (so they
// cannot live in one function instance's memory).
type Counters interface {
	// IncrementCounter adds one to the counter name (created at zero when
	// missing) and returns the new value: concurrent increments each get a
	// different value. The counter is kept at least until expires (the
	// latest increment's) and may be forgotten any time after (DynamoDB's TTL deletes within days), so a
	// name should embed its time window and never be used past expires.
	// Invalid for an empty name.
	IncrementCounter(ctx context.Context, name string, expires time.Time) (int64, error)
}
