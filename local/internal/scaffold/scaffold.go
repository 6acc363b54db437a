// Package scaffold adds a new HTTP function to the repository (make
// new-function): its template.yaml stanza, functions/<Name>/main.go, its
// builder under shared/functions/<name>, a sample event, a section in
// docs/api.md, and the regenerated list shared/functions/functions.go. The
// result builds and passes the repository's tests as it is; the builder's
// handler answers with the caller, for the function's author to replace
// with the capability's own handler constructor.
package scaffold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

// Spec is the function to add.
type Spec struct {
	// Name is the logical id ("GetStageStats").
	Name string
	// Method and Path are the route, as template.yaml writes it.
	Method, Path string
	// Auth is "required" (behind the JWT authorizer), "optional" (public at
	// the gateway, a token verified when sent) or "public".
	Auth string
}

var (
	namePattern  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{2,62}$`)
	pathPattern  = regexp.MustCompile(`^(/([A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9]*\}))+$`)
	paramPattern = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9]*)\}`)
)

// ParseRoute splits "GET /stages/{stageId}/stats".
func ParseRoute(route string) (method, path string, err error) {
	method, path, ok := strings.Cut(strings.TrimSpace(route), " ")
	if !ok {
		return "", "", fmt.Errorf("route %q: want METHOD /path", route)
	}
	return strings.ToUpper(method), strings.TrimSpace(path), nil
}

func (s Spec) validate() error {
	if !namePattern.MatchString(s.Name) {
		return fmt.Errorf("name %q: a logical id in UpperCamelCase (letters and digits, 3 to 63)", s.Name)
	}
	switch s.Method {
	case "GET", "POST", "PUT", "PATCH", "DELETE":
	default:
		return fmt.Errorf("method %q: one of GET, POST, PUT, PATCH, DELETE", s.Method)
	}
	if !pathPattern.MatchString(s.Path) {
		return fmt.Errorf("path %q: segments of letters, digits, ._~- or {param}", s.Path)
	}
	switch s.Auth {
	case "required", "optional", "public":
	default:
		return fmt.Errorf("auth %q: required, optional or public", s.Auth)
	}
	return nil
}

// PackageName is the builder package of a function: its logical id in
// lower case.
func PackageName(name string) string { return strings.ToLower(name) }

func (s Spec) pkg() string { return PackageName(s.Name) }

// authConst is the app.Auth constant of the mode.
func (s Spec) authConst() string {
	return map[string]string{"required": "Required", "optional": "Optional", "public": "Public"}[s.Auth]
}

// Generate adds the function to the repository at root. It refuses to
// overwrite anything: a function of that name or a route of that method
// and path must not exist yet.
func Generate(root string, s Spec) error {
	if err := s.validate(); err != nil {
		return err
	}
	tplPath := filepath.Join(root, "template.yaml")
	tpl, err := os.ReadFile(tplPath)
	if err != nil {
		return err
	}
	if bytes.Contains(tpl, []byte("\n  "+s.Name+":\n")) {
		return fmt.Errorf("template.yaml already has a resource %s", s.Name)
	}
	if regexp.MustCompile(`(?m)^\s+Method: ` + s.Method + `\n\s+Path: ` + regexp.QuoteMeta(s.Path) + `\n`).Match(tpl) {
		return fmt.Errorf("template.yaml already routes %s %s", s.Method, s.Path)
	}
	files := map[string]string{
		filepath.Join("functions", s.Name, "main.go"):                mainGo(s),
		filepath.Join("shared", "functions", s.pkg(), s.pkg()+".go"): render(builderTemplate, s),
		filepath.Join("events", s.Name+".json"):                      sampleEvent(s),
	}
	for rel := range files {
		if _, err := os.Stat(filepath.Join(root, rel)); err == nil {
			return fmt.Errorf("%s exists", rel)
		}
	}
	stanza := render(stanzaTemplate, s)
	i := bytes.Index(tpl, []byte("\nOutputs:\n"))
	if i < 0 {
		tpl = append(bytes.TrimRight(tpl, "\n"), []byte("\n\n"+stanza)...)
	} else {
		tpl = append(append(append([]byte{}, tpl[:i+1]...), []byte(stanza+"\n")...), tpl[i+1:]...)
	}
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if strings.HasSuffix(rel, ".go") {
			b, err := format.Source([]byte(content))
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			content = string(b)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(tplPath, tpl, 0o644); err != nil {
		return err
	}
	if err := appendDoc(filepath.Join(root, "docs", "api.md"), s); err != nil {
		return err
	}
	return WriteRegistry(root)
}

// MainGo is functions/<Name>/main.go of a function: the one form every
// function's binary has.
func MainGo(name string) string { return mainGo(Spec{Name: name}) }

func mainGo(s Spec) string {
	return fmt.Sprintf("// Command %[1]s is the Lambda function %[1]s of template.yaml; its builder is\n"+
		"// shared/functions/%[2]s.\npackage main\n\nimport (\n\t\"github.com/onair/onair/shared/app\"\n"+
		"\t\"github.com/onair/onair/shared/functions/%[2]s\"\n)\n\nfunc main() { app.Run(%[2]s.Function()) }\n", s.Name, s.pkg())
}

// Registry is shared/functions/functions.go for the builder packages found
// under shared/functions.
func Registry(root string) ([]byte, error) {
	entries, err := os.ReadDir(filepath.Join(root, "shared", "functions"))
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "internal" && e.Name() != "testdata" {
			pkgs = append(pkgs, e.Name())
		}
	}
	sort.Strings(pkgs)
	return format.Source([]byte(render(registryTemplate, pkgs)))
}

