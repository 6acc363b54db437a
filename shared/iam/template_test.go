package iam_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/iam"
	"github.com/onair/onair/shared/samtemplate"
)

// The IVS, IVS Chat and IVS Real-Time actions that cannot be scoped to this
// stack's resources, and why (docs/security.md, "Exceptions").
var unscopable = map[string]string{
	"ivs:ListChannels":    "a list call: IAM supports no resource for it",
	"ivs:ListStages":      "a list call: IAM supports no resource for it",
	"ivschat:ListRooms":   "a list call: IAM supports no resource for it",
	"ivs:GetStreamKey":    "stream keys carry no tag IAM can rely on (the key IVS makes with a channel)",
	"ivs:DeleteStreamKey": "stream keys carry no tag IAM can rely on",
	"ivs:CreateStreamKey": "creates an untagged key on a channel the caller names",
}

// creations are authorized against the new resource's type, with the tags
// the request sets (tagging on creation is authorized as TagResource too).
var creations = map[string]bool{
	"ivs:CreateChannel": true, "ivschat:CreateRoom": true, "ivs:CreateStage": true,
	"ivs:TagResource": true, "ivschat:TagResource": true,
}

// TestStacksCannotTouchEachOthersIVSResources resolves every function's
// policy as the stack "onair-dev" and asks, for every IVS action it grants,
// whether it may act on a resource of "onair-prod" in the same account and
// region: never, except for the documented exceptions. Its own resources
// stay allowed. Both stage token modes and the product search are included.
func TestStacksCannotTouchEachOthersIVSResources(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	require.NoError(t, err)
	tmpl, err := samtemplate.Parse(raw)
	require.NoError(t, err)
	const account, region = "111122223333", "us-east-1"
	checked := map[string]bool{}
	for _, overrides := range []map[string]string{
		{},
		{"StageTokenSigning": "self", "EnableAmazonProductStreamAction": "true"},
	} {
		params, err := tmpl.ParameterValues(overrides)
		require.NoError(t, err)
		r := tmpl.Resolver(params, samtemplate.DefaultPseudo("onair-dev", region, account))
		r.Refs, r.Attrs = tmpl.Placeholders("onair-dev", region, account)
		policies, err := iam.FunctionPolicies(tmpl, r)
		require.NoError(t, err)
		names := make([]string, 0, len(policies))
		for n := range policies {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, fn := range names {
			for _, st := range policies[fn].Statements {
				if st.Effect != "Allow" {
					continue
				}
				for _, action := range st.Actions {
					service, _, _ := strings.Cut(action, ":")
					if service != "ivs" && service != "ivschat" {
						continue
					}
					checked[action] = true
					if _, ok := unscopable[action]; ok {
						continue
					}
					for _, pattern := range st.Resources {
						require.NotEqual(t, "*", pattern, "%s: %s on every resource", fn, action)
						assertOnlyOwn(t, policies[fn], fn, action, pattern)
					}
				}
			}
		}
	}
	for action, why := range unscopable {
		assert.True(t, checked[action] || why == "", "exception %s is granted nowhere: drop it", action)
	}
}

func assertOnlyOwn(t *testing.T, p iam.Policy, fn, action, pattern string) {
	t.Helper()
	tag := func(key, stack string) map[string][]string {
		return map[string][]string{key + "/project": {stack}, "aws:TagKeys": {"project"}}
	}
	if creations[action] {
		own := p.Evaluate(iam.Request{Action: action, Resource: pattern, Context: tag("aws:RequestTag", "onair-dev")})
		assert.True(t, own.Allowed, "%s: %s creating this stack's resources: %s", fn, action, own.Reason)
		other := p.Evaluate(iam.Request{Action: action, Resource: pattern, Context: tag("aws:RequestTag", "onair-prod")})
		assert.False(t, other.Allowed, "%s: %s may create resources tagged as another stack's", fn, action)
		untagged := p.Evaluate(iam.Request{Action: action, Resource: pattern})
		assert.False(t, untagged.Allowed, "%s: %s may create untagged resources", fn, action)
		if strings.HasSuffix(action, ":TagResource") {
			// Re-tagging another stack's resource into this one.
			ctx := tag("aws:RequestTag", "onair-dev")
			ctx["aws:ResourceTag/project"] = []string{"onair-prod"}
			steal := p.Evaluate(iam.Request{Action: action, Resource: strings.Replace(pattern, "*", "AbCd1234", 1), Context: ctx})
			assert.False(t, steal.Allowed, "%s: %s may re-tag another stack's resource", fn, action)
		}
		return
	}
	arn := strings.Replace(pattern, "*", "AbCd1234", 1)
	own := p.Evaluate(iam.Request{Action: action, Resource: arn, Context: tag("aws:ResourceTag", "onair-dev")})
	assert.True(t, own.Allowed, "%s: %s on this stack's %s: %s", fn, action, arn, own.Reason)
	other := p.Evaluate(iam.Request{Action: action, Resource: arn, Context: tag("aws:ResourceTag", "onair-prod")})
	assert.False(t, other.Allowed, "%s: %s may act on another stack's %s", fn, action, arn)
	untagged := p.Evaluate(iam.Request{Action: action, Resource: arn})
	assert.False(t, untagged.Allowed, "%s: %s may act on untagged %s", fn, action, arn)
}

// permissionsTable renders, per function, what its policy allows (both
// stage token modes and the product search included): the IVS actions held
// to this stack's tagged resources, and the rest with their scope.
func permissionsTable(t *testing.T, tmpl *samtemplate.Template) string {
	t.Helper()
	const account, region = "111122223333", "us-east-1"
	scoped, other := map[string]map[string]bool{}, map[string]map[string]bool{}
	add := func(m map[string]map[string]bool, fn, v string) {
		if m[fn] == nil {
			m[fn] = map[string]bool{}
		}
		m[fn][v] = true
	}
	for _, overrides := range []map[string]string{{}, {"StageTokenSigning": "self", "EnableAmazonProductStreamAction": "true"}} {
		params, err := tmpl.ParameterValues(overrides)
		require.NoError(t, err)
		r := tmpl.Resolver(params, samtemplate.DefaultPseudo("onair-dev", region, account))
		r.Refs, r.Attrs = tmpl.Placeholders("onair-dev", region, account)
		policies, err := iam.FunctionPolicies(tmpl, r)
		require.NoError(t, err)
		for fn, p := range policies {
			for _, st := range p.Statements {
				tagged := false
				for _, keys := range st.Condition {
					for k := range keys {
						if strings.HasPrefix(strings.ToLower(k), "aws:resourcetag/") || strings.HasPrefix(strings.ToLower(k), "aws:requesttag/") {
							tagged = true
						}
					}
				}
				for _, a := range st.Actions {
					service, _, _ := strings.Cut(a, ":")
					switch {
					case tagged:
						add(scoped, fn, a)
					case len(st.Resources) == 1 && st.Resources[0] == "*":
						add(other, fn, a+" (any)")
					case service == "ivs" || service == "ivschat":
						add(other, fn, a+" (by ARN)")
					default:
						add(other, fn, a)
					}
				}
			}
		}
	}
	names := tmpl.FunctionNames()
	var b strings.Builder
	b.WriteString("| Function | This stack's channels, rooms, stages only (tag `project`) | Other permissions |\n|---|---|---|\n")
	join := func(set map[string]bool) string {
		items := make([]string, 0, len(set))
		for k := range set {
			items = append(items, k)
		}
		sort.Strings(items)
		if len(items) == 0 {
			return "—"
		}
		return strings.Join(items, ", ")
	}
	for _, fn := range names {
		b.WriteString("| `" + fn + "` | " + join(scoped[fn]) + " | " + join(other[fn]) + " |\n")
	}
	return b.String()
}

// TestSecurityDocListsEveryFunctionsPermissions keeps docs/security.md's
// table of permissions equal to template.yaml's policies.
func TestSecurityDocListsEveryFunctionsPermissions(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	require.NoError(t, err)
	tmpl, err := samtemplate.Parse(raw)
	require.NoError(t, err)
	want := permissionsTable(t, tmpl)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	require.NoError(t, err)
	const begin, end = "<!-- permissions: begin (shared/iam test) -->\n", "<!-- permissions: end -->"
	text := string(doc)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	require.True(t, i >= 0 && j > i, "docs/security.md has no permissions table between %q and %q; it should read:\n%s", begin, end, want)
	assert.Equal(t, want, text[i+len(begin):j], "docs/security.md's permissions table differs from template.yaml; it should read:\n%s", want)
}
