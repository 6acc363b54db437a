package functions

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/samtemplate"
)

// routeMismatches compares the routes and auth modes the builders declare
// with template.yaml's, one message per difference, naming the function,
// the route and what each side says.
func routeMismatches(routes []samtemplate.Route, fns []app.Function) []string {
	type key struct{ fn, route string }
	tpl := map[key]string{} // → template auth
	for _, r := range routes {
		tpl[key{r.Function, r.Method + " " + r.Path}] = r.Auth
	}
	built := map[key]app.Auth{}
	for _, f := range fns {
		for _, r := range f.Routes {
			built[key{f.Name, r.String()}] = f.Auth
		}
	}
	var out []string
	for k, auth := range built {
		tauth, ok := tpl[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s: the builder serves %q, but template.yaml routes no such path to %s", k.fn, k.route, k.fn))
			continue
		}
		want := "required or optional"
		switch tauth {
		case samtemplate.AuthJWT:
			want = app.Required.String()
		case samtemplate.AuthNone:
			want = app.Optional.String() + " or " + app.Public.String()
		}
		if (tauth == samtemplate.AuthJWT) != (auth == app.Required) || tauth == samtemplate.AuthIAM {
			out = append(out, fmt.Sprintf("%s %q: template.yaml's auth is %q, so the builder's auth must be %s, not %s", k.fn, k.route, tauth, want, auth))
		}
	}
	for k := range tpl {
		if _, ok := built[k]; !ok {
			out = append(out, fmt.Sprintf("%s: template.yaml routes %q to it, but its builder does not declare that route", k.fn, k.route))
		}
	}
	sort.Strings(out)
	return out
}

func parseTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	require.NoError(t, err)
	tpl, err := samtemplate.Parse(data)
	require.NoError(t, err)
	return tpl
}

func TestBuilderRoutesMatchTheTemplate(t *testing.T) {
	tpl := parseTemplate(t)
	for _, m := range routeMismatches(tpl.Routes(), All()) {
		t.Error(m)
	}
}

func TestRouteMismatchesNameTheDifference(t *testing.T) {
	none := func() app.HTTPBuilder { return nil }
	tpl := []samtemplate.Route{
		{Function: "GetChannelPage", Method: "GET", Path: "/channels/{username}", Auth: samtemplate.AuthNone},
		{Function: "GetChannel", Method: "GET", Path: "/channel", Auth: samtemplate.AuthJWT},
		{Function: "ListChannels", Method: "GET", Path: "/channels", Auth: samtemplate.AuthNone},
	}
	fns := []app.Function{
		app.HTTP("GetChannelPage", app.Optional, none(), "GET /channels/{user}"),
		app.HTTP("GetChannel", app.Public, none(), "GET /channel"),
		app.HTTP("ListChannels", app.Public, none(), "GET /channels"),
	}
	assert.Equal(t, []string{
		`GetChannel "GET /channel": template.yaml's auth is "jwt", so the builder's auth must be required, not public`,
		`GetChannelPage: template.yaml routes "GET /channels/{username}" to it, but its builder does not declare that route`,
		`GetChannelPage: the builder serves "GET /channels/{user}", but template.yaml routes no such path to GetChannelPage`,
	}, routeMismatches(tpl, fns))
}
