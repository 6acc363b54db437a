//go:build awsconformance

package cognito

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// TestAWS creates a user pool configured as onair's (email required and
// auto-verified, case-insensitive usernames, Cognito's default email
// sender) with an app client (USER_PASSWORD_AUTH, refresh,
// PreventUserExistenceErrors), runs the suite against it and deletes the
// pool. Mail cannot be read, so the cases that need a mailed code skip;
// sign-ups send real emails to <name>@example.com (which bounce).
func TestAWS(t *testing.T) {
	target := conformance.AWS(t)
	c := cip.NewFromConfig(target.Config)
	ctx := t.Context()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String(target.Prefix + "-pool"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		Schema:                 []types.SchemaAttributeType{{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)}},
		DeletionProtection:     types.DeletionProtectionTypeInactive,
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}}},
	})
	require.NoError(t, err)
	poolID := pool.UserPool.Id
	t.Cleanup(func() {
		_, err := c.DeleteUserPool(context.WithoutCancel(ctx), &cip.DeleteUserPoolInput{UserPoolId: poolID})
		if err != nil {
			t.Errorf("delete the user pool %s by hand: %v", aws.ToString(poolID), err)
		}
	})
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: poolID, ClientName: aws.String(target.Prefix + "-client"),
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation:      aws.Bool(true),
	})
	require.NoError(t, err)

	Run(t, target, Pool{ID: aws.ToString(poolID), ClientID: aws.ToString(client.UserPoolClient.ClientId)})
}
