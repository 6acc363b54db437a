package samtemplate_test

// Consistency of the repository with template.yaml: the functions the
// template declares are exactly the directories of functions/, each with its
// one-line main.go and a sample event that fits its event source; the
// template's parameters accept samconfig.toml's environments; every
// function's environment resolves. (shared/app's template test checks the
// builders and the routes' authorization.)

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/samtemplate"
)

// repoRoot finds the module root from the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/onair/onair\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod of github.com/onair/onair not found")
		dir = parent
	}
}

func loadTemplate(t *testing.T) (*samtemplate.Template, string) {
	t.Helper()
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	require.NoError(t, err)
	tpl, err := samtemplate.Parse(data)
	require.NoError(t, err)
	return tpl, root
}

func TestTemplateFunctionsMatchFunctionsDir(t *testing.T) {
	tpl, root := loadTemplate(t)
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	require.NoError(t, err)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	sort.Strings(dirs)
	assert.Equal(t, tpl.FunctionNames(), dirs, "template.yaml's AWS::Serverless::Function ids and functions/ must agree")
}

func TestFunctionMainIsTheOneLineRunForm(t *testing.T) {
	tpl, root := loadTemplate(t)
	for _, name := range tpl.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(root, "functions", name, "main.go"))
			require.NoError(t, err)
			pkg := strings.ToLower(name)
			want := fmt.Sprintf("// Command %[1]s is the Lambda function %[1]s of template.yaml; its builder is\n"+
				"// shared/functions/%[2]s.\npackage main\n\nimport (\n\t\"github.com/onair/onair/shared/app\"\n"+
				"\t\"github.com/onair/onair/shared/functions/%[2]s\"\n)\n\nfunc main() { app.Run(%[2]s.Function()) }\n", name, pkg)
			assert.Equal(t, want, string(b))
		})
	}
}

func TestFunctionsFollowTheConventions(t *testing.T) {
	tpl, _ := loadTemplate(t)
	for _, name := range tpl.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			f := tpl.Functions[name]
			assert.Equal(t, "provided.al2023", f.Runtime)
			assert.Equal(t, []string{"arm64"}, f.Architectures)
			assert.Equal(t, "bootstrap", f.Handler)
			assert.Equal(t, "makefile", f.Metadata["BuildMethod"], "Metadata.BuildMethod")
			assert.Equal(t, ".", f.Properties["CodeUri"], "CodeUri")
			assert.Equal(t, "Active", f.Properties["Tracing"])
			assert.Positive(t, f.Timeout)
			assert.Positive(t, f.MemorySize)
			assert.NotEmpty(t, f.Properties["Description"], "say what the function does")
			for _, k := range []string{"CHANNELS_TABLE", "STREAMS_TABLE", "PROJECT_TAG", "ACCOUNT_ID", "LOG_LEVEL"} {
				assert.Contains(t, f.Environment, k, "Globals environment")
			}
		})
	}
}

