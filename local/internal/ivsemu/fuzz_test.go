package ivsemu

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"
)

// FuzzVerifyStageToken: the SFU's stage-token verifier accepts only a token
// the emulator signed; any change to one (header, claims, signature) is
// refused, and no input panics. Seeds: a real participant token and
// damaged forms of it.
func FuzzVerifyStageToken(f *testing.F) {
	e := newEnv(f)
	st := e.createStage("fuzz")
	tok := e.token(*st.Stage.Arn, "u-1", types.ParticipantTokenCapabilityPublish)
	good, err := e.svc.VerifyStageToken(e.ctx, *tok.Token)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(*tok.Token, ".")
	f.Add(*tok.Token)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add("eyJhbGciOiJub25lIn0." + parts[1] + ".")
	f.Add(parts[0] + "." + parts[1])
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := e.svc.VerifyStageToken(e.ctx, token)
		if err != nil {
			return
		}
		// base64 without padding tolerates other values of a last
		// character's unused bits, so the string may differ; what it says
		// may not.
		if !reflect.DeepEqual(claims, good) {
			t.Fatalf("accepted a token the emulator did not sign: %q -> %+v", token, claims)
		}
	})
}
