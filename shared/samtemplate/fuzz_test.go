package samtemplate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/onair/onair/shared/samtemplate"
)

// FuzzResolve: any template text either fails to parse or parses into a
// template whose functions' environments, outputs and rules resolve or
// fail with an error; intrinsic functions (Sub, Join, Select, Split, If,
// FindInMap, Contains, nested and self-referencing conditions) never panic
// or loop forever. (The repository's own template, 60 kB, is left out of
// the seeds: minimising inputs that large stalls the fuzzer; the tests run
// it whole.)
func FuzzResolve(f *testing.F) {
	f.Add([]byte(`Parameters: {P: {Type: String, Default: x}, L: {Type: CommaDelimitedList, Default: "a,b"}}
Conditions: {C: !Equals [!Ref P, x], D: !Not [!Condition C], Loop: !Condition Loop}
Rules: {R: {RuleCondition: !Condition C, Assertions: [{Assert: !Contains [!Ref L, a], AssertDescription: d}]}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          A: !Sub "${P}-${AWS::Region}-${Fn.Arn}"
          B: !Join [",", !Ref L]
          C: !Select [1, !Split [",", "a,b,c"]]
          D: !If [C, yes, !Ref AWS::NoValue]
          E: !FindInMap [M, k, v]
Mappings: {M: {k: {v: mapped}}}
Outputs: {O: {Value: !GetAtt Fn.Arn}}
`))
	f.Add([]byte(`Conditions: {A: !Condition B, B: !Condition A}
Resources: {Fn: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: {X: !If [A, 1, 2]}}}}}`))
	f.Add([]byte(`Resources: {Fn: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: {X: !Select [99, []]}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failure too (the fuzzer has no per-input timeout):
		// crash the worker so the input is kept as a failing case.
		watchdog := time.AfterFunc(2*time.Second, func() { panic(fmt.Sprintf("resolving took over 2s: %q", data)) })
		defer watchdog.Stop()
		tpl, err := samtemplate.Parse(data)
		if err != nil {
			return
		}
		params, err := tpl.ParameterValues(nil)
		if err != nil {
			return
		}
		r := tpl.Resolver(params, samtemplate.DefaultPseudo("stack", "us-east-1", "123456789012"))
		refs, attrs := tpl.Placeholders("stack", "us-east-1", "123456789012")
		r.Refs, r.Attrs = refs, attrs
		for _, name := range tpl.FunctionNames() {
			_, _ = tpl.Env(name, r)
		}
		for _, o := range tpl.Outputs {
			_, _ = samtemplate.Resolve(o.Value, r)
		}
		_ = tpl.CheckRules(r)
	})
}