// The user pool's triggers are invoked by Cognito: each is wired in
// LambdaConfig, has its invoke permission, and references neither the pool
// nor its client (a circular dependency CloudFormation refuses).
func TestCognitoTriggersAreWired(t *testing.T) {
	tpl, _ := loadTemplate(t)
	permitted := map[string]bool{}
	for _, id := range tpl.ResourcesOfType("AWS::Lambda::Permission") {
		p := tpl.Resources[id].Properties
		if p["Principal"] != "cognito-idp.amazonaws.com" {
			continue
		}
		assert.Equal(t, map[string]any{"Fn::GetAtt": []any{"UserPool", "Arn"}}, p["SourceArn"], "%s: SourceArn", id)
		if ga, ok := p["FunctionName"].(map[string]any)["Fn::GetAtt"].([]any); ok {
			permitted[ga[0].(string)] = true
		}
	}
	triggers := 0
	for _, name := range tpl.FunctionNames() {
		f := tpl.Functions[name]
		if len(f.CognitoTriggers) == 0 {
			continue
		}
		triggers++
		assert.True(t, permitted[name], "%s: no AWS::Lambda::Permission for cognito-idp.amazonaws.com", name)
		refs := referencedIDs(f.Properties)
		assert.NotContains(t, refs, "UserPool", "%s references the user pool (circular dependency)", name)
		assert.NotContains(t, refs, "UserPoolClient", "%s references the user pool client (circular dependency)", name)
	}
	assert.Equal(t, []string{"PreSignUp"}, tpl.Functions["PreSignUp"].CognitoTriggers)
	assert.Equal(t, []string{"CustomMessage"}, tpl.Functions["CustomMessage"].CognitoTriggers)
	assert.Equal(t, []string{"PreAuthentication"}, tpl.Functions["PreAuthentication"].CognitoTriggers)
	assert.Equal(t, []string{"PostConfirmation"}, tpl.Functions["PostConfirmation"].CognitoTriggers)
	assert.GreaterOrEqual(t, triggers, 4)
}

// referencedIDs returns the logical ids v refers to through Ref, GetAtt or Sub.
func referencedIDs(v any) map[string]bool {
	out := map[string]bool{}
	var walk func(any)
	subVar := regexp.MustCompile(`\$\{([A-Za-z0-9]+)[.}]`)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, item := range x {
				switch k {
				case "Ref":
					if s, ok := item.(string); ok {
						out[s] = true
					}
				case "Fn::GetAtt":
					if l, ok := item.([]any); ok && len(l) > 0 {
						if s, ok := l[0].(string); ok {
							out[s] = true
						}
					}
				case "Fn::Sub":
					s, _ := item.(string)
					if l, ok := item.([]any); ok && len(l) > 0 {
						s, _ = l[0].(string)
						walk(l[1:])
					}
					for _, m := range subVar.FindAllStringSubmatch(s, -1) {
						out[m[1]] = true
					}
				}
				walk(item)
			}
		case []any:
			for _, item := range x {
				walk(item)
			}
		}
	}
	walk(v)
	return out
}

func TestRoutesAreWellFormedAndUnique(t *testing.T) {
	tpl, _ := loadTemplate(t)
	routes := tpl.Routes()
	require.NotEmpty(t, routes)
	seen := map[string]string{}
	pathRE := regexp.MustCompile(`^(/[A-Za-z0-9_.-]+|/\{[A-Za-z][A-Za-z0-9_]*\+?\})+$`)
	for _, r := range routes {
		key := r.Method + " " + r.Path
		assert.NotEmpty(t, r.Method, "%s: Method", r.Function)
		assert.Contains(t, []string{"GET", "POST", "PUT", "PATCH", "DELETE", "ANY"}, r.Method, key)
		assert.Regexp(t, pathRE, r.Path, "%s: Path", key)
		assert.Equal(t, "HttpApi", r.API, "%s: ApiId must be !Ref HttpApi", key)
		assert.Contains(t, []string{samtemplate.AuthJWT, samtemplate.AuthNone}, r.Auth, key)
		if r.Auth == samtemplate.AuthJWT {
			assert.Equal(t, "CognitoJwt", r.Authorizer, key)
		}
		if prev, dup := seen[key]; dup {
			t.Errorf("%s is served by both %s and %s", key, prev, r.Function)
		}
		seen[key] = r.Function
	}
}

