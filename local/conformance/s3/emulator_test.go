package s3

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/s3emu"
)

func TestEmulator(t *testing.T) {
	const bucket, origin = "onair-conformance", "http://127.0.0.1:3000"
	svc, err := s3emu.Open(s3emu.Config{DataDir: t.TempDir(), Buckets: []string{bucket}, Region: "us-east-1",
		AllowedOrigins: []string{origin}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	target := conformance.Emulator(t, svc.Handler())

	t.Run("suite", func(t *testing.T) { Run(t, target, Bucket{Name: bucket, Origin: origin}) })
	conformance.RequireCovered(t, target.Recorder, s3emu.Operations())
}
