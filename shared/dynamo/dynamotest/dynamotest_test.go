package dynamotest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecide(t *testing.T) {
	cases := []struct {
		name            string
		env             map[string]string
		endpoint        string
		skipped, failed bool
	}{
		{"endpoint set", map[string]string{EndpointEnv: "http://127.0.0.1:5055"}, "http://127.0.0.1:5055", false, false},
		{"endpoint set in CI", map[string]string{EndpointEnv: "http://x", "CI": "true"}, "http://x", false, false},
		{"no endpoint locally skips", map[string]string{}, "", true, false},
		{"no endpoint in CI fails", map[string]string{"CI": "1"}, "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, skip, fatal := Decide(func(k string) string { return tc.env[k] })
			assert.Equal(t, tc.endpoint, endpoint)
			assert.Equal(t, tc.skipped, skip != "")
			assert.Equal(t, tc.failed, fatal != "")
		})
	}
}
