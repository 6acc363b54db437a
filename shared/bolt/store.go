// Package bolt is the embedded adapter of the store contract (shared/store):
// a bbolt database file on disk, used by the offline stack.
package bolt

import (
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// Store implements store.Store on a bbolt file.
type Store struct {
	db *bbolt.DB
}

// Open opens (creating if needed) the database at path.
func Open(path string) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