// The message review handler may be invoked by IVS Chat, for this
// account's rooms only: without the permission IVS Chat cannot call it and
// every message gets the rooms' fallbackResult.
func TestChatReviewMayBeInvokedByIVSChat(t *testing.T) {
	tpl, _ := loadTemplate(t)
	var found bool
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Lambda::Permission" || r.Properties["Principal"] != "ivschat.amazonaws.com" {
			continue
		}
		found = true
		assert.Contains(t, fmt.Sprint(r.Properties["FunctionName"]), "ChatReview", id)
		assert.Equal(t, "lambda:InvokeFunction", r.Properties["Action"], id)
		assert.Contains(t, fmt.Sprint(r.Properties["SourceArn"]), ":ivschat:", id)
		assert.Contains(t, fmt.Sprint(r.Properties["SourceArn"]), ":room/", id)
		assert.NotNil(t, r.Properties["SourceAccount"], id)
	}
	assert.True(t, found, "no AWS::Lambda::Permission lets ivschat.amazonaws.com invoke ChatReview")
}

// Every function has events/<Name>.json, and every events/ file belongs to a
// function and fits its event source.
func TestSampleEvents(t *testing.T) {
	tpl, root := loadTemplate(t)
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	require.NoError(t, err)
	byFunction := map[string][]string{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		name, _, _ := strings.Cut(base, ".")
		byFunction[name] = append(byFunction[name], f)
	}
	for name := range byFunction {
		assert.Contains(t, tpl.Functions, name, "events/%s*.json: no such function in template.yaml", name)
	}
	for _, name := range tpl.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			f := tpl.Functions[name]
			assert.FileExists(t, filepath.Join(root, "events", name+".json"))
			for _, file := range byFunction[name] {
				b, err := os.ReadFile(file)
				require.NoError(t, err)
				var ev map[string]any
				require.NoError(t, json.Unmarshal(b, &ev), "%s is not a JSON object", file)
				checkEvent(t, f, filepath.Base(file), ev)
			}
		})
	}
}

func checkEvent(t *testing.T, f samtemplate.Function, file string, ev map[string]any) {
	t.Helper()
	switch {
	case ev["routeKey"] != nil || ev["requestContext"] != nil:
		checkHTTPEvent(t, f, file, ev)
	case ev["triggerSource"] != nil:
		source, _ := ev["triggerSource"].(string)
		key, _, _ := strings.Cut(source, "_")
		assert.Contains(t, f.CognitoTriggers, key, "%s: triggerSource %s is not one of the function's LambdaConfig keys", file, source)
		for _, k := range []string{"version", "region", "userPoolId", "userName", "callerContext", "request", "response"} {
			assert.Contains(t, ev, k, "%s: a Cognito trigger event has %s", file, k)
		}
	case ev["Records"] != nil:
		records, _ := ev["Records"].([]any)
		require.NotEmpty(t, records, file)
		rec, _ := records[0].(map[string]any)
		switch rec["eventSource"] {
		case "aws:sqs":
			assert.NotEmpty(t, f.SQSEvents, "%s: an SQS event for a function without an SQS source", file)
		case "aws:s3":
			assert.NotEmpty(t, f.S3Events, "%s: an S3 event for a function without an S3 source", file)
		default:
			t.Errorf("%s: unknown record source %v", file, rec["eventSource"])
		}
	case ev["detail-type"] != nil:
		checkEventBridgeEvent(t, f, file, ev)
	case ev["RoomArn"] != nil:
		// IVS Chat's message review request (a room's messageReviewHandler).
		for _, k := range []string{"Content", "MessageId", "RoomArn", "Attributes", "Sender"} {
			assert.Contains(t, ev, k, "%s: a message review request has %s", file, k)
		}
		sender, _ := ev["Sender"].(map[string]any)
		assert.NotEmpty(t, sender["UserId"], "%s: Sender.UserId", file)
	default:
		t.Errorf("%s: not an HTTP API, Cognito, EventBridge, Records or IVS Chat review event", file)
	}
}

