package samtemplate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleConfig = `
# comment
version = 0.1

[default.build.parameters]
cached = true

[dev.global.parameters]
stack_name = "onair-dev"
parameter_overrides = "Stage=global"

[dev.deploy.parameters]
tags = "project=\"onair-dev\"" # trailing comment
parameter_overrides = [
  "Stage=dev",   # the stage
  'AllowedOrigins=*',
  "Locale=\"United States\"",
]

[prod.global.parameters]
parameter_overrides = "Stage=prod LogRetention=365"

[test.deploy.parameters]
stack_name = "x"
`

func TestSamConfigOverrides(t *testing.T) {
	tests := []struct {
		env  string
		want []string
	}{
		{"dev", []string{"Stage=dev", "AllowedOrigins=*", `Locale="United States"`}},
		{"prod", []string{"Stage=prod LogRetention=365"}},
		{"test", nil},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			got, err := SamConfigOverrides([]byte(sampleConfig), tt.env)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	o, err := SamConfigOverrides([]byte(sampleConfig), "dev")
	require.NoError(t, err)
	m, err := ParameterOverrides(o)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Stage": "dev", "AllowedOrigins": "*", "Locale": "United States"}, m)
}

func TestSamConfigErrors(t *testing.T) {
	tests := []struct {
		name, data, env, want string
	}{
		{"unknown env", sampleConfig, "staging", `no environment "staging"`},
		{"unclosed array", "[dev.deploy.parameters]\nparameter_overrides = [\n\"a\"", "dev", "unclosed array"},
		{"unclosed string", "[dev.deploy.parameters]\nx = \"abc", "dev", "unclosed string"},
		{"no equals", "[dev.deploy.parameters]\nnonsense", "dev", "key = value"},
		{"array of tables", "[[dev]]", "dev", "unsupported table header"},
		{"bad value", "[dev.deploy.parameters]\nx = nope", "dev", "unsupported value"},
		{"wrong type", "[dev.deploy.parameters]\nparameter_overrides = true", "dev", "must be a string or an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SamConfigOverrides([]byte(tt.data), tt.env)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseSamConfigValues(t *testing.T) {
	tables, err := parseSamConfig(sampleConfig)
	require.NoError(t, err)
	assert.Equal(t, `project="onair-dev"`, tables["dev.deploy.parameters"]["tags"])
	assert.Equal(t, true, tables["default.build.parameters"]["cached"])
	assert.Equal(t, 0.1, tables[""]["version"])
	assert.Equal(t, "onair-dev", tables["dev.global.parameters"]["stack_name"])
}
