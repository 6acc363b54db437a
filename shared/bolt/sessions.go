package bolt

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

// sessionIndex mirrors the Streams table's sparse LSIs: a start entry once
// the start time is known, an open entry while the session is open.
func sessionIndex(v *onair.StreamSession) []indexEntry {
	if v == nil {
		return nil
	}
	var es []indexEntry
	if !v.StartTime.IsZero() {
		es = append(es, indexEntry{bucketStarted, key(v.ChannelArn, sortable(v.StartTime), v.StreamID)})
	}
	if v.Open {
		es = append(es, indexEntry{bucketOpen, key(v.ChannelArn, sortable(v.StartTime), v.StreamID)})
	}
	return es
}

func getSession(tx *bbolt.Tx, channelArn, streamID string) (*onair.StreamSession, error) {
	return getRecord[onair.StreamSession](tx, bucketSessions, key(channelArn, streamID))
}

// GetSession reads the session.
func (s *Store) GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error) {
	var out onair.StreamSession
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		v, err := getSession(tx, channelArn, streamID)
		if err != nil {
			return err
		}
		if v == nil {
			return notFound("Stream session")
		}
		out = *v
		return nil
	})
	return out, err
}

// UpdateSession applies fn inside one write transaction, creating the
// session when missing.
func (s *Store) UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error) {
	if err := ctx.Err(); err != nil {
		return onair.StreamSession{}, err
	}
	if channelArn == "" || streamID == "" {
		return onair.StreamSession{}, invalid("A session needs a channel ARN and a stream id.")
	}
	if err := checkParts(channelArn, streamID); err != nil {
		return onair.StreamSession{}, err
	}
	return update(ctx, s.db,
		func(tx *bbolt.Tx) (*onair.StreamSession, error) { return getSession(tx, channelArn, streamID) },
		func() (*onair.StreamSession, error) {
			// What fn starts from; with no start time and not open, it
			// has no index entries for putRecord to remove.
			return &onair.StreamSession{ChannelArn: channelArn, StreamID: streamID}, nil
		},
		fn,
		func(tx *bbolt.Tx, cur, next *onair.StreamSession) (onair.StreamSession, error) {
			if next.ChannelArn != channelArn || next.StreamID != streamID {
				return onair.StreamSession{}, fmt.Errorf("bolt: UpdateSession: fn changed the key %s/%s to %s/%s", channelArn, streamID, next.ChannelArn, next.StreamID)
			}
			next.Version = cur.Version + 1
			// Stored, like DynamoDB's index attribute, in UTC.
			next.StartTime = next.StartTime.UTC()
			return putRecord(tx, bucketSessions, key(channelArn, streamID), sessionIndex, cur, next)
		})
}

// sessionCursor is the start index key of the last session of a page.
type sessionCursor struct {
	ChannelArn string `json:"channelArn"`
	StreamID   string `json:"streamId"`
	StartTime  string `json:"startTime"`
}

// ListSessions walks the channel's start index from the newest entry (or
// from just before the cursor's). It reads one entry more than the page so
// that the last page has no cursor, as the DynamoDB adapter does.
func (s *Store) ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error) {
	if limit < 1 {
		return nil, "", invalid("The limit must be positive.")
	}
	var before []byte
	if cursor != "" {
		c, ok := parseCursor(cursor)
		if !ok || c.ChannelArn != channelArn {
			return nil, "", invalid("The pagination cursor is not valid.")
		}
		before = key(c.ChannelArn, c.StartTime, c.StreamID)
	}
	out := []onair.StreamSession{}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var ids []string
		var bad error
		scanBefore(tx.Bucket([]byte(bucketStarted)), key(channelArn), before, func(k, _ []byte) bool {
			ps, err := parts(k)
			if err != nil || len(ps) != 3 {
				bad = fmt.Errorf("bolt: bad session index key %q", k)
				return false
			}
			ids = append(ids, ps[2])
			return len(ids) <= limit
		})
		if bad != nil {
			return bad
		}
		for _, id := range ids {
			v, err := getSession(tx, channelArn, id)
			if err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf("bolt: start index names missing session %s/%s", channelArn, id)
			}
			out = append(out, *v)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if len(out) <= limit {
		return out, "", nil
	}
	out = out[:limit]
	last := out[limit-1]
	raw, err := json.Marshal(sessionCursor{ChannelArn: channelArn, StreamID: last.StreamID, StartTime: sortable(last.StartTime)})
	if err != nil {
		return nil, "", err
	}
	return out, base64.RawURLEncoding.EncodeToString(raw), nil
}

func parseCursor(cursor string) (sessionCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return sessionCursor{}, false
	}
	var c sessionCursor
	if err := json.Unmarshal(raw, &c); err != nil || c.StreamID == "" {
		return sessionCursor{}, false
	}
	if _, err := time.Parse(time.RFC3339Nano, c.StartTime); err != nil {
		return sessionCursor{}, false
	}
	return c, true
}

// ListOpenSessions walks the channel's open index (oldest first).
func (s *Store) ListOpenSessions(ctx context.Context, channelArn string) ([]onair.StreamSession, error) {
	out := []onair.StreamSession{}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		for _, k := range keysWithPrefix(tx.Bucket([]byte(bucketOpen)), key(channelArn)) {
			ps, err := parts(k)
			if err != nil || len(ps) != 3 {
				return fmt.Errorf("bolt: bad open index key %q", k)
			}
			v, err := getSession(tx, channelArn, ps[2])
			if err != nil {
				return err
			}
			if v != nil {
				out = append(out, *v)
			}
		}
		return nil
	})
	return out, err
}

// DeleteSessions deletes the channel's sessions and their index entries.
func (s *Store) DeleteSessions(ctx context.Context, channelArn string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if channelArn == "" {
		return invalid("A channel ARN is required.")
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketSessions))
		for _, k := range keysWithPrefix(b, key(channelArn)) {
			var v onair.StreamSession
			if err := decode(b.Get(k), &v); err != nil {
				return err
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := reindex(tx, sessionIndex(&v), nil); err != nil {
				return err
			}
		}
		return nil
	})
}
