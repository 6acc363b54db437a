package chatws

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// FuzzParseRequest: a client frame is a request only when it is a UTF-8
// text frame holding JSON; anything else is refused with the ERROR frame's
// message (or 1007 for bad UTF-8). Never a panic.
func FuzzParseRequest(f *testing.F) {
	f.Add(true, []byte(`{"Action":"SEND_MESSAGE","RequestId":"r1","Content":"héllo 👋","Attributes":{"k":"v"}}`))
	f.Add(true, []byte(`{"Action":"DELETE_MESSAGE","Id":"abc","Reason":"spam"}`))
	f.Add(true, []byte(`{"Action":"DISCONNECT_USER","UserId":"u-1"}`))
	f.Add(true, []byte{'{', '"', 0xff, '"', '}'})
	f.Add(false, []byte(`{"Action":"SEND_MESSAGE"}`))
	f.Add(true, []byte(`null`))
	f.Add(true, []byte(`{"Content":1}`))
	f.Fuzz(func(t *testing.T, text bool, data []byte) {
		typ := websocket.MessageBinary
		if text {
			typ = websocket.MessageText
		}
		req, err := parseRequest(typ, data)
		if err != nil {
			if req != nil {
				t.Fatal("a request with an error")
			}
			if err != errNotText && err != errNotUTF8 && err != errNotJSON {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !text || !utf8.Valid(data) || !json.Valid(data) {
			t.Fatalf("accepted a frame that is not UTF-8 JSON text: %q", data)
		}
		if req.Content != nil && !utf8.ValidString(*req.Content) {
			t.Fatalf("content is not UTF-8: %q", *req.Content)
		}
	})
}
