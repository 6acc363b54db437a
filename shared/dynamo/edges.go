package dynamo

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/onair/onair/shared/onair"
)

// Follows and bans are edge items under the owner's partition
// (USER#<owner>, FOLLOWS#<target> or BANS#<target>) with ref = <target>, so
// an owner's edges are one Query and the edges pointing at a user are one
// Query of the sparse refIndex.

func (s *Store) putEdge(ctx context.Context, prefix string, e edge) (bool, error) {
	if e.owner == "" || e.target == "" {
		return false, invalid("Both users of an edge are required.")
	}
	// Conditional put: of two concurrent puts of the same edge exactly one
	// creates it, and a repeated put keeps the original time.
	return s.putIfAbsent(ctx, s.tables.Channels, attrPK, edgeItem(prefix, e))
}

func (s *Store) getEdge(ctx context.Context, prefix, owner, target string) (edge, error) {
	it, err := s.get(ctx, s.tables.Channels, edgeKey(prefix, owner, target))
	if err != nil {
		return edge{}, err
	}
	if it == nil {
		return edge{}, notFound(map[string]string{prefixFollows: "Follow", prefixBans: "Ban"}[prefix])
	}
	return decodeEdge(it)
}

// listEdges returns owner's edges, most recent first (ties: target order).
func (s *Store) listEdges(ctx context.Context, prefix, owner string) ([]edge, error) {
	items, err := s.query(ctx, partitionPrefixQuery(s.tables.Channels, prefix, owner), 0)
	if err != nil {
		return nil, err
	}
	edges, err := decodeAll(items, decodeEdge)
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

func partitionPrefixQuery(table, prefix, owner string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: item{":pk": str(prefixUser + owner), ":prefix": str(prefix)},
	}
}

// PutFollow creates the follow edge; created is false if it existed.
func (s *Store) PutFollow(ctx context.Context, f onair.Follow) (bool, error) {
	return s.putEdge(ctx, prefixFollows, edge{owner: f.FollowerSub, target: f.FollowedSub, at: f.At})
}

// DeleteFollow deletes the follow edge.
func (s *Store) DeleteFollow(ctx context.Context, followerSub, followedSub string) (bool, error) {
	return s.deleteKey(ctx, s.tables.Channels, edgeKey(prefixFollows, followerSub, followedSub))
}

// GetFollow reads the follow edge.
func (s *Store) GetFollow(ctx context.Context, followerSub, followedSub string) (onair.Follow, error) {
	e, err := s.getEdge(ctx, prefixFollows, followerSub, followedSub)
	if err != nil {
		return onair.Follow{}, err
	}
	return onair.Follow{FollowerSub: e.owner, FollowedSub: e.target, At: e.at}, nil
}

// ListFollowing queries the follower's FOLLOWS# items.
func (s *Store) ListFollowing(ctx context.Context, followerSub string) ([]onair.Follow, error) {
	edges, err := s.listEdges(ctx, prefixFollows, followerSub)
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
	return s.putEdge(ctx, prefixBans, edge{owner: b.OwnerSub, target: b.BannedSub, at: b.At})
}

// DeleteBan deletes the ban edge.
func (s *Store) DeleteBan(ctx context.Context, ownerSub, bannedSub string) (bool, error) {
	return s.deleteKey(ctx, s.tables.Channels, edgeKey(prefixBans, ownerSub, bannedSub))
}

// GetBan reads the ban edge.
func (s *Store) GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error) {
	e, err := s.getEdge(ctx, prefixBans, ownerSub, bannedSub)
	if err != nil {
		return onair.Ban{}, err
	}
	return onair.Ban{OwnerSub: e.owner, BannedSub: e.target, At: e.at}, nil
}

// ListBans queries the owner's BANS# items.
func (s *Store) ListBans(ctx context.Context, ownerSub string) ([]onair.Ban, error) {
	edges, err := s.listEdges(ctx, prefixBans, ownerSub)
	if err != nil {
		return nil, err
	}
	out := make([]onair.Ban, len(edges))
	for i, e := range edges {
		out[i] = onair.Ban{OwnerSub: e.owner, BannedSub: e.target, At: e.at}
	}
	return out, nil
}

// DeleteUserEdges deletes the user's own follows and bans (two Queries of
// their partition) and the follows and bans pointing at them (a Query of
// refIndex), in batches.
func (s *Store) DeleteUserEdges(ctx context.Context, sub string) error {
	if sub == "" {
		return invalid("A sub is required.")
	}
	var items []item
	for _, prefix := range []string{prefixFollows, prefixBans} {
		own, err := s.query(ctx, partitionPrefixQuery(s.tables.Channels, prefix, sub), 0)
		if err != nil {
			return err
		}
		items = append(items, own...)
	}
	incoming, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.tables.Channels),
		IndexName:                 aws.String(indexRef),
		KeyConditionExpression:    aws.String("#ref = :ref"),
		ExpressionAttributeNames:  map[string]string{"#ref": attrRef},
		ExpressionAttributeValues: item{":ref": str(sub)},
	}, 0)
	if err != nil {
		return err
	}
	for _, it := range incoming {
		if sk := stringAttr(it, attrSK); strings.HasPrefix(sk, prefixFollows) || strings.HasPrefix(sk, prefixBans) {
			items = append(items, it)
		}
	}
	return s.batchDelete(ctx, s.tables.Channels, uniqueKeys(keysOf(items, attrPK, attrSK)))
}

// uniqueKeys drops repeated pk/sk keys: BatchWriteItem rejects a batch that
// names one key twice (a self-follow is both outgoing and incoming).
func uniqueKeys(keys []item) []item {
	seen := map[string]bool{}
	out := keys[:0]
	for _, k := range keys {
		id := stringAttr(k, attrPK) + "\x00" + stringAttr(k, attrSK)
		if !seen[id] {
			seen[id] = true
			out = append(out, k)
		}
	}
	return out
}
