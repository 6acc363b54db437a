package dynamo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/onair/onair/shared/onair"
)

// CreateUser inserts u with Version 1; ErrConflict if the sub exists.
func (s *Store) CreateUser(ctx context.Context, u onair.User) error {
	if u.Sub == "" {
		return invalid("A user needs a sub.")
	}
	u.Version = 1
	it, err := userItem(u)
	if err != nil {
		return err
	}
	created, err := s.putIfAbsent(ctx, s.tables.Channels, attrPK, it)
	if err != nil {
		return err
	}
	if !created {
		return onair.Errorf(onair.Conflict, "ConflictException", "The user already exists.")
	}
	return nil
}

// GetUser reads the profile item (strongly consistent).
func (s *Store) GetUser(ctx context.Context, sub string) (onair.User, error) {
	it, err := s.get(ctx, s.tables.Channels, userKey(sub))
	if err != nil {
		return onair.User{}, err
	}
	if it == nil {
		return onair.User{}, userNotFound()
	}
	return decodeUser(it)
}

// GetUsers reads the profiles with BatchGetItem.
func (s *Store) GetUsers(ctx context.Context, subs []string) ([]onair.User, error) {
	seen := make(map[string]bool, len(subs))
	var keys []item
	for _, sub := range subs {
		// BatchGetItem rejects a request that names a key twice.
		if !seen[sub] {
			seen[sub] = true
			keys = append(keys, userKey(sub))
		}
	}
	items, err := s.batchGet(ctx, s.tables.Channels, keys)
	if err != nil {
		return nil, err
	}
	return decodeAll(items, decodeUser)
}

// maxPartitionKeyBytes is DynamoDB's limit on a partition key value.
const maxPartitionKeyBytes = 2048

// GetUserByUsername queries usernameIndex on the lower-cased name.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (onair.User, error) {
	return s.userBy(ctx, indexUsername, attrUsernameLower, strings.ToLower(username))
}

// GetUserByEmail queries emailIndex on the lower-cased address.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (onair.User, error) {
	return s.userBy(ctx, indexEmail, attrEmailLower, strings.ToLower(email))
}

// GetUserByChannelArn queries channelArnIndex.
func (s *Store) GetUserByChannelArn(ctx context.Context, channelArn string) (onair.User, error) {
	return s.userBy(ctx, indexChannelArn, attrChannelArn, channelArn)
}

// GetUserByAssetID queries assetIndex.
func (s *Store) GetUserByAssetID(ctx context.Context, channelAssetID string) (onair.User, error) {
	return s.userBy(ctx, indexAsset, attrChannelAssetID, channelAssetID)
}

// GetUserByChatRoomArn queries chatRoomArnIndex.
func (s *Store) GetUserByChatRoomArn(ctx context.Context, roomArn string) (onair.User, error) {
	return s.userBy(ctx, indexChatRoom, attrChatRoomArn, roomArn)
}

// userBy returns the user whose attr is value. The attribute should be
// unique (Cognito keeps usernames and emails unique); if two profiles ever
// share it, the oldest wins, so the answer is at least stable.
func (s *Store) userBy(ctx context.Context, index, attr, value string) (onair.User, error) {
	// No stored key can be empty or longer than DynamoDB's partition key
	// limit, so such a value matches nobody; querying with it would only
	// return DynamoDB's own validation message to the caller.
	if value == "" || len(value) > maxPartitionKeyBytes {
		return onair.User{}, userNotFound()
	}
	items, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.tables.Channels),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#k = :v"),
		ExpressionAttributeNames:  map[string]string{"#k": attr},
		ExpressionAttributeValues: item{":v": str(value)},
	}, 0)
	if err != nil {
		return onair.User{}, err
	}
	var users []onair.User
	for _, it := range items {
		if stringAttr(it, attrSK) != skProfile {
			continue
		}
		u, err := decodeUser(it)
		if err != nil {
			return onair.User{}, err
		}
		users = append(users, u)
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

// UpdateUser is the conditional read-modify-write cycle on the profile.
func (s *Store) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error) {
	return update(ctx, s, record[onair.User]{
		op:      "UpdateUser",
		table:   s.tables.Channels,
		key:     userKey(sub),
		hashKey: attrPK,
		missing: userNotFound,
		decode:  decodeUser,
		encode:  userItem,
		version: func(u *onair.User) *int64 { return &u.Version },
		sameKey: func(u onair.User) error {
			if u.Sub != sub {
				return fmt.Errorf("dynamo: UpdateUser: fn changed the sub %q to %q", sub, u.Sub)
			}
			return nil
		},
	}, fn)
}

// DeleteUser deletes the profile item.
func (s *Store) DeleteUser(ctx context.Context, sub string) error {
	_, err := s.deleteKey(ctx, s.tables.Channels, userKey(sub))
	return err
}

// ListLiveUsers queries the sparse liveIndex newest first: only live users
// have its key attributes, so the index holds exactly the directory.
func (s *Store) ListLiveUsers(ctx context.Context, limit int) ([]onair.User, error) {
	if limit < 1 {
		return nil, invalid("The limit must be positive.")
	}
	items, err := s.queryShard(ctx, indexLive, attrLiveShard, liveShard, limit)
	if err != nil {
		return nil, err
	}
	return decodeAll(items, decodeUser)
}