// WriteRegistry rewrites shared/functions/functions.go.
func WriteRegistry(root string) error {
	b, err := Registry(root)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "shared", "functions", "functions.go"), b, 0o644)
}

func render(t *template.Template, data any) string {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic(err) // the templates are constants of this package
	}
	return b.String()
}

func sampleEvent(s Spec) string {
	params := map[string]string{}
	path := paramPattern.ReplaceAllStringFunc(s.Path, func(m string) string {
		name := strings.Trim(m, "{}")
		params[name] = "sample-" + strings.ToLower(name)
		return params[name]
	})
	ctx := map[string]any{
		"accountId": "111122223333", "apiId": "abc123", "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
		"domainPrefix": "abc123", "requestId": "Xyz12AbCIAMEbcQ=", "routeKey": s.Method + " " + s.Path, "stage": "$default",
		"time": "10/Jan/2026:18:00:00 +0000", "timeEpoch": 1768068000000,
		"http": map[string]any{"method": s.Method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0"},
	}
	headers := map[string]string{
		"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "Mozilla/5.0",
		"x-forwarded-for": "203.0.113.7", "x-forwarded-port": "443", "x-forwarded-proto": "https",
	}
	if s.Auth == "required" {
		// The claims API Gateway's JWT authorizer passes (the sample user of
		// events/GetChannel.json).
		headers["authorization"] = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiIwZDVhNGYyZSJ9.c2lnbmF0dXJl"
		ctx["authorizer"] = map[string]any{"jwt": map[string]any{"claims": map[string]string{
			"sub": "0d5a4f2e-1111-4c3b-9a7e-5f3c2b1a0e9d", "username": "alice_live", "token_use": "access",
			"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI", "client_id": "4abcdefghij1234567890klmno",
		}, "scopes": nil}}
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": s.Method + " " + s.Path, "rawPath": path, "rawQueryString": "",
		"headers": headers, "requestContext": ctx, "isBase64Encoded": false,
	}
	if len(params) > 0 {
		ev["pathParameters"] = params
	}
	if s.Method != "GET" && s.Method != "DELETE" {
		headers["content-type"] = "application/json"
		ev["body"] = "{}"
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}

func appendDoc(path string, s Spec) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	login := map[string]string{
		"required": "a signed-in caller (the gateway's JWT authorizer)",
		"optional": "login optional (a token, when sent, is verified by the function)",
		"public":   "public",
	}[s.Auth]
	_, err = fmt.Fprintf(f, "\n## %s %s\n\n%s; served by %s (`shared/functions/%s`). Answers `{\"caller\": <sub or null>}` until the capability's handler replaces the scaffold's.\n", s.Method, s.Path, login, s.Name, s.pkg())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

var stanzaTemplate = template.Must(template.New("stanza").Parse(`  {{.Name}}:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
      Description: {{.Method}} {{.Path}} - answers with the caller (scaffold; see docs/api.md).
{{- if eq .Auth "optional"}}
      Environment:
        Variables:
          USER_POOL_ID: !Ref UserPool
          USER_POOL_CLIENT_ID: !Ref UserPoolClient
{{- end}}
      Events:
        Http:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: {{.Method}}
            Path: {{.Path}}
{{- if ne .Auth "required"}}
            Auth:
              Authorizer: NONE
{{- end}}
`))

var builderTemplate = template.Must(template.New("builder").Funcs(template.FuncMap{
	"pkg": Spec.pkg, "auth": Spec.authConst,
}).Parse(`// Package {{pkg .}} builds {{.Name}}: {{.Method}} {{.Path}}.
package {{pkg .}}

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/httpapi"
)

// Function is {{.Name}}.
func Function() app.Function {
	return app.HTTP("{{.Name}}", app.{{auth .}}, build, "{{.Method}} {{.Path}}")
}

// build constructs the adapters the handler uses (none yet: add them here,
// e.g. p.Store(dynamo.Open), with the IAM actions in template.yaml) and
// passes them to the handler's constructor.
func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		var caller *string
		if c, ok := httpapi.Caller(r); ok {
			caller = &c.Sub
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]*string{"caller": caller})
	}), nil
}
`))

var registryTemplate = template.Must(template.New("registry").Parse(`// Package functions lists every function of template.yaml, each built by the
// package of the same name (lower case) below this one. The offline stack
// and the tests build them all from here; a Lambda binary imports only its
// own package (functions/<Name>/main.go), so it links only what its
// function uses.
//
// make new-function regenerates this file (local/internal/scaffold).
package functions

import (
	"github.com/onair/onair/shared/app"
{{range .}}	"github.com/onair/onair/shared/functions/{{.}}"
{{end}})

// All returns every function.
func All() []app.Function {
	return []app.Function{
{{range .}}		{{.}}.Function(),
{{end}}	}
}

// ByName returns every function by logical id.
func ByName() map[string]app.Function {
	m := map[string]app.Function{}
	for _, f := range All() {
		m[f.Name] = f
	}
	return m
}
`))
