// Package chatreview is the chat rooms' message review handler (the
// ChatReview function): IVS Chat invokes it for every message sent to a
// room set up with it, before delivering the message, and delivers the
// message only if it answers ALLOW. It denies messages from users the room's
// owner banned (whatever token they hold), over the per-user rate limit, or
// holding one of the owner's blocked words. It also sets rooms up with it
// (Ensure), including the rooms of users provisioned before it existed.
//
// docs/security.md says what a ban, the rate limit and blocked words stop,
// and why a failed review denies (FallbackResult).
package chatreview

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// The per-user rate limit: at most RateLimit messages per user and room in
// each RateWindow (fixed windows aligned on the epoch: one atomic counter
// per window, so up to twice RateLimit can pass in quick succession across
// a window boundary). Once a second on average, a burst of five: enough
// for a person typing, far below the room's rate, so one sender cannot
// take the room's whole budget.
const (
	RateLimit  = 5
	RateWindow = 5 * time.Second
)

// Budget is how long a review may take: IVS Chat gives the handler 200 ms
// (then the room's fallbackResult applies); the rest is IVS's own
// invocation overhead. A review past its budget is an error.
const Budget = 150 * time.Millisecond

// FallbackResult is what IVS Chat applies when the handler fails, answers
// something invalid or takes longer than 200 ms: DENY, so that a ban or the
// rate limit never lapses because the handler could not run (the price is
// that a message sent during such a failure, a cold start slower than the
// budget for example, is refused and must be sent again).
const FallbackResult = "DENY"

// RoomMessageRate is the room-wide rate rooms are set up with alongside the
// handler: IVS Chat's maximum, since the per-user limit is what keeps one
// sender from taking the room's budget (with IVS's default of 10, two
// flooding users at their limit would already fill it).
const RoomMessageRate = 100

// Review results and the reasons given with a DENY (the Reason attribute,
// which IVS Chat passes to the sender in its error).
const (
	Allow = "ALLOW"
	Deny  = "DENY"

	ReasonBanned      = "You are banned from this chat."
	ReasonRateLimited = "You are sending messages too fast; wait a few seconds."
	ReasonBlockedWord = "Your message contains a word the channel owner blocked."
	ReasonInvalid     = "The message could not be reviewed."
	ReasonNoRoomOwner = "This chat room has no owner."
)

// maxOwners bounds the room → owner cache of a function instance.
const maxOwners = 10000

// Event is the request IVS Chat sends the handler.
type Event struct {
	Content    string            `json:"Content"`
	MessageID  string            `json:"MessageId"`
	RoomArn    string            `json:"RoomArn"`
	Attributes map[string]string `json:"Attributes"`
	Sender     Sender            `json:"Sender"`
}

// Sender is who sent the message: the user id and attributes of their chat
// token, and their IP address.
type Sender struct {
	Attributes map[string]string `json:"Attributes"`
	UserID     string            `json:"UserId"`
	IP         string            `json:"Ip"`
}

// Result is the handler's answer. An ALLOW carries the content and
// attributes to deliver (unchanged here); a DENY carries the Reason.
type Result struct {
	ReviewResult string            `json:"ReviewResult"`
	Content      string            `json:"Content,omitempty"`
	Attributes   map[string]string `json:"Attributes,omitempty"`
}

// Store is what a review reads and counts.
type Store interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetUserByChatRoomArn(ctx context.Context, roomArn string) (onair.User, error)
	GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error)
	IncrementCounter(ctx context.Context, name string, expires time.Time) (int64, error)
}

// Reviewer reviews messages. It keeps which user owns which room (that
// never changes while the room exists) for the life of the function
// instance; everything else is read for every message, so a ban or a new
// blocked word applies to the very next message.
type Reviewer struct {
	store Store
	now   func() time.Time

	mu     sync.Mutex
	owners map[string]string // room ARN → owner sub
}

