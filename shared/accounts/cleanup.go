package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// UnconfirmedMaxAge is how long a sign-up may stay unconfirmed. Cognito's
// confirmation codes expire after 24 hours, so older sign-ups can only be
// finished by asking for a new code; the cleanup frees their names and
// emails instead.
const UnconfirmedMaxAge = 24 * time.Hour

// Pool is the user pool's admin API.
type Pool interface {
	ListUnconfirmedUsers(ctx context.Context) ([]onair.PoolUser, error)
	AdminDeleteUser(ctx context.Context, username string) error
}

// CleanupStore is where profile records are deleted.
type CleanupStore interface {
	DeleteUser(ctx context.Context, sub string) error
}

// Cleanup deletes users who never confirmed their sign-up.
type Cleanup struct {
	Pool  Pool
	Store CleanupStore
	Now   func() time.Time
}

// Result counts what a cleanup run did.
type Result struct {
	Unconfirmed int // unconfirmed users listed
	Deleted     int // deleted (older than UnconfirmedMaxAge)
	Failed      int
}

// Run deletes every unconfirmed user created more than UnconfirmedMaxAge
// ago: first their profile record (normally there is none: profiles are
// written at confirmation), then the Cognito user, so a failure leaves the
// user listed for the next run rather than a profile nobody owns. One
// failure does not stop the others; the run fails at the end if any did, so
// the schedule's error metrics show it.
func (c *Cleanup) Run(ctx context.Context, _ events.EventBridgeEvent) error {
	res, err := c.run(ctx)
	log := telemetry.Logger(ctx)
	log.Info("unconfirmed users cleanup", "unconfirmed", res.Unconfirmed, "deleted", res.Deleted, "failed", res.Failed)
	if err != nil {
		return err
	}
	if res.Deleted > 0 {
		telemetry.MetricsFrom(ctx).Count(ctx, "UnconfirmedUsersDeleted", float64(res.Deleted))
	}
	if res.Failed > 0 {
		return fmt.Errorf("cleanup: %d of %d users could not be deleted", res.Failed, res.Failed+res.Deleted)
	}
	return nil
}

func (c *Cleanup) run(ctx context.Context) (Result, error) {
	var res Result
	users, err := c.Pool.ListUnconfirmedUsers(ctx)
	if err != nil {
		return res, fmt.Errorf("cleanup: list unconfirmed users: %w", err)
	}
	res.Unconfirmed = len(users)
	cutoff := nowOr(c.Now)().Add(-UnconfirmedMaxAge)
	log := telemetry.Logger(ctx)
	for _, u := range users {
		if u.CreatedAt.IsZero() || !u.CreatedAt.Before(cutoff) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("cleanup: %w", err)
		}
		if u.Sub != "" {
			if err := c.Store.DeleteUser(ctx, u.Sub); err != nil {
				log.Error("cleanup: delete profile", "user", u.Username, "sub", u.Sub, "err", err.Error())
				res.Failed++
				continue
			}
		}
		if err := c.Pool.AdminDeleteUser(ctx, u.Username); err != nil && !errors.Is(err, onair.ErrNotFound) {
			log.Error("cleanup: delete user", "user", u.Username, "err", err.Error())
			res.Failed++
			continue
		}
		res.Deleted++
	}
	return res, nil
}
