package scaffold

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const repoRoot = "../../.."

// shared/functions/functions.go is what the scaffold generates from the
// builder packages, so that adding one keeps it in step.
func TestRegistryIsGenerated(t *testing.T) {
	want, err := Registry(repoRoot)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(repoRoot, "shared", "functions", "functions.go"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "run: go run ./local new-function ... or regenerate with scaffold.WriteRegistry")
}

func TestSpecValidation(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		err  string
	}{
		{Spec{Name: "getStats", Method: "GET", Path: "/stats", Auth: "required"}, "UpperCamelCase"},
		{Spec{Name: "GetStats", Method: "FETCH", Path: "/stats", Auth: "required"}, "method"},
		{Spec{Name: "GetStats", Method: "GET", Path: "stats", Auth: "required"}, "path"},
		{Spec{Name: "GetStats", Method: "GET", Path: "/stats/{a b}", Auth: "required"}, "path"},
		{Spec{Name: "GetStats", Method: "GET", Path: "/stats", Auth: "jwt"}, "auth"},
	} {
		assert.ErrorContains(t, tc.spec.validate(), tc.err)
	}
	_, _, err := ParseRoute("/stats")
	assert.ErrorContains(t, err, "METHOD /path")
}

func TestGenerateRefusesExistingFunctionsAndRoutes(t *testing.T) {
	root := copyRepo(t)
	assert.ErrorContains(t, Generate(root, Spec{Name: "GetChannel", Method: "GET", Path: "/elsewhere", Auth: "required"}), "already has a resource GetChannel")
	assert.ErrorContains(t, Generate(root, Spec{Name: "GetChannelAgain", Method: "GET", Path: "/channel", Auth: "required"}), "already routes GET /channel")
}

// The scaffold's output builds and passes the tests that hold the
// repository together: template ↔ functions/ ↔ events/ ↔ builders, routes
// and auth modes, the dependency guard, sample events, conventions.
func TestScaffoldedFunctionsPassTheSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a copy of the repository")
	}
	root := copyRepo(t)
	specs := []Spec{
		{Name: "GetStageStats", Method: "GET", Path: "/stages/{stageId}/stats", Auth: "required"},
		{Name: "GetChannelBadge", Method: "GET", Path: "/channels/{username}/badge", Auth: "optional"},
		{Name: "PostFeedback", Method: "POST", Path: "/feedback", Auth: "public"},
	}
	for _, s := range specs {
		require.NoError(t, Generate(root, s), s.Name)
	}
	for _, s := range specs {
		assert.FileExists(t, filepath.Join(root, "functions", s.Name, "main.go"))
		assert.FileExists(t, filepath.Join(root, "events", s.Name+".json"))
		assert.FileExists(t, filepath.Join(root, "shared", "functions", s.pkg(), s.pkg()+".go"))
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "api.md"))
	require.NoError(t, err)
	assert.Contains(t, string(doc), "## GET /stages/{stageId}/stats")

	cmd := exec.Command("go", "test", "-trimpath", "-count=1",
		"-run", "Template|Routes|Link|Functions|SampleEvents|Conventions|OneLine|Authorized|OptionalLogin|Builds",
		"./shared/functions/", "./shared/samtemplate/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the suite fails on the scaffold's output:\n%s", out)
	assert.NotContains(t, string(out), "no tests to run")
}

// copyRepo copies the repository's tracked Go, YAML, JSON and Markdown
// files (what the tests read) into a temporary directory.
func copyRepo(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "go.mod", "go.sum", "template.yaml", "samconfig.toml", "*.go", "events", "docs", "functions", "shared")
	cmd.Dir = root
	list, err := cmd.Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	dst := t.TempDir()
	for _, rel := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		if rel == "" || strings.Contains(rel, "node_modules/") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dst, rel), b, 0o644))
	}
	require.True(t, bytes.Contains(mustRead(t, filepath.Join(dst, "go.mod")), []byte("module github.com/onair/onair")))
	return dst
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
