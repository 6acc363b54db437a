//go:build awsconformance

package secrets

import (
	"testing"

	"github.com/onair/onair/local/conformance"
)

// TestAWS runs the suite against Secrets Manager in the credentials'
// account: it creates secrets named onair-conformance-…-secret-… and
// deletes them without recovery.
func TestAWS(t *testing.T) {
	Run(t, conformance.AWS(t))
}
