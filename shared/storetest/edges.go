package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// edge is a follow or a ban seen through one shape, so one set of cases
// covers both kinds.
type edge struct {
	owner, target string
	at            time.Time
}

type edgeKind struct {
	name string
	put  func(ctx context.Context, s store.Store, e edge) (bool, error)
	del  func(ctx context.Context, s store.Store, owner, target string) (bool, error)
	get  func(ctx context.Context, s store.Store, owner, target string) (edge, error)
	list func(ctx context.Context, s store.Store, owner string) ([]edge, error)
}

var follows = edgeKind{
	name: "Follow",
	put: func(ctx context.Context, s store.Store, e edge) (bool, error) {
		return s.PutFollow(ctx, onair.Follow{FollowerSub: e.owner, FollowedSub: e.target, At: e.at})
	},
	del: func(ctx context.Context, s store.Store, owner, target string) (bool, error) {
		return s.DeleteFollow(ctx, owner, target)
	},
	get: func(ctx context.Context, s store.Store, owner, target string) (edge, error) {
		f, err := s.GetFollow(ctx, owner, target)
		return edge{f.FollowerSub, f.FollowedSub, f.At}, err
	},
	list: func(ctx context.Context, s store.Store, owner string) ([]edge, error) {
		fs, err := s.ListFollowing(ctx, owner)
		out := make([]edge, len(fs))
		for i, f := range fs {
			out[i] = edge{f.FollowerSub, f.FollowedSub, f.At}
		}
		return out, err
	},
}

var bans = edgeKind{
	name: "Ban",
	put: func(ctx context.Context, s store.Store, e edge) (bool, error) {
		return s.PutBan(ctx, onair.Ban{OwnerSub: e.owner, BannedSub: e.target, At: e.at})
	},
	del: func(ctx context.Context, s store.Store, owner, target string) (bool, error) {
		return s.DeleteBan(ctx, owner, target)
	},
	get: func(ctx context.Context, s store.Store, owner, target string) (edge, error) {
		b, err := s.GetBan(ctx, owner, target)
		return edge{b.OwnerSub, b.BannedSub, b.At}, err
	},
	list: func(ctx context.Context, s store.Store, owner string) ([]edge, error) {
		bs, err := s.ListBans(ctx, owner)
		out := make([]edge, len(bs))
		for i, b := range bs {
			out[i] = edge{b.OwnerSub, b.BannedSub, b.At}
		}
		return out, err
	},
}

func targets(edges []edge) []string {
	out := make([]string, len(edges))
	for i, e := range edges {
		out[i] = e.target
	}
	return out
}