func checkHTTPEvent(t *testing.T, f samtemplate.Function, file string, ev map[string]any) {
	t.Helper()
	assert.Equal(t, "2.0", ev["version"], "%s: HTTP API payload version", file)
	rc, _ := ev["requestContext"].(map[string]any)
	h, _ := rc["http"].(map[string]any)
	method, _ := h["method"].(string)
	routeKey, _ := ev["routeKey"].(string)
	rawPath, _ := ev["rawPath"].(string)
	assert.Equal(t, routeKey, rc["routeKey"], "%s: routeKey and requestContext.routeKey", file)
	assert.Equal(t, rawPath, h["path"], "%s: rawPath and requestContext.http.path", file)
	var route *samtemplate.Route
	for i, r := range f.Routes {
		if r.Method+" "+r.Path == routeKey {
			route = &f.Routes[i]
		}
	}
	if route == nil {
		t.Errorf("%s: routeKey %q is not a route of %s (%v)", file, routeKey, f.Name, f.Routes)
		return
	}
	assert.Equal(t, route.Method, method, "%s: requestContext.http.method", file)
	assert.Regexp(t, pathPattern(route.Path), rawPath, "%s: rawPath fits %s", file, route.Path)
	if route.Auth == samtemplate.AuthJWT {
		auth, _ := rc["authorizer"].(map[string]any)
		jwt, _ := auth["jwt"].(map[string]any)
		claims, _ := jwt["claims"].(map[string]any)
		assert.NotEmpty(t, claims["sub"], "%s: a route behind the JWT authorizer gets requestContext.authorizer.jwt.claims.sub", file)
	}
}

// pathPattern turns /channels/{username} into a regexp matching its paths.
func pathPattern(p string) string {
	re := regexp.MustCompile(`\{[^}]+\}`)
	parts := re.Split(p, -1)
	params := re.FindAllString(p, -1)
	var b strings.Builder
	b.WriteString("^")
	for i, part := range parts {
		b.WriteString(regexp.QuoteMeta(part))
		if i < len(params) {
			if strings.HasSuffix(params[i], "+}") {
				b.WriteString(".+")
			} else {
				b.WriteString("[^/]+")
			}
		}
	}
	b.WriteString("$")
	return b.String()
}

func checkEventBridgeEvent(t *testing.T, f samtemplate.Function, file string, ev map[string]any) {
	t.Helper()
	source, _ := ev["source"].(string)
	detailType, _ := ev["detail-type"].(string)
	if source == "aws.events" && detailType == "Scheduled Event" {
		assert.NotEmpty(t, f.Schedules, "%s: a scheduled event for a function without a schedule", file)
		return
	}
	for _, rule := range f.EventRules {
		if matches(rule.Pattern["source"], source) && matches(rule.Pattern["detail-type"], detailType) {
			return
		}
	}
	t.Errorf("%s: source %q / detail-type %q matches none of %s's event rules", file, source, detailType, f.Name)
}

// matches reports whether a pattern field (a list of values; absent matches
// all) lists v. Content filters (maps) are taken as matching.
func matches(field any, v string) bool {
	if field == nil {
		return true
	}
	l, ok := field.([]any)
	if !ok {
		return false
	}
	for _, x := range l {
		if s, ok := x.(string); ok && s == v {
			return true
		}
		if _, ok := x.(map[string]any); ok {
			return true
		}
	}
	return false
}

// The template's parameters take samconfig.toml's dev and prod overrides,
// and then every function's environment resolves.
func TestEnvironmentsResolve(t *testing.T) {
	tpl, root := loadTemplate(t)
	cfg, err := os.ReadFile(filepath.Join(root, "samconfig.toml"))
	require.NoError(t, err)
	for _, env := range []string{"dev", "prod"} {
		t.Run(env, func(t *testing.T) {
			list, err := samtemplate.SamConfigOverrides(cfg, env)
			require.NoError(t, err)
			overrides, err := samtemplate.ParameterOverrides(list)
			require.NoError(t, err)
			assert.Equal(t, env, overrides["Stage"])
			params, err := tpl.ParameterValues(overrides)
			require.NoError(t, err)
			stack := "onair-" + env
			refs, attrs := tpl.Placeholders(stack, "us-east-1", "123456789012")
			r := samtemplate.Resolver{Params: params, Refs: refs, Attrs: attrs, Pseudo: samtemplate.DefaultPseudo(stack, "us-east-1", "123456789012")}
			for _, name := range tpl.FunctionNames() {
				vars, err := tpl.Env(name, r)
				require.NoError(t, err, name)
				assert.Equal(t, stack, vars["PROJECT_TAG"], name)
				assert.Equal(t, stack+"-ChannelsTable", vars["CHANNELS_TABLE"], name)
			}
			for id, o := range tpl.Outputs {
				if o.Condition != "" {
					continue
				}
				_, err := samtemplate.Resolve(o.Value, r)
				assert.NoError(t, err, "output %s", id)
			}
		})
	}
}

