package functions

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/app"
)

// buildNamed builds the function p.Name, as the offline stack does.
func buildNamed(ctx context.Context, p *app.Platform) (lambda.Handler, error) {
	f, ok := ByName()[p.Name]
	if !ok {
		return nil, fmt.Errorf("no function %q", p.Name)
	}
	return f.Build(ctx, p)
}
