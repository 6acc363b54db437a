package events

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/eventbus"
)

func TestEmulator(t *testing.T) {
	bus, err := eventbus.New(eventbus.Config{Account: "123456789012"})
	require.NoError(t, err)
	t.Cleanup(bus.Close)
	target := conformance.Emulator(t, bus.Handler())

	t.Run("suite", func(t *testing.T) { Run(t, target) })
	conformance.RequireCovered(t, target.Recorder, conformance.Qualify(Service, eventbus.Operations()))
}
