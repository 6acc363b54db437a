// Command hellocfg is hello plus the AWS SDK's configuration loading (what
// every real function does at init), for docs/performance.md.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"region": cfg.Region}, nil
	})
}
