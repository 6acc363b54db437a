package dynamotest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecide(t *testing.T) {
	cases := []struct {
		name            string
		env             map[string]string
		moto            bool
		endpoint        string
		start           bool
		skipped, failed bool
	}{
		{"endpoint set", map[string]string{EndpointEnv: "http://127.0.0.1:5055"}, true, "http://127.0.0.1:5055", false, false, false},
		{"endpoint set in CI", map[string]string{EndpointEnv: "http://x", "CI": "true"}, false, "http://x", false, false, false},
		{"moto on PATH is started", map[string]string{}, true, "", true, false, false},
		{"moto on PATH is started in CI", map[string]string{"CI": "1"}, true, "", true, false, false},
		{"nothing locally skips", map[string]string{}, false, "", false, true, false},
		{"nothing in CI fails", map[string]string{"CI": "1"}, false, "", false, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, start, skip, fatal := Decide(func(k string) string { return tc.env[k] }, tc.moto)
			assert.Equal(t, tc.endpoint, endpoint)
			assert.Equal(t, tc.start, start)
			assert.Equal(t, tc.skipped, skip != "")
			assert.Equal(t, tc.failed, fatal != "")
		})
	}
}
