package cognito

import (
	"context"
	"fmt"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/cognitoidp"
)

func TestEmulator(t *testing.T) {
	const poolID, clientID = "us-east-1_Conform01", "conformance0client0id00000"
	svc, err := cognitoidp.New(cognitoidp.Config{
		DataDir: t.TempDir(), PoolID: poolID, ClientID: clientID,
		AutoVerifiedAttributes:     []string{"email"},
		RequiredAttributes:         []string{"email"},
		ExplicitAuthFlows:          []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		PreventUserExistenceErrors: true,
		PasswordHashIterations:     1000, // the work factor is not under test
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	target := conformance.Emulator(t, svc)
	pool := Pool{ID: poolID, ClientID: clientID, Code: func(_ context.Context, address string) (string, error) {
		mail, err := svc.Mail(address)
		if err != nil {
			return "", err
		}
		if len(mail) == 0 {
			return "", fmt.Errorf("no mail to %s", address)
		}
		return mail[0].Code, nil // newest first
	}}

	t.Run("suite", func(t *testing.T) { Run(t, target, pool) })
	conformance.RequireCovered(t, target.Recorder, conformance.Qualify(cip.ServiceID, svc.Operations()))
}
