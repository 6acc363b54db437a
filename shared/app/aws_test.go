//go:build !xraysdk

package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The default build adds nothing to the SDK's middleware: per-call X-Ray
// subsegments are the xraysdk build's (aws_xraysdk_test.go checks that one).
func TestDefaultBuildDoesNotInstrumentAWSCalls(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := awsConfig(t.Context())
	require.NoError(t, err)
	assert.False(t, XRaySDK)
	assert.Empty(t, cfg.APIOptions)
}
