//go:build awsconformance

package events

import (
	"testing"

	"github.com/onair/onair/local/conformance"
)

// TestAWS puts events with source onair.conformance on the default bus of
// the credentials' account (nothing is created).
func TestAWS(t *testing.T) {
	Run(t, conformance.AWS(t))
}
