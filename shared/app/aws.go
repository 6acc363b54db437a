//go:build !xraysdk

package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// awsConfig loads Lambda's AWS settings. Per-call X-Ray subsegments are a
// build option (-tags xraysdk, `make build XRAY_SDK=1`): the SDK's
// transitive imports (aws-sdk-go v1, gRPC, text/template) more than double
// a binary's size and init time (docs/performance.md). Without it Lambda
// still records each invocation's segment (Tracing: Active).
func awsConfig(ctx context.Context) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx)
}

// XRaySDK reports whether this binary was built with the X-Ray SDK.
const XRaySDK = false
