//go:build awsconformance

package ivs

import (
	"testing"

	"github.com/onair/onair/local/conformance"
)

// TestAWS runs the suite against IVS in the credentials' account: it
// creates channels named onair-conformance-… (with their stream keys) and
// deletes them. Nothing is broadcast, so the live-stream case skips.
func TestAWS(t *testing.T) {
	Run(t, conformance.AWS(t), nil)
}
