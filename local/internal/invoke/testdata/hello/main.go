// Command hello is the baseline of docs/performance.md: a bare aws-lambda-go
// function, built like the real ones.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"hello": "world"}, nil
	})
}
