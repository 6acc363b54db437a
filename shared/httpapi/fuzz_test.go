package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onair/onair/shared/onair"
)

// FuzzDecode: any body either decodes into a route's request (only when it
// is a JSON object) or is refused with an Invalid/TooLarge error; never a
// panic, never a server error.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`{"username":"alice"}`, `{"presets":[{"name":"a","metadata":{"x":1}}]}`, `null`, `[]`, `{`,
		`{"n":1e999}`, `{"username":1}`, "\ufeff{}", `{"a":"\ud800"}`, ` {"nested":{"deep":[[[[{}]]]]}} `} {
		f.Add([]byte(seed))
	}
	type preset struct {
		Name     string         `json:"name"`
		Metadata map[string]any `json:"metadata"`
	}
	type request struct {
		Username string   `json:"username"`
		Count    int      `json:"n"`
		Presets  []preset `json:"presets"`
		Flag     *bool    `json:"flag"`
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req request
		err := Decode(httptest.NewRequest("POST", "/", strings.NewReader(string(body))), &req)
		if err == nil {
			if trimmed := strings.TrimSpace(string(body)); !strings.HasPrefix(trimmed, "{") {
				t.Fatalf("accepted a body that is not a JSON object: %q", body)
			}
			return
		}
		if c := onair.ErrorCode(err); c != onair.Invalid && c != onair.TooLarge {
			t.Fatalf("refusal with code %v (want invalid or too large): %v", c, err)
		}
		if onair.ErrorMessage(err) == "" {
			t.Fatalf("refusal without a message: %v", err)
		}
	})
}