// The tables are the brief's: keys, index names and on-demand billing.
func TestTablesAreOnDemand(t *testing.T) {
	tpl, _ := loadTemplate(t)
	for _, id := range []string{"ChannelsTable", "StreamsTable"} {
		r, ok := tpl.Resources[id]
		require.True(t, ok, id)
		assert.Equal(t, "AWS::DynamoDB::Table", r.Type)
		assert.Equal(t, "PAY_PER_REQUEST", r.Properties["BillingMode"], id)
		pitr, _ := r.Properties["PointInTimeRecoverySpecification"].(map[string]any)
		assert.Equal(t, map[string]any{"Fn::If": []any{"IsProd", true, false}}, pitr["PointInTimeRecoveryEnabled"], id)
	}
}

// Policies grant named actions (no wildcards) on named resources; "*" only
// for the list calls that IAM cannot scope to a resource.
func TestPoliciesAreScoped(t *testing.T) {
	tpl, _ := loadTemplate(t)
	unscoped := map[string]bool{
		"ivs:ListChannels": true, "ivs:ListStreamKeys": true, "ivschat:ListRooms": true, "ivs:ListStages": true,
		"cloudwatch:GetMetricData": true, "cloudwatch:GetMetricStatistics": true, "cloudwatch:ListMetrics": true,
		"cloudwatch:PutMetricData": true, "xray:PutTraceSegments": true, "xray:PutTelemetryRecords": true,
	}
	for _, name := range tpl.FunctionNames() {
		policies, _ := tpl.Functions[name].Properties["Policies"].([]any)
		for _, p := range conditionalBranches(policies) {
			pm, ok := p.(map[string]any)
			if !ok {
				t.Errorf("%s: policy %v: use an inline Statement (managed policies grant too much)", name, p)
				continue
			}
			stmts, _ := pm["Statement"].([]any)
			require.NotEmpty(t, stmts, "%s: policy without Statement", name)
			for _, s := range stmts {
				st, _ := s.(map[string]any)
				actions := stringList(st["Action"])
				require.NotEmpty(t, actions, "%s: statement without Action", name)
				for _, a := range actions {
					assert.NotContains(t, a, "*", "%s: wildcard action %s", name, a)
				}
				if st["Resource"] == "*" {
					for _, a := range actions {
						assert.True(t, unscoped[a], "%s: %s on Resource \"*\"", name, a)
					}
				}
			}
		}
	}
}

// conditionalBranches replaces each {"Fn::If": [cond, a, b]} item (a policy
// that depends on a condition, e.g. the stage token signing mode) by its
// branches, dropping AWS::NoValue, so that both branches are checked.
func conditionalBranches(items []any) []any {
	var out []any
	for _, it := range items {
		m, ok := it.(map[string]any)
		args, isIf := m["Fn::If"].([]any)
		if !ok || !isIf || len(m) != 1 || len(args) != 3 {
			out = append(out, it)
			continue
		}
		for _, branch := range conditionalBranches(args[1:]) {
			if ref, ok := branch.(map[string]any); ok && ref["Ref"] == "AWS::NoValue" {
				continue
			}
			out = append(out, branch)
		}
	}
	return out
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
