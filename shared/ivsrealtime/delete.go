package ivsrealtime

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkrt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"

	"github.com/onair/onair/shared/awserr"
)

// DeleteStage deletes the stage (IVS disconnects its participants). A stage
// already gone is not an error, so that cleanups can be retried.
func (c *Client) DeleteStage(ctx context.Context, stageArn string) error {
	_, err := c.api.DeleteStage(ctx, &sdkrt.DeleteStageInput{Arn: aws.String(stageArn)})
	if err != nil && awserr.Code(err) != "ResourceNotFoundException" {
		return awserr.Map("ivsrealtime DeleteStage", err)
	}
	return nil
}
