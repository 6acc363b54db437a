package stack

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFillRepeat(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0).UTC()
	p := 5 * time.Second
	ts := []time.Time{t0, t0.Add(2 * p), t0.Add(3 * p)}
	vs := []float64{1, 3, 4}
	gotT, gotV := fillRepeat(ts, vs, t0.Add(5*p), p)
	assert.Equal(t, []float64{1, 1, 3, 4, 4}, gotV)
	assert.Len(t, gotT, 5)
	assert.Equal(t, t0.Add(p), gotT[1])
}

func TestParseRate(t *testing.T) {
	cases := map[string]time.Duration{"rate(5 minutes)": 5 * time.Minute, "rate(1 hour)": time.Hour, "rate(24 hours)": 24 * time.Hour, "rate(2 days)": 48 * time.Hour}
	for expr, want := range cases {
		got, err := parseRate(expr)
		assert.NoError(t, err, expr)
		assert.Equal(t, want, got, expr)
	}
	for _, bad := range []string{"cron(0 * * * ? *)", "rate(0 minutes)", "rate(5 weeks)", ""} {
		_, err := parseRate(bad)
		assert.Error(t, err, bad)
	}
}

func TestTextOf(t *testing.T) {
	body := `<p>Use the link below to confirm.</p><p><a href="http://127.0.0.1:3000/login?code=123456&amp;username=alice">Confirm Email</a></p>`
	assert.Equal(t, "Use the link below to confirm.\nConfirm Email: http://127.0.0.1:3000/login?code=123456&username=alice", textOf(body))
}
