package streams

import "testing"

// realStoreCases returns the store adapters the property and concurrency
// tests also run against.
func realStoreCases(t *testing.T) []storeCase { return nil }
