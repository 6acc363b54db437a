package ivsrealtime

import (
	"context"
	"testing"

	rt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/ivsemu"
)

// joiner joins as the SFU does when a client connects with its token.
type joiner struct{ svc *ivsemu.Service }

func (j joiner) Join(ctx context.Context, stageArn, token string) error {
	_, err := j.svc.Join(ctx, stageArn, token)
	return err
}

func TestEmulator(t *testing.T) {
	svc, err := ivsemu.New(ivsemu.Config{DataDir: t.TempDir(), Account: "123456789012"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	target := conformance.Emulator(t, svc.Handler())

	t.Run("suite", func(t *testing.T) { Run(t, target, joiner{svc}) })
	conformance.RequireCovered(t, target.Recorder, conformance.Qualify(rt.ServiceID, svc.ServiceOperations("ivsrealtime")))
}
