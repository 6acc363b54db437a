package samtemplate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParameterOverrides(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want map[string]string
	}{
		{"none", nil, map[string]string{}},
		{"one per item", []string{"Stage=dev", "AllowedOrigins=*"}, map[string]string{"Stage": "dev", "AllowedOrigins": "*"}},
		{"several in one item", []string{"Stage=prod LogRetention=365"}, map[string]string{"Stage": "prod", "LogRetention": "365"}},
		{"long form", []string{"ParameterKey=Stage,ParameterValue=prod"}, map[string]string{"Stage": "prod"}},
		{"value with equals and commas", []string{"Origins=https://a.example,https://b.example", "Q=a=b"}, map[string]string{"Origins": "https://a.example,https://b.example", "Q": "a=b"}},
		{"double quotes keep spaces", []string{`Locale="United States" Stage=dev`}, map[string]string{"Locale": "United States", "Stage": "dev"}},
		{"single quotes", []string{`Locale='United Kingdom'`}, map[string]string{"Locale": "United Kingdom"}},
		{"quoted key and value", []string{`"Locale=United States"`}, map[string]string{"Locale": "United States"}},
		{"escaped quote", []string{`Msg="say \"hi\""`}, map[string]string{"Msg": `say "hi"`}},
		{"empty value", []string{"Domains=", `Other=""`}, map[string]string{"Domains": "", "Other": ""}},
		{"later wins", []string{"Stage=dev", "Stage=prod"}, map[string]string{"Stage": "prod"}},
		{"extra whitespace", []string{"  Stage=dev\t\n Retention=7 "}, map[string]string{"Stage": "dev", "Retention": "7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParameterOverrides(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParameterOverridesErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"no equals", "Stage", "want Key=Value"},
		{"bad key", "Sta-ge=dev", "not a parameter name"},
		{"empty key", "=dev", "not a parameter name"},
		{"unclosed quote", `Stage="dev`, "unclosed quote"},
		{"long form without value", "ParameterKey=Stage", "ParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParameterOverrides([]string{tt.in})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

const paramsTemplate = `
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Origins: {Type: CommaDelimitedList, Default: "*", AllowedValues: ["*", "https://a.example", "https://b.example"]}
  Retention: {Type: Number, Default: 7, MinValue: 1, MaxValue: 30}
  Name: {Type: String, Default: ab, AllowedPattern: "[a-z]+", MinLength: 2, MaxLength: 4}
  Required: {Type: String}
Resources: {}
`

func TestParameterValues(t *testing.T) {
	tpl, err := Parse([]byte(paramsTemplate))
	require.NoError(t, err)

	got, err := tpl.ParameterValues(map[string]string{"Required": "r"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Stage": "dev", "Origins": "*", "Retention": "7", "Name": "ab", "Required": "r"}, got)

	got, err = tpl.ParameterValues(map[string]string{"Required": "", "Stage": "prod", "Origins": "https://a.example, https://b.example", "Retention": "30"})
	require.NoError(t, err)
	assert.Equal(t, "prod", got["Stage"])
	assert.Equal(t, "https://a.example, https://b.example", got["Origins"])
	assert.Equal(t, "", got["Required"], "an empty override is a value")
}

func TestParameterValuesErrors(t *testing.T) {
	tpl, err := Parse([]byte(paramsTemplate))
	require.NoError(t, err)
	tests := []struct {
		name      string
		overrides map[string]string
		want      string
	}{
		{"missing required", map[string]string{}, "Required needs a value"},
		{"unknown parameter", map[string]string{"Required": "r", "Nope": "x"}, "Nope is not in the template"},
		{"not allowed", map[string]string{"Required": "r", "Stage": "test"}, `"test" is not one of`},
		{"list item not allowed", map[string]string{"Required": "r", "Origins": "https://a.example,https://evil.example"}, `"https://evil.example" is not one of`},
		{"not a number", map[string]string{"Required": "r", "Retention": "week"}, "not a number"},
		{"below min", map[string]string{"Required": "r", "Retention": "0"}, "less than 1"},
		{"above max", map[string]string{"Required": "r", "Retention": "31"}, "more than 30"},
		{"pattern", map[string]string{"Required": "r", "Name": "AB"}, "does not match"},
		{"too short", map[string]string{"Required": "r", "Name": "a"}, "shorter than 2"},
		{"too long", map[string]string{"Required": "r", "Name": "abcde"}, "longer than 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tpl.ParameterValues(tt.overrides)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	_, err = tpl.ParameterValues(map[string]string{"Stage": "x", "Retention": "y"})
	require.Error(t, err)
	for _, want := range []string{"Required", "Stage", "Retention"} {
		assert.Contains(t, err.Error(), want, "every problem is named at once")
	}
}
