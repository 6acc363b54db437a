package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/onair/onair/local/internal/scaffold"
)

// newFunctionCommand is `local new-function` (make new-function): it adds
// an HTTP function to the repository in the current directory.
func newFunctionCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local new-function", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "logical id (UpperCamelCase)")
	route := fs.String("route", "", "route as template.yaml writes it: 'METHOD /path/{param}'")
	auth := fs.String("auth", "required", "required (JWT authorizer), optional (token verified when sent) or public")
	root := fs.String("root", ".", "repository root")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	method, path, err := scaffold.ParseRoute(*route)
	if err == nil {
		err = scaffold.Generate(*root, scaffold.Spec{Name: *name, Method: method, Path: path, Auth: *auth})
	}
	if err != nil {
		fmt.Fprintln(stderr, "new-function:", err)
		return 1
	}
	fmt.Fprintf(stdout, "added %s (%s %s, auth %s): template.yaml, functions/%s/main.go, shared/functions/%s, events/%s.json, docs/api.md\n",
		*name, method, path, *auth, *name, scaffold.PackageName(*name), *name)
	return 0
}
