package bolt

// Temporary scaffold while the adapter is written: every method here is
// replaced by a real one. This file must not survive the change.

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/onair/onair/shared/onair"
)

var errPending = errors.New("bolt: not implemented yet")

var _ json.RawMessage

func (st *Store) CreateUser(ctx context.Context, u onair.User) error { return errPending }

func (st *Store) GetUser(ctx context.Context, sub string) (onair.User, error) {
	return onair.User{}, errPending
}

func (st *Store) GetUsers(ctx context.Context, subs []string) ([]onair.User, error) {
	return nil, errPending
}

func (st *Store) GetUserByUsername(ctx context.Context, username string) (onair.User, error) {
	return onair.User{}, errPending
}

func (st *Store) GetUserByEmail(ctx context.Context, email string) (onair.User, error) {
	return onair.User{}, errPending
}

func (st *Store) GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error) {
	return onair.User{}, errPending
}

func (st *Store) GetUserByAssetID(ctx context.Context, channelAssetID string) (onair.User, error) {
	return onair.User{}, errPending
}

func (st *Store) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	return onair.User{}, errPending
}

func (st *Store) DeleteUser(ctx context.Context, sub string) error { return errPending }

func (st *Store) ListLiveUsers(ctx context.Context, limit int) ([]onair.User, error) {
	return nil, errPending
}

func (st *Store) PutFollow(ctx context.Context, f onair.Follow) (created bool, err error) {
	return false, errPending
}

func (st *Store) DeleteFollow(ctx context.Context, followerSub, followedSub string) (deleted bool, err error) {
	return false, errPending
}

func (st *Store) GetFollow(ctx context.Context, followerSub, followedSub string) (onair.Follow, error) {
	return onair.Follow{}, errPending
}

func (st *Store) ListFollowing(ctx context.Context, followerSub string) ([]onair.Follow, error) {
	return nil, errPending
}

func (st *Store) PutBan(ctx context.Context, b onair.Ban) (created bool, err error) {
	return false, errPending
}

func (st *Store) DeleteBan(ctx context.Context, ownerSub, bannedSub string) (deleted bool, err error) {
	return false, errPending
}

func (st *Store) GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error) {
	return onair.Ban{}, errPending
}

func (st *Store) ListBans(ctx context.Context, ownerSub string) ([]onair.Ban, error) {
	return nil, errPending
}

func (st *Store) DeleteUserEdges(ctx context.Context, sub string) error { return errPending }

func (st *Store) GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error) {
	return onair.StreamSession{}, errPending
}

func (st *Store) UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error) {
	return onair.StreamSession{}, errPending
}

func (st *Store) ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error) {
	return nil, "", errPending
}

func (st *Store) ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error) {
	return nil, errPending
}

func (st *Store) DeleteSessions(ctx context.Context, channelArn string) error { return errPending }

func (st *Store) PutStage(ctx context.Context, s onair.Stage) error { return errPending }

func (st *Store) GetStage(ctx context.Context, id string) (onair.Stage, error) {
	return onair.Stage{}, errPending
}

func (st *Store) UpdateStage(ctx context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error) {
	return onair.Stage{}, errPending
}

func (st *Store) DeleteStage(ctx context.Context, id string) error { return errPending }

func (st *Store) ListStages(ctx context.Context, limit int) ([]onair.Stage, error) {
	return nil, errPending
}

func (st *Store) GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error) {
	return nil, errPending
}

func (st *Store) PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error {
	return errPending
}

func (st *Store) DeleteDocuments(ctx context.Context, sub string) error { return errPending }
