package lambda

import (
	"context"
	"errors"
	"testing"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/lambdaapi"
)

// functions are the emulator's functions: Echo and Fail.
type functions struct{}

func (functions) Invoke(_ context.Context, fn string, payload []byte) ([]byte, error) {
	switch fn {
	case "Echo":
		return payload, nil
	case "Fail":
		return nil, errors.New("boom")
	}
	return nil, lambdaapi.ErrFunctionNotFound
}

func TestEmulator(t *testing.T) {
	api := lambdaapi.New(lambdaapi.Config{Invoker: functions{}, Account: "123456789012",
		Exists: func(fn string) bool { return fn == "Echo" || fn == "Fail" }})
	t.Cleanup(api.Close)
	target := conformance.Emulator(t, api)

	t.Run("suite", func(t *testing.T) { Run(t, target, Functions{Echo: "Echo", Fail: "Fail"}) })
	conformance.RequireCovered(t, target.Recorder, conformance.Qualify(Service, lambdaapi.Operations()))
}
