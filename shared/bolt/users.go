package bolt

import (
	"context"
	"fmt"
	"sort"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

// userIndex returns the index entries of u, mirroring the DynamoDB GSIs:
// an entry only when its attribute is set (the live entry only while live).
func userIndex(u *onair.User) []indexEntry {
	if u == nil {
		return nil
	}
	var es []indexEntry
	add := func(bucket, value string) {
		if value != "" {
			es = append(es, indexEntry{bucket, key(value, u.Sub)})
		}
	}
	add(bucketUsername, strings.ToLower(u.Username))
	add(bucketEmail, strings.ToLower(u.Email))
	add(bucketChannelArn, u.ChannelArn)
	add(bucketAsset, u.ChannelAssetID)
	add(bucketChatRoom, u.ChatRoomArn)
	if u.LiveSince != nil {
		add(bucketLive, sortable(*u.LiveSince))
	}
	return es
}

// getUser reads a user in tx (nil if missing).
func getUser(tx *bbolt.Tx, sub string) (*onair.User, error) {
	return getRecord[onair.User](tx, bucketUsers, key(sub))
}

// putUser writes u over old (nil: new) and moves its index entries. It
// returns u as a read would return it.
func putUser(tx *bbolt.Tx, old *onair.User, u onair.User) (onair.User, error) {
	if u.LiveSince != nil {
		// Stored, like DynamoDB's index attribute, in UTC.
		since := u.LiveSince.UTC()
		u.LiveSince = &since
	}
	return putRecord(tx, bucketUsers, key(u.Sub), userIndex, old, &u)
}

// CreateUser inserts u with Version 1; ErrConflict if the sub exists.
func (s *Store) CreateUser(ctx context.Context, u onair.User) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if u.Sub == "" {
		return invalid("A user needs a sub.")
	}
	if err := checkParts(u.Sub, u.Username, u.Email, u.ChannelArn, u.ChannelAssetID, u.ChatRoomArn); err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		old, err := getUser(tx, u.Sub)
		if err != nil {
			return err
		}
		if old != nil {
			return onair.Errorf(onair.Conflict, "ConflictException", "The user already exists.")
		}
		u.Version = 1
		_, err = putUser(tx, nil, u)
		return err
	})
}

// GetUser reads the user.
func (s *Store) GetUser(ctx context.Context, sub string) (onair.User, error) {
	var out onair.User
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		u, err := getUser(tx, sub)
		if err != nil {
			return err
		}
		if u == nil {
			return userNotFound()
		}
		out = *u
		return nil
	})
	return out, err
}

// GetUsers reads the users that exist among subs.
func (s *Store) GetUsers(ctx context.Context, subs []string) ([]onair.User, error) {
	out := []onair.User{}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		seen := map[string]bool{}
		for _, sub := range subs {
			if seen[sub] {
				continue
			}
			seen[sub] = true
			u, err := getUser(tx, sub)
			if err != nil {
				return err
			}
			if u != nil {
				out = append(out, *u)
			}
		}
		return nil
	})
	return out, err
}

// GetUserByUsername looks the lower-cased name up in its index.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (onair.User, error) {
	return s.userBy(ctx, bucketUsername, strings.ToLower(username))
}

// GetUserByEmail looks the lower-cased address up in its index.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (onair.User, error) {
	return s.userBy(ctx, bucketEmail, strings.ToLower(email))
}

// GetUserByChannelArn looks the ARN up in its index.
func (s *Store) GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error) {
	return s.userBy(ctx, bucketChannelArn, channelArn)
}

// GetUserByAssetID looks the asset id up in its index.
func (s *Store) GetUserByAssetID(ctx context.Context, channelAssetID string) (onair.User, error) {
	return s.userBy(ctx, bucketAsset, channelAssetID)
}

// GetUserByChatRoomArn looks the room ARN up in its index.
func (s *Store) GetUserByChatRoomArn(ctx context.Context, roomArn string) (onair.User, error) {
	return s.userBy(ctx, bucketChatRoom, roomArn)
}

