package ivs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/ivsemu"
)

// broadcaster is the emulator's media side: a stream starts as when the
// RTMP ingest accepts the key, and StopStream ends it.
type broadcaster struct{ svc *ivsemu.Service }

func (b broadcaster) Start(ctx context.Context, channelArn, key string) error {
	ch, err := b.svc.ChannelByStreamKey(ctx, key)
	if err != nil {
		return err
	}
	_, err = b.svc.StartStream(ctx, ch.Arn, ivsemu.IngestConfiguration{})
	return err
}

func (b broadcaster) End(ctx context.Context, channelArn string) error {
	_, err := b.svc.EndStream(ctx, channelArn)
	return err
}

// StopStream is the ingest handler's side of the StopStream operation.
func (b broadcaster) StopStream(ctx context.Context, channelArn string) error {
	return b.End(ctx, channelArn)
}

func TestEmulator(t *testing.T) {
	svc, err := ivsemu.New(ivsemu.Config{DataDir: t.TempDir(), Account: "123456789012"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	b := broadcaster{svc}
	svc.SetIngestHandler(b)
	target := conformance.Emulator(t, svc.Handler())

	t.Run("suite", func(t *testing.T) { Run(t, target, b) })
	conformance.RequireCovered(t, target.Recorder, conformance.Qualify(ivs.ServiceID, svc.ServiceOperations("ivs")))
}
