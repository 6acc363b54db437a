//go:build awsconformance

package lambda

import (
	"os"
	"testing"

	"github.com/onair/onair/local/conformance"
)

// TestAWS invokes functions of the credentials' account: a name that does
// not exist, and the functions named by ONAIR_CONFORMANCE_ECHO_FUNCTION
// (returns its event) and ONAIR_CONFORMANCE_FAIL_FUNCTION (returns the
// error "boom"), whose cases skip when unset. Nothing is created.
func TestAWS(t *testing.T) {
	Run(t, conformance.AWS(t), Functions{
		Echo: os.Getenv("ONAIR_CONFORMANCE_ECHO_FUNCTION"),
		Fail: os.Getenv("ONAIR_CONFORMANCE_FAIL_FUNCTION"),
	})
}