// New returns a reviewer.
func New(st Store, now func() time.Time) *Reviewer {
	return &Reviewer{store: st, now: now, owners: map[string]string{}}
}

// Review decides on one message. Its error (a store failure, the budget
// exceeded) makes IVS Chat apply the room's fallbackResult.
func (r *Reviewer) Review(ctx context.Context, ev Event) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, Budget)
	defer cancel()
	if ev.RoomArn == "" || ev.Sender.UserID == "" || ev.Content == "" {
		return r.deny(ctx, ReasonInvalid, "invalid"), nil
	}
	owner, err := r.owner(ctx, ev.RoomArn)
	if errors.Is(err, onair.ErrNotFound) {
		return r.deny(ctx, ReasonNoRoomOwner, "no_owner"), nil
	}
	if err != nil {
		return Result{}, r.failed(ctx, "room owner", err)
	}
	allow := Result{ReviewResult: Allow, Content: ev.Content, Attributes: ev.Attributes}
	if ev.Sender.UserID == owner.Sub {
		return allow, nil // the owner moderates their own room
	}

	// The three reads are independent: one round trip's latency, not three.
	var (
		wg               sync.WaitGroup
		banErr, countErr error
		count            int64
	)
	wg.Go(func() { _, banErr = r.store.GetBan(ctx, owner.Sub, ev.Sender.UserID) })
	wg.Go(func() {
		start := r.now().Truncate(RateWindow)
		name := "chat|" + ev.RoomArn + "|" + ev.Sender.UserID + "|" + strconv.FormatInt(start.Unix(), 10)
		count, countErr = r.store.IncrementCounter(ctx, name, start.Add(2*RateWindow))
	})
	wg.Wait()
	switch {
	case banErr == nil:
		return r.deny(ctx, ReasonBanned, "banned"), nil
	case !errors.Is(banErr, onair.ErrNotFound):
		return Result{}, r.failed(ctx, "ban", banErr)
	case countErr != nil:
		return Result{}, r.failed(ctx, "rate", countErr)
	case count > RateLimit:
		return r.deny(ctx, ReasonRateLimited, "rate_limited"), nil
	}
	if w := blockedWord(ev.Content, owner.BlockedWords); w != "" {
		return r.deny(ctx, ReasonBlockedWord, "blocked_word"), nil
	}
	return allow, nil
}

// owner returns the room's owner, fresh from the store: on the first
// message of a room by the room index (which returns the whole profile),
// later by the cached sub (a strongly consistent read, so the owner's
// blocked words are current).
func (r *Reviewer) owner(ctx context.Context, roomArn string) (onair.User, error) {
	r.mu.Lock()
	sub, ok := r.owners[roomArn]
	r.mu.Unlock()
	if ok {
		u, err := r.store.GetUser(ctx, sub)
		if err == nil && u.ChatRoomArn == roomArn {
			return u, nil
		}
		if err != nil && !errors.Is(err, onair.ErrNotFound) {
			return onair.User{}, err
		}
		r.forget(roomArn) // the account (and so the room) is gone
	}
	u, err := r.store.GetUserByChatRoomArn(ctx, roomArn)
	if err != nil {
		return onair.User{}, err
	}
	r.mu.Lock()
	if len(r.owners) >= maxOwners {
		clear(r.owners)
	}
	r.owners[roomArn] = u.Sub
	r.mu.Unlock()
	return u, nil
}

func (r *Reviewer) forget(roomArn string) {
	r.mu.Lock()
	delete(r.owners, roomArn)
	r.mu.Unlock()
}

func (r *Reviewer) deny(ctx context.Context, reason, metric string) Result {
	telemetry.MetricsFrom(ctx).Count(ctx, "ChatMessagesDenied", 1, "Reason", metric)
	return Result{ReviewResult: Deny, Attributes: map[string]string{"Reason": reason}}
}

func (r *Reviewer) failed(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("chat review: over its %v budget at %s: %w", Budget, step, err)
	}
	return fmt.Errorf("chat review: %s: %w", step, err)
}
