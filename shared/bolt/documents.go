package bolt

import (
	"bytes"
	"context"
	"encoding/json"

	bbolt "go.etcd.io/bbolt"

	"github.com/onair/onair/shared/onair"
)

// MaxDocumentSize is the largest document PutDocument accepts.
const MaxDocumentSize = 64 << 10

// GetDocument reads the document.
func (s *Store) GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		v := tx.Bucket([]byte(bucketDocs)).Get(key(sub, name))
		if v == nil {
			return notFound("Document")
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// PutDocument creates or replaces the document.
func (s *Store) PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sub == "" || name == "" {
		return invalid("A document needs an owner and a name.")
	}
	if err := checkParts(sub, name); err != nil {
		return err
	}
	if len(doc) > MaxDocumentSize {
		return onair.Errorf(onair.TooLarge, "", "The document is larger than %d KiB.", MaxDocumentSize>>10)
	}
	if !json.Valid(doc) {
		return invalid("The document is not valid JSON.")
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketDocs)).Put(key(sub, name), bytes.Clone(doc))
	})
}

// DeleteDocuments deletes every document of the user.
func (s *Store) DeleteDocuments(ctx context.Context, sub string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sub == "" {
		return invalid("A sub is required.")
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketDocs))
		for _, k := range keysWithPrefix(b, key(sub)) {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
