package bolt

import (
	"context"
	"fmt"
	"sort"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

// An edge kind: the forward bucket (owner, target) → time and the reverse
// bucket (target, owner), written together.
type edgeKind struct {
	forward, reverse, what string
}

var (
	followKind = edgeKind{bucketFollows, bucketFollowers, "Follow"}
	banKind    = edgeKind{bucketBans, bucketBanned, "Ban"}
)

type edge struct {
	owner, target string
	at            time.Time
}

func decodeEdge(k, v []byte) (edge, error) {
	ps, err := parts(k)
	if err != nil || len(ps) != 2 {
		return edge{}, fmt.Errorf("bolt: bad edge key %q", k)
	}
	at, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return edge{}, fmt.Errorf("bolt: edge %q: %w", k, err)
	}
	return edge{owner: ps[0], target: ps[1], at: at}, nil
}

func (s *Store) putEdge(ctx context.Context, kind edgeKind, e edge) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if e.owner == "" || e.target == "" {
		return false, invalid("Both users of an edge are required.")
	}
	if err := checkParts(e.owner, e.target); err != nil {
		return false, err
	}
	created := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		fwd := tx.Bucket([]byte(kind.forward))
		k := key(e.owner, e.target)
		if fwd.Get(k) != nil {
			return nil // the existing edge keeps its time
		}
		if err := fwd.Put(k, []byte(sortable(e.at))); err != nil {
			return err
		}
		created = true
		return tx.Bucket([]byte(kind.reverse)).Put(key(e.target, e.owner), []byte{})
	})
	return created, err
}

func (s *Store) deleteEdge(ctx context.Context, kind edgeKind, owner, target string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	deleted := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		fwd := tx.Bucket([]byte(kind.forward))
		k := key(owner, target)
		if fwd.Get(k) == nil {
			return nil
		}
		deleted = true
		if err := fwd.Delete(k); err != nil {
			return err
		}
		return tx.Bucket([]byte(kind.reverse)).Delete(key(target, owner))
	})
	return deleted, err
}

func (s *Store) getEdge(ctx context.Context, kind edgeKind, owner, target string) (edge, error) {
	var e edge
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		k := key(owner, target)
		v := tx.Bucket([]byte(kind.forward)).Get(k)
		if v == nil {
			return notFound(kind.what)
		}
		var err error
		e, err = decodeEdge(k, v)
		return err
	})
	return e, err
}

// listEdges returns owner's edges, most recent first (ties: target order),
// as the DynamoDB adapter does.
func (s *Store) listEdges(ctx context.Context, kind edgeKind, owner string) ([]edge, error) {
	var edges []edge
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var bad error
		scan(tx.Bucket([]byte(kind.forward)), key(owner), func(k, v []byte) bool {
			e, err := decodeEdge(k, v)
			if err != nil {
				bad = err
				return false
			}
			edges = append(edges, e)
			return true
		})
		return bad
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(edges, func(i, j int) bool {
		if !edges[i].at.Equal(edges[j].at) {
			return edges[i].at.After(edges[j].at)
		}
		return edges[i].target < edges[j].target
	})
	return edges, nil
}

// PutFollow creates the follow edge; created is false if it existed.
func (s *Store) PutFollow(ctx context.Context, f onair.Follow) (bool, error) {
	return s.putEdge(ctx, followKind, edge{f.FollowerSub, f.FollowedSub, f.At})
}

// DeleteFollow deletes the follow edge.
func (s *Store) DeleteFollow(ctx context.Context, followerSub, followedSub string) (bool, error) {
	return s.deleteEdge(ctx, followKind, followerSub, followedSub)
}

// GetFollow reads the follow edge.
func (s *Store) GetFollow(ctx context.Context, followerSub, followedSub string) (onair.Follow, error) {
	e, err := s.getEdge(ctx, followKind, followerSub, followedSub)
	if err != nil {
		return onair.Follow{}, err
	}
	return onair.Follow{FollowerSub: e.owner, FollowedSub: e.target, At: e.at}, nil
}

// ListFollowing lists the follower's edges.
func (s *Store) ListFollowing(ctx context.Context, followerSub string) ([]onair.Follow, error) {
	edges, err := s.listEdges(ctx, followKind, followerSub)
	if err != nil {
		return nil, err
	}
	out := make([]onair.Follow, len(edges))
	for i, e := range edges {
		out[i] = onair.Follow{FollowerSub: e.owner, FollowedSub: e.target, At: e.at}
	}
	return out, nil
}

// PutBan creates the ban edge; created is false if it existed.
func (s *Store) PutBan(ctx context.Context, b onair.Ban) (bool, error) {
	return s.putEdge(ctx, banKind, edge{b.OwnerSub, b.BannedSub, b.At})
}

// DeleteBan deletes the ban edge.
func (s *Store) DeleteBan(ctx context.Context, ownerSub, bannedSub string) (bool, error) {
	return s.deleteEdge(ctx, banKind, ownerSub, bannedSub)
}

// GetBan reads the ban edge.
func (s *Store) GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error) {
	e, err := s.getEdge(ctx, banKind, ownerSub, bannedSub)
	if err != nil {
		return onair.Ban{}, err
	}
	return onair.Ban{OwnerSub: e.owner, BannedSub: e.target, At: e.at}, nil
}

// ListBans lists the owner's bans.
func (s *Store) ListBans(ctx context.Context, ownerSub string) ([]onair.Ban, error) {
	edges, err := s.listEdges(ctx, banKind, ownerSub)
	if err != nil {
		return nil, err
	}
	out := make([]onair.Ban, len(edges))
	for i, e := range edges {
		out[i] = onair.Ban{OwnerSub: e.owner, BannedSub: e.target, At: e.at}
	}
	return out, nil
}

// DeleteUserEdges deletes every follow and ban from or to sub, both
// directions found by prefix in the forward and reverse buckets, in one
// transaction.
func (s *Store) DeleteUserEdges(ctx context.Context, sub string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sub == "" {
		return invalid("A sub is required.")
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		for _, kind := range []edgeKind{followKind, banKind} {
			fwd, rev := tx.Bucket([]byte(kind.forward)), tx.Bucket([]byte(kind.reverse))
			prefix := key(sub)
			for _, pair := range []struct {
				b, other *bbolt.Bucket
			}{{fwd, rev}, {rev, fwd}} {
				for _, k := range keysWithPrefix(pair.b, prefix) {
					ps, err := parts(k)
					if err != nil || len(ps) != 2 {
						return fmt.Errorf("bolt: bad edge key %q", k)
					}
					if err := pair.b.Delete(k); err != nil {
						return err
					}
					if err := pair.other.Delete(key(ps[1], ps[0])); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}