// reindexUsers writes the index entries of every stored user (idempotent:
// an entry is a key with no value).
func reindexUsers(tx *bbolt.Tx) error {
	return tx.Bucket([]byte(bucketUsers)).ForEach(func(_, raw []byte) error {
		var u onair.User
		if err := decode(raw, &u); err != nil {
			return err
		}
		return reindex(tx, nil, userIndex(&u))
	})
}

// userBy returns the user indexed under value in bucket; if several are
// (the store does not enforce uniqueness), the oldest, as in DynamoDB.
func (s *Store) userBy(ctx context.Context, bucket, value string) (onair.User, error) {
	if value == "" {
		return onair.User{}, userNotFound()
	}
	var users []onair.User
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var subs []string
		var bad error
		scan(tx.Bucket([]byte(bucket)), key(value), func(k, _ []byte) bool {
			ps, err := parts(k)
			if err != nil || len(ps) != 2 {
				bad = fmt.Errorf("bolt: bad %s key %q", bucket, k)
				return false
			}
			subs = append(subs, ps[1])
			return true
		})
		if bad != nil {
			return bad
		}
		for _, sub := range subs {
			u, err := getUser(tx, sub)
			if err != nil {
				return err
			}
			if u == nil {
				return fmt.Errorf("bolt: %s index names missing user %q", bucket, sub)
			}
			users = append(users, *u)
		}
		return nil
	})
	if err != nil {
		return onair.User{}, err
	}
	if len(users) == 0 {
		return onair.User{}, userNotFound()
	}
	sort.Slice(users, func(i, j int) bool {
		if !users[i].CreatedAt.Equal(users[j].CreatedAt) {
			return users[i].CreatedAt.Before(users[j].CreatedAt)
		}
		return users[i].Sub < users[j].Sub
	})
	return users[0], nil
}

// UpdateUser applies fn inside one write transaction.
func (s *Store) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	return update(ctx, s.db,
		func(tx *bbolt.Tx) (*onair.User, error) { return getUser(tx, sub) },
		func() (*onair.User, error) { return nil, userNotFound() },
		fn,
		func(tx *bbolt.Tx, cur, next *onair.User) (onair.User, error) {
			if next.Sub != sub {
				return onair.User{}, fmt.Errorf("bolt: UpdateUser: fn changed the sub %q to %q", sub, next.Sub)
			}
			if err := checkParts(next.Username, next.Email, next.ChannelArn, next.ChannelAssetID, next.ChatRoomArn); err != nil {
				return onair.User{}, err
			}
			next.Version = cur.Version + 1
			return putUser(tx, cur, *next)
		})
}

// DeleteUser deletes the user and its index entries.
func (s *Store) DeleteUser(ctx context.Context, sub string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		u, err := getUser(tx, sub)
		if err != nil || u == nil {
			return err
		}
		if err := tx.Bucket([]byte(bucketUsers)).Delete(key(sub)); err != nil {
			return err
		}
		return reindex(tx, userIndex(u), nil)
	})
}

// ListLiveUsers walks the live index from the newest entry.
func (s *Store) ListLiveUsers(ctx context.Context, limit int) ([]onair.User, error) {
	if limit < 1 {
		return nil, invalid("The limit must be positive.")
	}
	out := []onair.User{}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var subs []string
		scanBefore(tx.Bucket([]byte(bucketLive)), nil, nil, func(k, _ []byte) bool {
			if ps, err := parts(k); err == nil && len(ps) == 2 {
				subs = append(subs, ps[1])
			}
			return len(subs) < limit
		})
		for _, sub := range subs {
			u, err := getUser(tx, sub)
			if err != nil {
				return err
			}
			if u != nil {
				out = append(out, *u)
			}
		}
		return nil
	})
	return out, err
}

// view runs fn in a read transaction, unless ctx is already done.
func (s *Store) view(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}
