package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// Faults wraps a store so that tests can make its operations fail, see
// them, or run something before them, without a second implementation of
// the store: every call that is let through is served by the wrapped
// store. Operations are named after the store.Store methods ("UpdateUser").
//
//	db := storetest.WithFaults(bolttest.New(t))
//	db.Fail("UpdateUser", nil, errThrottled) // the 2nd UpdateUser fails
type Faults struct {
	store.Store

	mu    sync.Mutex
	calls map[string]int
	next  map[string][]error
	all   map[string]error
	hooks []func(ctx context.Context, op string, args []any) error
}

var _ store.Store = (*Faults)(nil)

// WithFaults wraps s; with nothing set up it behaves exactly as s.
func WithFaults(s store.Store) *Faults {
	return &Faults{Store: s, calls: map[string]int{}, next: map[string][]error{}, all: map[string]error{}}
}

var storeType = reflect.TypeOf((*store.Store)(nil)).Elem()

func checkOp(op string) {
	if _, ok := storeType.MethodByName(op); !ok {
		// A misspelt name would make a fault silently never fire.
		panic(fmt.Sprintf("storetest: %q is not a store operation", op))
	}
}

// Fail makes the next len(errs) calls of op return errs in order, without
// reaching the store; a nil entry lets that call through.
func (f *Faults) Fail(op string, errs ...error) {
	checkOp(op)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next[op] = append(f.next[op], errs...)
}

// FailAll makes every call of op return err, after the failures queued by
// Fail, until FailAll(op, nil).
func (f *Faults) FailAll(op string, err error) {
	checkOp(op)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.all[op] = err
}

// Before runs fn before every call of every operation (unless the call
// fails by Fail or FailAll), with the call's arguments after the context
// (update functions included). A non-nil error from fn is returned instead
// of calling the store. fn runs without any lock held, so it may use the
// store (f.Store, to bypass the faults) itself: to land a concurrent write
// just before an update, or to make the call and then report it failed, as
// a write whose reply was lost.
func (f *Faults) Before(fn func(ctx context.Context, op string, args []any) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks = append(f.hooks, fn)
}

// Calls returns how many times op was called (failed calls included).
func (f *Faults) Calls(op string) int {
	checkOp(op)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// enter counts a call and decides whether it fails.
func (f *Faults) enter(ctx context.Context, op string, args ...any) error {
	f.mu.Lock()
	f.calls[op]++
	var queued error
	if len(f.next[op]) > 0 {
		queued, f.next[op] = f.next[op][0], f.next[op][1:]
	} else {
		queued = f.all[op]
	}
	hooks := append([]func(context.Context, string, []any) error(nil), f.hooks...)
	f.mu.Unlock()
	if queued != nil {
		return queued
	}
	for _, h := range hooks {
		if err := h(ctx, op, args); err != nil {
			return err
		}
	}
	return nil
}

func (f *Faults) CreateUser(ctx context.Context, u onair.User) error {
	if err := f.enter(ctx, "CreateUser", u); err != nil {
		return err
	}
	return f.Store.CreateUser(ctx, u)
}

func (f *Faults) GetUser(ctx context.Context, sub string) (onair.User, error) {
	if err := f.enter(ctx, "GetUser", sub); err != nil {
		return onair.User{}, err
	}
	return f.Store.GetUser(ctx, sub)
}

func (f *Faults) GetUsers(ctx context.Context, subs []string) ([]onair.User, error) {
	if err := f.enter(ctx, "GetUsers", subs); err != nil {
		return nil, err
	}
	return f.Store.GetUsers(ctx, subs)
}

func (f *Faults) GetUserByUsername(ctx context.Context, username string) (onair.User, error) {
	if err := f.enter(ctx, "GetUserByUsername", username); err != nil {
		return onair.User{}, err
	}
	return f.Store.GetUserByUsername(ctx, username)
}

func (f *Faults) GetUserByEmail(ctx context.Context, email string) (onair.User, error) {
	if err := f.enter(ctx, "GetUserByEmail", email); err != nil {
		return onair.User{}, err
	}
	return f.Store.GetUserByEmail(ctx, email)
}

func (f *Faults) GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error) {
	if err := f.enter(ctx, "GetUserByChannelArn", channelArn); err != nil {
		return onair.User{}, err
	}
	return f.Store.GetUserByChannelArn(ctx, channelArn)
}

func (f *Faults) GetUserByAssetID(ctx context.Context, channelAssetID string) (onair.User, error) {
	if err := f.enter(ctx, "GetUserByAssetID", channelAssetID); err != nil {
		return onair.User{}, err
	}
	return f.Store.GetUserByAssetID(ctx, channelAssetID)
}

func (f *Faults) GetUserByChatRoomArn(ctx context.Context, roomArn string) (onair.User, error) {
	if err := f.enter(ctx, "GetUserByChatRoomArn", roomArn); err != nil {
		return onair.User{}, err
	}
	return f.Store.GetUserByChatRoomArn(ctx, roomArn)
}

func (f *Faults) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	if err := f.enter(ctx, "UpdateUser", sub, fn); err != nil {
		return onair.User{}, err
	}
	return f.Store.UpdateUser(ctx, sub, fn)
}

func (f *Faults) DeleteUser(ctx context.Context, sub string) error {
	if err := f.enter(ctx, "DeleteUser", sub); err != nil {
		return err
	}
	return f.Store.DeleteUser(ctx, sub)
}

func (f *Faults) ListLiveUsers(ctx context.Context, limit int) ([]onair.User, error) {
	if err := f.enter(ctx, "ListLiveUsers", limit); err != nil {
		return nil, err
	}
	return f.Store.ListLiveUsers(ctx, limit)
}

