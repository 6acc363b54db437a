package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

// key encodes a tuple of strings as a bbolt key: each part is a 2-byte
// big-endian length and its bytes. The encoding is self-delimiting, so any
// string is allowed in any part, and key(a) is a prefix of exactly the keys
// whose first part is a; tuples with the same leading parts sort by the next
// one.
func key(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += 2 + len(p)
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = binary.BigEndian.AppendUint16(k, uint16(len(p)))
		k = append(k, p...)
	}
	return k
}

// parts decodes a key.
func parts(k []byte) ([]string, error) {
	var out []string
	for len(k) > 0 {
		if len(k) < 2 {
			return nil, errors.New("bolt: truncated key")
		}
		n := int(binary.BigEndian.Uint16(k))
		if len(k) < 2+n {
			return nil, errors.New("bolt: truncated key")
		}
		out = append(out, string(k[2:2+n]))
		k = k[2+n:]
	}
	return out, nil
}

// maxPart bounds each key part, as DynamoDB bounds key attributes (a hash
// key is at most 2048 bytes), and keeps keys far below bbolt's limit.
const maxPart = 2048

func checkParts(ps ...string) error {
	for _, p := range ps {
		if len(p) > maxPart {
			return onair.Errorf(onair.Invalid, "", "A key is longer than %d bytes.", maxPart)
		}
	}
	return nil
}

// maxRecord is DynamoDB's item size limit, kept here so that a record the
// cloud would refuse is refused offline too.
const maxRecord = 400 << 10

// sortableTime formats times in index keys: UTC with a fixed nine
// fractional digits, so byte order is time order. The DynamoDB adapter uses
// the same format for its index sort keys.
const sortableTime = "2006-01-02T15:04:05.000000000Z07:00"

func sortable(t time.Time) string { return t.UTC().Format(sortableTime) }

// scan calls fn with the keys and values of b that start with prefix, in
// ascending key order, until fn returns false.
func scan(b *bbolt.Bucket, prefix []byte, fn func(k, v []byte) bool) {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if !fn(k, v) {
			return
		}
	}
}

// scanBefore calls fn with the keys and values of b that start with prefix
// and sort before limit (nil: no bound), in descending key order, until fn
// returns false.
func scanBefore(b *bbolt.Bucket, prefix, limit []byte, fn func(k, v []byte) bool) {
	c := b.Cursor()
	if limit == nil {
		limit = successor(prefix)
	}
	var k, v []byte
	if limit == nil {
		k, v = c.Last()
	} else if k, _ = c.Seek(limit); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		if !fn(k, v) {
			return
		}
	}
}

// successor returns the smallest key greater than every key that starts
// with prefix (nil if there is none: prefix is empty or all 0xff).
func successor(prefix []byte) []byte {
	s := bytes.Clone(prefix)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0xff {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}

// keysWithPrefix returns copies of the keys of b that start with prefix
// (copies, since keys are only valid in the transaction and the caller
// deletes while it iterates).
func keysWithPrefix(b *bbolt.Bucket, prefix []byte) [][]byte {
	var out [][]byte
	scan(b, prefix, func(k, _ []byte) bool {
		out = append(out, bytes.Clone(k))
		return true
	})
	return out
}

func encode(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("bolt: encode %T: %w", v, err)
	}
	if len(raw) > maxRecord {
		return nil, onair.Errorf(onair.TooLarge, "", "The record is too large.")
	}
	return raw, nil
}

func decode(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("bolt: decode %T: %w", v, err)
	}
	return nil
}

// indexEntry is one key of an index bucket.
type indexEntry struct {
	bucket string
	key    []byte
}

// reindex replaces a record's index entries: old ones are deleted, new ones
// put, in the record's write transaction.
func reindex(tx *bbolt.Tx, old, new []indexEntry) error {
	for _, e := range old {
		if err := tx.Bucket([]byte(e.bucket)).Delete(e.key); err != nil {
			return err
		}
	}
	for _, e := range new {
		if err := tx.Bucket([]byte(e.bucket)).Put(e.key, []byte{}); err != nil {
			return err
		}
	}
	return nil
}

func userNotFound() error {
	return onair.Errorf(onair.NotFound, "UserNotFoundException", "User not found.")
}

func notFound(what string) error {
	return onair.Errorf(onair.NotFound, "ResourceNotFoundException", "%s not found.", what)
}

func invalid(format string, args ...any) error {
	return onair.Errorf(onair.Invalid, "", format, args...)
}
