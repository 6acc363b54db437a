package functions

import (
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/samtemplate"
)

// What the default Lambda binaries must not link: the X-Ray SDK's weight
// (docs/performance.md). text/template's method lookup by name makes the
// linker keep every exported method of every SDK client; gRPC and
// aws-sdk-go v1 come with the X-Ray SDK.
var forbiddenDeps = []string{
	"text/template",
	"html/template",
	"google.golang.org/grpc",
	"github.com/aws/aws-sdk-go/", // v1 (v2 is aws-sdk-go-v2)
	// The recorder of AWS calls and the policy evaluator are for the
	// offline stack and tests only (docs/security.md).
	"github.com/onair/onair/shared/iam",
}

// sdkService is the prefix of the AWS SDK's service packages.
const sdkService = "github.com/aws/aws-sdk-go-v2/service/"

// credentialServices are the SDK services the default credential chain
// (config.LoadDefaultConfig) links in every binary: none is called in
// Lambda, where credentials come from the environment.
var credentialServices = map[string]bool{"signin": true, "sso": true, "ssooidc": true, "sts": true}

// iamPrefix is the IAM service prefix of each SDK service package a
// function may call.
var iamPrefix = map[string]string{
	"dynamodb":                "dynamodb",
	"ivs":                     "ivs",
	"ivschat":                 "ivschat",
	"ivsrealtime":             "ivs",
	"cognitoidentityprovider": "cognito-idp",
	"s3":                      "s3",
	"secretsmanager":          "secretsmanager",
	"cloudwatch":              "cloudwatch",
}

// functionDeps lists the transitive imports of every function's main
// package, built as `make build` builds them, in one go list.
func functionDeps(t *testing.T, tags string) map[string][]string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command("go", "list", "-tags", tags, "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./functions/...")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(cmd.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", errText(err))
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		deps[filepath.Base(f[0])] = f[1:]
	}
	return deps
}

func errText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func forbiddenIn(deps []string) []string {
	var found []string
	for _, d := range deps {
		for _, f := range forbiddenDeps {
			if d == f || strings.HasPrefix(d, strings.TrimSuffix(f, "/")+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(d, f)) {
				found = append(found, d)
			}
		}
	}
	return found
}

// Default binaries link neither the X-Ray SDK's transitive weight nor any
// AWS service their function's IAM policy does not let it call: a binary
// links (and initialises) only the services its function uses.
func TestFunctionBinariesLinkOnlyWhatTheyCall(t *testing.T) {
	tpl := parseTemplate(t)
	deps := functionDeps(t, "lambda.norpc")
	require.Len(t, deps, len(tpl.FunctionNames()))
	for _, name := range tpl.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			d, ok := deps[name]
			require.True(t, ok, "functions/%s is not a main package", name)
			assert.Empty(t, forbiddenIn(d), "%s links packages that only the xraysdk build may link", name)
			allowed := iamServices(tpl.Functions[name].Properties["Policies"])
			for _, dep := range d {
				svc, ok := strings.CutPrefix(dep, sdkService)
				if !ok || strings.Contains(svc, "/") || credentialServices[svc] {
					continue
				}
				assert.True(t, allowed[iamPrefix[svc]], "%s links %s, but its IAM policy grants no %s action (policy services: %v)", name, dep, iamPrefix[svc], keys(allowed))
			}
		})
	}
}

// The guard can fail: the xraysdk build links what the default must not.
func TestXRaySDKBuildLinksWhatTheGuardForbids(t *testing.T) {
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc,xraysdk", "-deps", "./functions/GetChannel")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(cmd.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	require.NoError(t, err, errText(err))
	found := forbiddenIn(strings.Fields(string(out)))
	assert.Contains(t, found, "text/template")
	assert.Contains(t, found, "google.golang.org/grpc")
}

// iamServices collects the service prefixes of every Action in a
// function's Policies ("ivs:GetChannel" → "ivs").
func iamServices(v samtemplate.Value) map[string]bool {
	out := map[string]bool{}
	var walk func(v any, action bool)
	walk = func(v any, action bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, k == "Action")
			}
		case []any:
			for _, e := range x {
				walk(e, action)
			}
		case string:
			if svc, _, ok := strings.Cut(x, ":"); ok && action {
				out[svc] = true
			}
		}
	}
	walk(v, false)
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
