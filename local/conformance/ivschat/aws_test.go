//go:build awsconformance

package ivschat

import (
	"testing"

	"github.com/onair/onair/local/conformance"
)

// TestAWS runs the suite against IVS Chat in the credentials' account: it
// creates rooms named onair-conformance-… and deletes them, and connects
// to the messaging WebSocket of the region.
func TestAWS(t *testing.T) {
	target := conformance.AWS(t)
	Run(t, target, "wss://edge.ivschat."+target.Config.Region+".amazonaws.com")
}
