package samtemplate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/samtemplate"
)

// TestProdNeedsTheAppsRealUrls: the template's rules, evaluated as
// CloudFormation does before a deploy, refuse prod with the web app hosted
// elsewhere and no real ClientBaseUrl / AllowedOrigins, or with local ones;
// samconfig.toml's environments as written pass.
func TestProdNeedsTheAppsRealUrls(t *testing.T) {
	tpl, root := loadTemplate(t)
	cfg, err := os.ReadFile(filepath.Join(root, "samconfig.toml"))
	require.NoError(t, err)
	check := func(env string, extra ...string) error {
		list, err := samtemplate.SamConfigOverrides(cfg, env)
		require.NoError(t, err)
		overrides, err := samtemplate.ParameterOverrides(append(list, extra...))
		require.NoError(t, err)
		params, err := tpl.ParameterValues(overrides)
		require.NoError(t, err)
		return tpl.CheckRules(samtemplate.Resolver{Params: params})
	}
	for _, tc := range []struct {
		name  string
		env   string
		extra []string
		fails string // "" when the rules hold
	}{
		{"dev as configured", "dev", nil, ""},
		{"prod as configured (the published app's URL)", "prod", nil, ""},
		{"dev may use localhost", "dev", []string{"PublishWebApp=false", "ClientBaseUrl=http://localhost:3000", "AllowedOrigins=http://localhost:3000"}, ""},
		{"prod, app elsewhere, real URLs", "prod", []string{"PublishWebApp=false", "ClientBaseUrl=https://onair.example.com", "AllowedOrigins=https://onair.example.com"}, ""},
		{"prod, app elsewhere, nothing given", "prod", []string{"PublishWebApp=false"}, "needs ClientBaseUrl"},
		{"prod, app elsewhere, no origins", "prod", []string{"PublishWebApp=false", "ClientBaseUrl=https://onair.example.com"}, "needs AllowedOrigins"},
		{"prod, localhost base URL", "prod", []string{"ClientBaseUrl=http://localhost:3000"}, "not a local one"},
		{"prod, localhost origin", "prod", []string{"PublishWebApp=false", "ClientBaseUrl=https://onair.example.com", "AllowedOrigins=https://onair.example.com,http://localhost:3000"}, "not http://localhost:3000"},
		{"prod, any origin", "prod", []string{"AllowedOrigins=*"}, `not "*"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(tc.env, tc.extra...)
			if tc.fails == "" {
				assert.NoError(t, err)
				return
			}
			var re *samtemplate.RuleError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "ProdHasTheAppsRealUrls", re.Rule)
			assert.Contains(t, err.Error(), tc.fails)
		})
	}
}

func TestCheckRulesDomainAndCertificate(t *testing.T) {
	tpl, _ := loadTemplate(t)
	params, err := tpl.ParameterValues(map[string]string{"WebAppDomainName": "onair.example.com"})
	require.NoError(t, err)
	err = tpl.CheckRules(samtemplate.Resolver{Params: params})
	assert.ErrorContains(t, err, "WebAppDomainName and WebAppCertificateArn are set together")
}
