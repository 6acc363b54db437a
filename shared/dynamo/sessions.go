package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/onair/onair/shared/onair"
)

// GetSession reads the session item (strongly consistent).
func (s *Store) GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error) {
	if channelArn == "" || streamID == "" {
		return onair.StreamSession{}, notFound("Stream session")
	}
	it, err := s.get(ctx, s.tables.Streams, sessionKey(channelArn, streamID))
	if err != nil {
		return onair.StreamSession{}, err
	}
	if it == nil {
		return onair.StreamSession{}, notFound("Stream session")
	}
	return decodeSession(it)
}

// UpdateSession is the conditional read-modify-write cycle on a session,
// creating it (attribute_not_exists) when missing: of two event handlers
// racing to create one session, one creates and the other re-applies its
// event to the created record.
func (s *Store) UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error) {
	if channelArn == "" || streamID == "" {
		return onair.StreamSession{}, invalid("A session needs a channel ARN and a stream id.")
	}
	return update(ctx, s, record[onair.StreamSession]{
		op:      "UpdateSession",
		table:   s.tables.Streams,
		key:     sessionKey(channelArn, streamID),
		hashKey: attrChannelArn,
		fresh: func() onair.StreamSession {
			return onair.StreamSession{ChannelArn: channelArn, StreamID: streamID}
		},
		decode:  decodeSession,
		encode:  sessionItem,
		version: func(v *onair.StreamSession) *int64 { return &v.Version },
		sameKey: func(v onair.StreamSession) error {
			if v.ChannelArn != channelArn || v.StreamID != streamID {
				return fmt.Errorf("dynamo: UpdateSession: fn changed the key %s/%s to %s/%s", channelArn, streamID, v.ChannelArn, v.StreamID)
			}
			return nil
		},
	}, fn)
}

// sessionCursor is the position after the last session of a page: the
// startTimeIndex key of that session.
type sessionCursor struct {
	ChannelArn string `json:"channelArn"`
	StreamID   string `json:"streamId"`
	StartTime  string `json:"startTime"`
}

func invalidCursor() error { return invalid("The pagination cursor is not valid.") }

// ListSessions queries startTimeIndex newest first. It asks for one item
// more than the page, so that the last page is known to be the last (its
// cursor is "") rather than followed by an empty one; the cursor is the
// base64url JSON of the page's last index key, used as ExclusiveStartKey.
func (s *Store) ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error) {
	if limit < 1 {
		return nil, "", invalid("The limit must be positive.")
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.tables.Streams),
		IndexName:                 aws.String(indexStartTime),
		KeyConditionExpression:    aws.String("#k = :v"),
		ExpressionAttributeNames:  map[string]string{"#k": attrChannelArn},
		ExpressionAttributeValues: item{":v": str(channelArn)},
		ScanIndexForward:          aws.Bool(false),
		// Local indexes can be read consistently; event processing matches a
		// breach to the session open at its time and must see its own writes.
		ConsistentRead: aws.Bool(true),
	}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return nil, "", invalidCursor()
		}
		var c sessionCursor
		if err := json.Unmarshal(raw, &c); err != nil || c.ChannelArn != channelArn || c.StreamID == "" {
			return nil, "", invalidCursor()
		}
		if _, err := time.Parse(time.RFC3339Nano, c.StartTime); err != nil {
			return nil, "", invalidCursor()
		}
		in.ExclusiveStartKey = item{
			attrChannelArn: str(c.ChannelArn),
			attrStreamID:   str(c.StreamID),
			attrStartTime:  str(c.StartTime),
		}
	}
	items, err := s.query(ctx, in, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		raw, err := json.Marshal(sessionCursor{
			ChannelArn: stringAttr(last, attrChannelArn),
			StreamID:   stringAttr(last, attrStreamID),
			StartTime:  stringAttr(last, attrStartTime),
		})
		if err != nil {
			return nil, "", err
		}
		next = base64.RawURLEncoding.EncodeToString(raw)
	}
	sessions, err := decodeAll(items, decodeSession)
	return sessions, next, err
}

// ListOpenSessions queries the sparse openIndex (oldest first).
func (s *Store) ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error) {
	items, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.tables.Streams),
		IndexName:                 aws.String(indexOpen),
		KeyConditionExpression:    aws.String("#k = :v"),
		ExpressionAttributeNames:  map[string]string{"#k": attrChannelArn},
		ExpressionAttributeValues: item{":v": str(channelArn)},
		// A new session closes the older open ones: two Session Created
		// events at once must each see the other's write.
		ConsistentRead: aws.Bool(true),
	}, 0)
	if err != nil {
		return nil, err
	}
	return decodeAll(items, decodeSession)
}

// DeleteSessions queries the channel's session keys and deletes them in
// batches.
func (s *Store) DeleteSessions(ctx context.Context, channelArn string) error {
	if channelArn == "" {
		return invalid("A channel ARN is required.")
	}
	items, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.tables.Streams),
		KeyConditionExpression:    aws.String("#k = :v"),
		ProjectionExpression:      aws.String("#k, #id"),
		ExpressionAttributeNames:  map[string]string{"#k": attrChannelArn, "#id": attrStreamID},
		ExpressionAttributeValues: item{":v": str(channelArn)},
	}, 0)
	if err != nil {
		return err
	}
	return s.batchDelete(ctx, s.tables.Streams, keysOf(items, attrChannelArn, attrStreamID))
}
