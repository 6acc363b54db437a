package samtemplate_test

// The reference docs are checked against template.yaml: docs/api.md's
// "Routes at a glance" table lists exactly the template's HTTP routes, each
// with its function and an auth that agrees with the gateway's, and has a
// section per routed function; README.md's Parameters table names every
// template parameter with its default.

import (
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

// docTable returns the rows of the first Markdown table after the line
// heading, as cells with the outer pipes and spaces trimmed.
func docTable(t *testing.T, doc, heading string) [][]string {
	t.Helper()
	i := strings.Index(doc, "\n"+heading+"\n")
	require.GreaterOrEqual(t, i, 0, "no heading %q", heading)
	var rows [][]string
	started := false
	for _, line := range strings.Split(doc[i+len(heading)+2:], "\n") {
		if !strings.HasPrefix(line, "|") {
			if started {
				break
			}
			continue
		}
		started = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for k := range cells {
			cells[k] = strings.TrimSpace(cells[k])
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows = append(rows, cells)
	}
	require.NotEmpty(t, rows, "no table under %q", heading)
	return rows[1:] // the header
}

func TestAPIDocListsEachHTTPRouteWithItsAuth(t *testing.T) {
	tpl, root := loadTemplate(t)
	b, err := os.ReadFile(filepath.Join(root, "docs", "api.md"))
	require.NoError(t, err)
	doc := string(b)

	// "`GET`, `POST /channel/streamKey/reset`" → GET and POST of the path;
	// a query ("?isLive=true") is not part of the route.
	documented := map[string][]string{} // "GET /path" → function, auth
	for _, row := range docTable(t, doc, "## Routes at a glance") {
		require.Len(t, row, 3, "row %q: | Method and path | Function | Auth |", row)
		cell := strings.ReplaceAll(row[0], "`", "")
		sp := strings.LastIndex(cell, " ")
		require.Positive(t, sp, "row %q", row)
		path, _, _ := strings.Cut(cell[sp+1:], "?")
		fn := strings.Fields(row[1])[0]
		for _, m := range strings.Split(cell[:sp], ",") {
			documented[strings.TrimSpace(m)+" "+path] = []string{fn, row[2]}
		}
	}

	inTemplate := map[string]bool{}
	for _, r := range tpl.Routes() {
		key := r.Method + " " + r.Path
		inTemplate[key] = true
		d, ok := documented[key]
		if !assert.True(t, ok, "docs/api.md's Routes at a glance has no row for %s (%s)", key, r.Function) {
			continue
		}
		assert.Equal(t, r.Function, d[0], "the function of %s", key)
		// The gateway's JWT authorizer makes a route "signed in"; a route
		// open at the gateway is "optional" (the function verifies a token
		// when one is sent) or "public".
		switch r.Auth {
		case samtemplate.AuthJWT:
			assert.True(t, strings.HasPrefix(d[1], "signed in"), "%s is behind the JWT authorizer; the doc says %q", key, d[1])
		default:
			assert.Contains(t, []string{"optional", "public"}, d[1], "%s is open at the gateway (%s); the doc says %q", key, r.Auth, d[1])
		}
		assert.Contains(t, doc, "— "+r.Function+"\n", "docs/api.md has no section \"### `%s` — %s\"", key, r.Function)
	}
	var extra []string
	for key := range documented {
		if !inTemplate[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	assert.Empty(t, extra, "docs/api.md lists routes template.yaml does not have")
}

func TestReadmeDocumentsEachParameter(t *testing.T) {
	tpl, root := loadTemplate(t)
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	documented := map[string]string{} // name → default as written
	name := regexp.MustCompile("`(\\w+)`")
	for _, row := range docTable(t, string(b), "### Parameters") {
		require.GreaterOrEqual(t, len(row), 3, "row %q", row)
		for _, m := range name.FindAllStringSubmatch(row[0], -1) {
			documented[m[1]] = strings.Trim(row[1], "`")
		}
	}
	var names []string
	for n := range tpl.Parameters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		def, ok := documented[n]
		if assert.True(t, ok, "README.md's Parameters table has no row for %s", n) {
			want := tpl.Parameters[n].Default
			if want == "" {
				want = `""`
			}
			assert.Equal(t, want, def, "the default of %s", n)
		}
	}
	for n := range documented {
		assert.Contains(t, tpl.Parameters, n, "README.md documents a parameter template.yaml does not have")
	}
}
