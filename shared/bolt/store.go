// Package bolt is the embedded adapter of the store contract (shared/store):
// a bbolt database file on disk, used by the offline stack.
//
// Records are JSON values in one bucket per record type. Every lookup the
// DynamoDB adapter does through an index has an index bucket here, whose keys
// sort the way the DynamoDB index does, and which is updated in the same
// write transaction as the record, so the two can never disagree. bbolt runs
// one write transaction at a time, so Update* apply fn inside it: no other
// writer can interleave, and an error (or a panic) in fn rolls everything
// back.
package bolt

import (
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/store"
)

// Buckets. Keys are tuples (see key); "→" is the value.
const (
	bucketUsers      = "users"             // (sub) → User JSON
	bucketUsername   = "users.username"    // (lower username, sub)
	bucketEmail      = "users.email"       // (lower email, sub)
	bucketChannelArn = "users.channelArn"  // (channel ARN, sub)
	bucketAsset      = "users.assetId"     // (channel asset id, sub)
	bucketChatRoom   = "users.chatRoomArn" // (chat room ARN, sub)
	bucketLive       = "users.live"        // (liveSince, sub): the directory
	bucketFollows    = "follows"           // (follower, followed) → time
	bucketFollowers  = "follows.reverse"   // (followed, follower)
	bucketBans       = "bans"              // (owner, banned) → time
	bucketBanned     = "bans.reverse"      // (banned, owner)
	bucketSessions   = "sessions"          // (channel ARN, stream id) → StreamSession JSON
	bucketStarted    = "sessions.start"    // (channel ARN, startTime, stream id)
	bucketOpen       = "sessions.open"     // (channel ARN, openSince, stream id)
	bucketStages     = "stages"            // (id) → Stage JSON
	bucketStageAge   = "stages.created"    // (createdAt, id)
	bucketDocs       = "documents"         // (sub, name) → document
	bucketCounters   = "counters"          // (name) → counter JSON
	bucketCounterExp = "counters.expires"  // (expires, name): the purge order
)

var allBuckets = [...]string{
	bucketUsers, bucketUsername, bucketEmail, bucketChannelArn, bucketAsset, bucketLive,
	bucketFollows, bucketFollowers, bucketBans, bucketBanned,
	bucketSessions, bucketStarted, bucketOpen, bucketStages, bucketStageAge, bucketDocs,
}

// Store implements store.Store on a bbolt file.
type Store struct {
	db       *bbolt.DB
	counters counters
}

var _ store.Store = (*Store)(nil)

// Option changes how Open opens the database.
type Option func(*bbolt.Options)

// WithoutSync skips the fsync at each commit, so a crash may lose the last
// writes. It makes a write about ten times cheaper, which matters to tests
// that write thousands of records into throwaway databases
// (shared/bolt/bolttest); never use it for data that must survive.
func WithoutSync() Option {
	return func(o *bbolt.Options) { o.NoSync = true }
}

// Open opens (creating if needed) the database at path.
func Open(path string, opts ...Option) (*Store, error) {
	o := &bbolt.Options{Timeout: 5 * time.Second}
	for _, opt := range opts {
		opt(o)
	}
	db, err := bbolt.Open(path, 0o600, o)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		// An index added after users were stored (the chat room index)
		// starts empty; DynamoDB backfills a new GSI, so fill it here.
		if tx.Bucket([]byte(bucketChatRoom)) == nil {
			if _, err := tx.CreateBucket([]byte(bucketChatRoom)); err != nil {
				return fmt.Errorf("create bucket %s: %w", bucketChatRoom, err)
			}
			return reindexUsers(tx)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
