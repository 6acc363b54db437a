package secrets

import (
	"path/filepath"
	"testing"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/secretsemu"
)

func TestEmulator(t *testing.T) {
	svc, err := secretsemu.Open(filepath.Join(t.TempDir(), "secrets.db"), "us-east-1", "000000000000", nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	target := conformance.Emulator(t, svc)

	t.Run("suite", func(t *testing.T) { Run(t, target) })
	conformance.RequireCovered(t, target.Recorder, conformance.Qualify(sm.ServiceID, secretsemu.Operations()))
}
