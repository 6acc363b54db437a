// Command helloxray is hellocfg plus the X-Ray SDK's instrumentation of the
// AWS clients (as app.Run does when built with -tags xraysdk), to measure
// what X-Ray costs in size and init, for docs/performance.md.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"region": cfg.Region}, nil
	})
}
