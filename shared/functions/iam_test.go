package functions

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/iam"
	"github.com/onair/onair/shared/samtemplate"
)

// templatePolicies are the functions' policies in template.yaml under
// every parameter set that changes them (both stage token modes, the
// product search on), merged.
func templatePolicies(t *testing.T) map[string]iam.Policy {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	require.NoError(t, err)
	tmpl, err := samtemplate.Parse(raw)
	require.NoError(t, err)
	const stack, region, account = "onair-test", "us-east-1", "111122223333"
	var all []map[string]iam.Policy
	for _, overrides := range []map[string]string{{}, {"StageTokenSigning": "self", "EnableAmazonProductStreamAction": "true"}} {
		params, err := tmpl.ParameterValues(overrides)
		require.NoError(t, err)
		r := tmpl.Resolver(params, samtemplate.DefaultPseudo(stack, region, account))
		r.Refs, r.Attrs = tmpl.Placeholders(stack, region, account)
		ps, err := iam.FunctionPolicies(tmpl, r)
		require.NoError(t, err)
		all = append(all, ps)
	}
	return iam.Merge(all...)
}

// recordAWS makes p's AWS clients record their calls; when the test ends,
// each call's IAM actions must be granted by p.Name's policy in
// template.yaml (iam.CheckActions: these tests' fake endpoints name
// resources of their own, so resources and conditions are left to the
// offline stack's tests, which check them against the template's).
func recordAWS(t *testing.T, p *app.Platform) *app.Platform {
	t.Helper()
	rec := iam.NewRecorder("us-east-1", "111122223333", nil)
	rec.Install(p.Name, &p.AWS)
	t.Cleanup(func() {
		for _, v := range iam.CheckActions(policiesOnce(t), rec.Calls()) {
			t.Errorf("IAM: %s", v)
		}
	})
	return p
}

var (
	policiesMu     sync.Mutex
	policiesCached map[string]iam.Policy
)

// policiesOnce parses the template once per test binary (it is the same
// file for every test).
func policiesOnce(t *testing.T) map[string]iam.Policy {
	policiesMu.Lock()
	defer policiesMu.Unlock()
	if policiesCached == nil {
		policiesCached = templatePolicies(t)
	}
	return policiesCached
}

// TestUnitTestCallsAreChecked: the sample reset's calls pass the template's
// ResetStreamKey policy and fail it without any one of the actions used.
func TestUnitTestCallsAreChecked(t *testing.T) {
	st := channelsStore(t)
	p := channelsDeps(t, "ResetStreamKey", st, &channelsIVS{key: profile(t, st).StreamKeyArn})
	rec := iam.NewRecorder("us-east-1", "111122223333", nil)
	rec.Install(p.Name, &p.AWS)
	resp := invokeChannels(t, p, "ResetStreamKey.json")
	require.Equal(t, 200, resp.StatusCode, resp.Body)
	policies := policiesOnce(t)
	assert.Empty(t, iam.CheckActions(policies, rec.Calls()))
	used := iam.Used(rec.Calls())["ResetStreamKey"]
	require.Contains(t, used, "ivs:CreateStreamKey")
	for _, action := range used {
		mutated := iam.Merge(policies)
		mutated["ResetStreamKey"] = policies["ResetStreamKey"].Without(action)
		v := iam.CheckActions(mutated, rec.Calls())
		require.NotEmpty(t, v, "without %s", action)
		assert.Contains(t, v[0].String(), "ResetStreamKey: ivs ")
		assert.Contains(t, v[0].String(), "needs "+action)
	}
}
