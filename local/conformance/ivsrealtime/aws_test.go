//go:build awsconformance

package ivsrealtime

import (
	"testing"

	"github.com/onair/onair/local/conformance"
)

// TestAWS runs the suite against IVS Real-Time in the credentials' account:
// it creates stages and imports a public key (named onair-conformance-…),
// and deletes them. Nobody joins, so the connected-participant part skips.
func TestAWS(t *testing.T) {
	Run(t, conformance.AWS(t), nil)
}
