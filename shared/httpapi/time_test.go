package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeMarshalsInOneFormat(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := []struct {
		name string
		in   time.Time
		want string
	}{
		{"UTC, whole second", time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC), `"2026-01-10T18:00:00Z"`},
		{"nanoseconds are dropped, not rounded", time.Date(2026, 1, 10, 18, 0, 0, 999_999_999, time.UTC), `"2026-01-10T18:00:00Z"`},
		{"another zone is converted", time.Date(2026, 1, 10, 19, 0, 5, 120_000_000, paris), `"2026-01-10T18:00:05Z"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(struct {
				At  Time  `json:"at"`
				Opt *Time `json:"opt,omitempty"`
			}{At: TimeOf(tc.in)})
			require.NoError(t, err)
			assert.JSONEq(t, `{"at":`+tc.want+`}`, string(b))
			assert.Empty(t, BadTimes(b))
			var back struct{ At Time }
			require.NoError(t, json.Unmarshal(b, &back))
			assert.True(t, back.At.Equal(tc.in.Truncate(time.Second)), "reads back")
		})
	}
	assert.Nil(t, TimeRef(nil))
}

func TestBadTimes(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"one format", `{"createdAt":"2026-01-10T18:00:00Z","items":[{"since":"2026-01-10T18:00:01Z"}],"endTime":null}`, nil},
		{"fraction", `{"createdAt":"2026-01-10T18:00:00.123Z"}`, []string{`$.createdAt: "2026-01-10T18:00:00.123Z"`}},
		{"offset", `{"x":[{"at":"2026-01-10T19:00:00+01:00"}]}`, []string{`$.x[0].at: "2026-01-10T19:00:00+01:00"`}},
		{"a time-looking string under any key", `{"note":"2026-01-10 18:00:00"}`, []string{`$.note: "2026-01-10 18:00:00"`}},
		{"a time key with a number", `{"tokenExpirationTime":1767000000}`, []string{`$.tokenExpirationTime: 1.767e+09 (not a string)`}},
		{"other fields and AWS form fields are not times", `{"format":"x","X-Amz-Date":"20260110T180000Z","name":"at"}`, nil},
		{"not JSON", `nope`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, BadTimes([]byte(tc.body)))
		})
	}
}
