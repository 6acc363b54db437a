//go:build xraysdk

package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
)

// awsConfig loads Lambda's AWS settings and records every AWS call as an
// X-Ray subsegment of the invocation's segment (built with -tags xraysdk).
func awsConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, err
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	return cfg, nil
}

// XRaySDK reports whether this binary was built with the X-Ray SDK.
const XRaySDK = true