func (f *Faults) PutFollow(ctx context.Context, fl onair.Follow) (bool, error) {
	if err := f.enter(ctx, "PutFollow", fl); err != nil {
		return false, err
	}
	return f.Store.PutFollow(ctx, fl)
}

func (f *Faults) DeleteFollow(ctx context.Context, followerSub, followedSub string) (bool, error) {
	if err := f.enter(ctx, "DeleteFollow", followerSub, followedSub); err != nil {
		return false, err
	}
	return f.Store.DeleteFollow(ctx, followerSub, followedSub)
}

func (f *Faults) GetFollow(ctx context.Context, followerSub, followedSub string) (onair.Follow, error) {
	if err := f.enter(ctx, "GetFollow", followerSub, followedSub); err != nil {
		return onair.Follow{}, err
	}
	return f.Store.GetFollow(ctx, followerSub, followedSub)
}

func (f *Faults) ListFollowing(ctx context.Context, followerSub string) ([]onair.Follow, error) {
	if err := f.enter(ctx, "ListFollowing", followerSub); err != nil {
		return nil, err
	}
	return f.Store.ListFollowing(ctx, followerSub)
}

func (f *Faults) PutBan(ctx context.Context, b onair.Ban) (bool, error) {
	if err := f.enter(ctx, "PutBan", b); err != nil {
		return false, err
	}
	return f.Store.PutBan(ctx, b)
}

func (f *Faults) DeleteBan(ctx context.Context, ownerSub, bannedSub string) (bool, error) {
	if err := f.enter(ctx, "DeleteBan", ownerSub, bannedSub); err != nil {
		return false, err
	}
	return f.Store.DeleteBan(ctx, ownerSub, bannedSub)
}

func (f *Faults) GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error) {
	if err := f.enter(ctx, "GetBan", ownerSub, bannedSub); err != nil {
		return onair.Ban{}, err
	}
	return f.Store.GetBan(ctx, ownerSub, bannedSub)
}

func (f *Faults) ListBans(ctx context.Context, ownerSub string) ([]onair.Ban, error) {
	if err := f.enter(ctx, "ListBans", ownerSub); err != nil {
		return nil, err
	}
	return f.Store.ListBans(ctx, ownerSub)
}

func (f *Faults) DeleteUserEdges(ctx context.Context, sub string) error {
	if err := f.enter(ctx, "DeleteUserEdges", sub); err != nil {
		return err
	}
	return f.Store.DeleteUserEdges(ctx, sub)
}

func (f *Faults) GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error) {
	if err := f.enter(ctx, "GetSession", channelArn, streamID); err != nil {
		return onair.StreamSession{}, err
	}
	return f.Store.GetSession(ctx, channelArn, streamID)
}

func (f *Faults) UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error) {
	if err := f.enter(ctx, "UpdateSession", channelArn, streamID, fn); err != nil {
		return onair.StreamSession{}, err
	}
	return f.Store.UpdateSession(ctx, channelArn, streamID, fn)
}

func (f *Faults) ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error) {
	if err := f.enter(ctx, "ListSessions", channelArn, limit, cursor); err != nil {
		return nil, "", err
	}
	return f.Store.ListSessions(ctx, channelArn, limit, cursor)
}

func (f *Faults) ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error) {
	if err := f.enter(ctx, "ListOpenSessions", channelArn); err != nil {
		return nil, err
	}
	return f.Store.ListOpenSessions(ctx, channelArn)
}

func (f *Faults) DeleteSessions(ctx context.Context, channelArn string) error {
	if err := f.enter(ctx, "DeleteSessions", channelArn); err != nil {
		return err
	}
	return f.Store.DeleteSessions(ctx, channelArn)
}

func (f *Faults) PutStage(ctx context.Context, s onair.Stage) error {
	if err := f.enter(ctx, "PutStage", s); err != nil {
		return err
	}
	return f.Store.PutStage(ctx, s)
}

func (f *Faults) GetStage(ctx context.Context, id string) (onair.Stage, error) {
	if err := f.enter(ctx, "GetStage", id); err != nil {
		return onair.Stage{}, err
	}
	return f.Store.GetStage(ctx, id)
}

func (f *Faults) UpdateStage(ctx context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error) {
	if err := f.enter(ctx, "UpdateStage", id, fn); err != nil {
		return onair.Stage{}, err
	}
	return f.Store.UpdateStage(ctx, id, fn)
}

func (f *Faults) DeleteStage(ctx context.Context, id string) error {
	if err := f.enter(ctx, "DeleteStage", id); err != nil {
		return err
	}
	return f.Store.DeleteStage(ctx, id)
}

func (f *Faults) ListStages(ctx context.Context, limit int) ([]onair.Stage, error) {
	if err := f.enter(ctx, "ListStages", limit); err != nil {
		return nil, err
	}
	return f.Store.ListStages(ctx, limit)
}

func (f *Faults) GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error) {
	if err := f.enter(ctx, "GetDocument", sub, name); err != nil {
		return nil, err
	}
	return f.Store.GetDocument(ctx, sub, name)
}

func (f *Faults) PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error {
	if err := f.enter(ctx, "PutDocument", sub, name, doc); err != nil {
		return err
	}
	return f.Store.PutDocument(ctx, sub, name, doc)
}

func (f *Faults) DeleteDocuments(ctx context.Context, sub string) error {
	if err := f.enter(ctx, "DeleteDocuments", sub); err != nil {
		return err
	}
	return f.Store.DeleteDocuments(ctx, sub)
}

func (f *Faults) IncrementCounter(ctx context.Context, name string, expires time.Time) (int64, error) {
	if err := f.enter(ctx, "IncrementCounter", name, expires); err != nil {
		return 0, err
	}
	return f.Store.IncrementCounter(ctx, name, expires)
}
