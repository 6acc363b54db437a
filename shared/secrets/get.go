package secrets

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdksm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/onair/onair/shared/awserr"
)

// Get returns the current string value of the secret id (name or ARN). Values
// are cached for the life of the execution environment: rotate by deploying
// (new environments) or accept that warm ones keep the old value until they
// are recycled; callers that verify data signed with a rotated key should
// accept the previous key as well.
func (c *Client) Get(ctx context.Context, id string) (string, error) {
	c.mu.Lock()
	v, ok := c.cache[id]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	out, err := c.api.GetSecretValue(ctx, &sdksm.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", awserr.Map("secretsmanager:GetSecretValue", err)
	}
	v = aws.ToString(out.SecretString)
	c.mu.Lock()
	c.cache[id] = v
	c.mu.Unlock()
	return v, nil
}
