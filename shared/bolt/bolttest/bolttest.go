// Package bolttest gives tests a real store: the embedded store
// (shared/bolt) on a file in t.TempDir(), which passes the same contract
// suite (shared/storetest) as the DynamoDB adapter. Domain tests use it
// instead of in-memory fakes, so they exercise the versioned updates, the
// indexes and the orderings the functions get in production; for error
// paths they wrap it in storetest.Faults.
//
//	db := bolttest.New(t, onair.User{Sub: "u1", Username: "alice"})
package bolttest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/onair"
)

// New opens an empty store that is closed when t ends, and creates users in
// it (each with Version 1, as CreateUser does). The store does not fsync
// (bolt.WithoutSync): the file is thrown away with t.TempDir().
func New(t testing.TB, users ...onair.User) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "onair.db"), bolt.WithoutSync())
	if err != nil {
		t.Fatalf("open bolt store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, u := range users {
		if err := s.CreateUser(context.Background(), u); err != nil {
			t.Fatalf("create user %s: %v", u.Sub, err)
		}
	}
	return s
}
