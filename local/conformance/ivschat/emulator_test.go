package ivschat

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
	"github.com/onair/onair/local/internal/chatws"
	"github.com/onair/onair/local/internal/ivsemu"
)

func TestEmulator(t *testing.T) {
	hub := chatws.New(chatws.Config{})
	t.Cleanup(hub.Close)
	svc, err := ivsemu.New(ivsemu.Config{DataDir: t.TempDir(), Account: "123456789012", Chat: hub})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	mux := http.NewServeMux()
	mux.Handle("GET "+chatws.Path, hub.Handler(svc))
	mux.Handle("/", svc.Handler())
	target := conformance.Emulator(t, mux)
	ws := strings.Replace(target.Endpoint(), "http://", "ws://", 1) + chatws.Path

	t.Run("suite", func(t *testing.T) { Run(t, target, ws) })
	served := append(conformance.Qualify(ivschat.ServiceID, svc.ServiceOperations("ivschat")),
		conformance.Qualify(MessagingService, chatws.Actions())...)
	conformance.RequireCovered(t, target.Recorder, served)
}
