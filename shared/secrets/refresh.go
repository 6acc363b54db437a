package secrets

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdksm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/onair/onair/shared/awserr"
)

// Refresh reads the current value of the secret id from Secrets Manager even
// when a value is cached, and caches it. It is for secrets an operator fills
// in after deployment (the product API credentials are created empty): a
// warm function that cached the empty value would otherwise never see them.
// Callers must bound how often they refresh.
func (c *Client) Refresh(ctx context.Context, id string) (string, error) {
	out, err := c.api.GetSecretValue(ctx, &sdksm.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", awserr.Map("secretsmanager:GetSecretValue", err)
	}
	v := aws.ToString(out.SecretString)
	c.mu.Lock()
	c.cache[id] = v
	c.mu.Unlock()
	return v, nil
}
