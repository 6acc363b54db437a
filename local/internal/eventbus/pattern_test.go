package eventbus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ivsEvent = `{
  "version": "0", "id": "1", "detail-type": "IVS Stream State Change", "source": "aws.ivs",
  "account": "111122223333", "time": "2026-01-10T18:00:00Z", "region": "us-east-1",
  "resources": ["arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456"],
  "detail": {"event_name": "Stream Start", "channel_name": "alice", "stream_id": "st-1",
             "limit_value": 8500000, "tags": ["a", "b"], "nested": {"deep": "x"}, "nothing": null}
}`

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"exact source", `{"source":["aws.ivs"]}`, true},
		{"exact source miss", `{"source":["aws.s3"]}`, false},
		{"or within array", `{"source":["aws.s3","aws.ivs"]}`, true},
		{"and across keys", `{"source":["aws.ivs"],"detail-type":["IVS Limit Breach"]}`, false},
		{"nested detail", `{"detail":{"event_name":["Stream Start","Stream End"]}}`, true},
		{"nested detail miss", `{"detail":{"event_name":["Session Created"]}}`, false},
		{"deep nesting", `{"detail":{"nested":{"deep":["x"]}}}`, true},
		{"event array any element", `{"resources":["arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456"]}`, true},
		{"event array element miss", `{"detail":{"tags":["c"]}}`, false},
		{"event array element hit", `{"detail":{"tags":["c","b"]}}`, true},
		{"prefix", `{"detail-type":[{"prefix":"IVS "}]}`, true},
		{"prefix miss", `{"detail-type":[{"prefix":"ivs "}]}`, false},
		{"prefix ignore case", `{"detail-type":[{"prefix":{"equals-ignore-case":"ivs stream"}}]}`, true},
		{"suffix", `{"detail-type":[{"suffix":"Change"}]}`, true},
		{"equals-ignore-case", `{"source":[{"equals-ignore-case":"AWS.IVS"}]}`, true},
		{"anything-but value", `{"detail":{"event_name":[{"anything-but":"Stream End"}]}}`, true},
		{"anything-but same value", `{"detail":{"event_name":[{"anything-but":"Stream Start"}]}}`, false},
		{"anything-but list", `{"detail":{"event_name":[{"anything-but":["Stream End","Stream Start"]}]}}`, false},
		{"anything-but prefix", `{"detail-type":[{"anything-but":{"prefix":"AWS API"}}]}`, true},
		{"anything-but prefix hit", `{"detail-type":[{"anything-but":{"prefix":"IVS"}}]}`, false},
		{"anything-but missing field", `{"detail":{"absent":[{"anything-but":"x"}]}}`, false},
		{"exists true", `{"detail":{"stream_id":[{"exists":true}]}}`, true},
		{"exists true missing", `{"detail":{"absent":[{"exists":true}]}}`, false},
		{"exists false missing", `{"detail":{"absent":[{"exists":false}]}}`, true},
		{"exists false present", `{"detail":{"stream_id":[{"exists":false}]}}`, false},
		{"exists false on missing object", `{"missing":{"x":[{"exists":false}]}}`, true},
		{"numeric range", `{"detail":{"limit_value":[{"numeric":[">",0,"<=",8500000]}]}}`, true},
		{"numeric range miss", `{"detail":{"limit_value":[{"numeric":["<",100]}]}}`, false},
		{"numeric equal", `{"detail":{"limit_value":[{"numeric":["=",8.5e6]}]}}`, true},
		{"numeric on string", `{"detail":{"event_name":[{"numeric":[">",0]}]}}`, false},
		{"exact number", `{"detail":{"limit_value":[8500000]}}`, true},
		{"number does not equal string", `{"detail":{"limit_value":["8500000"]}}`, false},
		{"null matches null", `{"detail":{"nothing":[null]}}`, true},
		{"null does not match missing", `{"detail":{"absent":[null]}}`, false},
		{"wildcard", `{"detail":{"channel_name":[{"wildcard":"a*e"}]}}`, true},
		{"$or", `{"$or":[{"source":["aws.s3"]},{"detail":{"channel_name":["alice"]}}]}`, true},
		{"$or miss", `{"$or":[{"source":["aws.s3"]},{"detail":{"channel_name":["bob"]}}]}`, false},
		{"missing field", `{"detail":{"absent":["x"]}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompilePattern([]byte(tt.pattern))
			require.NoError(t, err)
			got, err := p.Match([]byte(ivsEvent))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCompilePatternRejectsBadPatterns(t *testing.T) {
	for _, bad := range []string{
		`[]`,
		`{"source":"aws.ivs"}`,
		`{"source":[{"prefix":1}]}`,
		`{"source":[{"unknown-op":"x"}]}`,
		`{"detail":{"n":[{"numeric":[">"]}]}}`,
		`{"detail":{"n":[{"numeric":["!=",1]}]}}`,
		`{"source":[{"exists":"yes"}]}`,
		`{"$or":[{"source":["a"]}]}`,
		`not json`,
	} {
		_, err := CompilePattern([]byte(bad))
		assert.Error(t, err, bad)
	}
}