func edgeCases() []testCase {
	var cases []testCase
	for _, k := range []edgeKind{follows, bans} {
		cases = append(cases,
			testCase{k.name + "/PutGetDelete", func(t *testing.T, s store.Store) {
				c := ctx(t)
				created, err := k.put(c, s, edge{"a", "b", at(0)})
				require.NoError(t, err)
				assert.True(t, created)
				got, err := k.get(c, s, "a", "b")
				require.NoError(t, err)
				assert.Equal(t, edge{"a", "b", at(0)}, got)

				created, err = k.put(c, s, edge{"a", "b", at(time.Hour)})
				require.NoError(t, err)
				assert.False(t, created, "existing edge")
				got, err = k.get(c, s, "a", "b")
				require.NoError(t, err)
				assert.Equal(t, at(0), got.at, "a repeated put keeps the original time")

				_, err = k.get(c, s, "b", "a")
				assert.ErrorIs(t, err, onair.ErrNotFound, "edges are directed")

				deleted, err := k.del(c, s, "a", "b")
				require.NoError(t, err)
				assert.True(t, deleted)
				_, err = k.get(c, s, "a", "b")
				assert.ErrorIs(t, err, onair.ErrNotFound)
				deleted, err = k.del(c, s, "a", "b")
				require.NoError(t, err)
				assert.False(t, deleted, "nothing to delete")
			}},
			testCase{k.name + "/PutRejectsEmptySubs", func(t *testing.T, s store.Store) {
				_, err := k.put(ctx(t), s, edge{"a", "", at(0)})
				requireCode(t, err, onair.Invalid)
				_, err = k.put(ctx(t), s, edge{"", "b", at(0)})
				requireCode(t, err, onair.Invalid)
			}},
			testCase{k.name + "/ListNewestFirst", func(t *testing.T, s store.Store) {
				c := ctx(t)
				for _, e := range []edge{
					{"a", "x", at(2 * time.Second)},
					{"a", "y", at(500 * time.Millisecond)},
					{"a", "z", at(0).Truncate(time.Second).Add(time.Second)},
					{"a", "w", at(time.Hour)},
					{"b", "x", at(3 * time.Hour)}, // another owner
					{"x", "a", at(4 * time.Hour)}, // pointing at a
				} {
					_, err := k.put(c, s, e)
					require.NoError(t, err)
				}
				got, err := k.list(c, s, "a")
				require.NoError(t, err)
				assert.Equal(t, []string{"w", "x", "z", "y"}, targets(got))
				assert.Equal(t, edge{"a", "w", at(time.Hour)}, got[0])
				got, err = k.list(c, s, "nobody")
				require.NoError(t, err)
				assert.Empty(t, got)
			}},
		)
	}
	cases = append(cases,
		testCase{"Edges/FollowsAndBansAreSeparate", func(t *testing.T, s store.Store) {
			c := ctx(t)
			_, err := s.PutFollow(c, onair.Follow{FollowerSub: "a", FollowedSub: "b", At: at(0)})
			require.NoError(t, err)
			_, err = s.GetBan(c, "a", "b")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			bs, err := s.ListBans(c, "a")
			require.NoError(t, err)
			assert.Empty(t, bs)
			created, err := s.PutBan(c, onair.Ban{OwnerSub: "a", BannedSub: "b", At: at(0)})
			require.NoError(t, err)
			assert.True(t, created)
			deleted, err := s.DeleteBan(c, "a", "b")
			require.NoError(t, err)
			assert.True(t, deleted)
			_, err = s.GetFollow(c, "a", "b")
			assert.NoError(t, err, "deleting the ban keeps the follow")
		}},
		testCase{"Edges/DeleteUserEdgesBothDirections", func(t *testing.T, s store.Store) {
			c := ctx(t)
			mustCreate(t, s, onair.User{Sub: "a", Username: "a"})
			require.NoError(t, s.PutDocument(c, "a", "overlay", []byte(`{"k":1}`)))
			put := func(k edgeKind, owner, target string) {
				_, err := k.put(c, s, edge{owner, target, at(0)})
				require.NoError(t, err)
			}
			// a follows 30 users and bans 3: more than one 25-item batch.
			for i := range 30 {
				put(follows, "a", name("f", i))
			}
			for i := range 3 {
				put(bans, "a", name("b", i))
			}
			put(follows, "x", "a")
			put(follows, "y", "a")
			put(bans, "z", "a")
			put(follows, "a", "a") // a self-follow is outgoing and incoming
			// Unrelated edges stay.
			put(follows, "x", "y")
			put(bans, "y", "x")
			put(follows, "ab", "x") // a sub that has "a" as a prefix
			put(follows, "x", "ab")

			require.NoError(t, s.DeleteUserEdges(c, "a"))

			for _, k := range []edgeKind{follows, bans} {
				got, err := k.list(c, s, "a")
				require.NoError(t, err)
				assert.Empty(t, got, "a's %ss", k.name)
			}
			for _, e := range []struct {
				k             edgeKind
				owner, target string
			}{{follows, "x", "a"}, {follows, "y", "a"}, {bans, "z", "a"}} {
				_, err := e.k.get(c, s, e.owner, e.target)
				assert.ErrorIs(t, err, onair.ErrNotFound, "%s %s→%s", e.k.name, e.owner, e.target)
			}
			xf, err := follows.list(c, s, "x")
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"y", "ab"}, targets(xf))
			_, err = s.GetBan(c, "y", "x")
			assert.NoError(t, err)
			_, err = s.GetFollow(c, "ab", "x")
			assert.NoError(t, err)
			_, err = s.GetUser(c, "a")
			assert.NoError(t, err, "the profile is not an edge")
			_, err = s.GetDocument(c, "a", "overlay")
			assert.NoError(t, err, "documents are not edges")
			assert.NoError(t, s.DeleteUserEdges(c, "a"), "nothing left to delete")
		}},
	)
	return cases
}
