// Package iam holds what the tests know of IAM: the functions' policies as
// template.yaml declares them, an evaluator of those policies (actions and
// resources with wildcards, and the condition operators the template uses),
// and a recorder of the AWS operations a function performs, each turned
// into the IAM requests AWS would authorize (action, resource, request and
// resource tags).
//
// Together they prove the policies sufficient: the offline stack records
// every AWS call of every function while the integration tests run, and a
// test evaluates each against its function's policy (docs/security.md).
//
// Only the offline stack and tests import this package; no function's
// binary links it (shared/functions' dependency test keeps it so).
package iam

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/onair/onair/shared/samtemplate"
)

// Statement is one resolved statement of a policy.
type Statement struct {
	Sid       string
	Effect    string // "Allow" or "Deny"
	Actions   []string
	Resources []string
	// Condition maps an operator ("StringEquals", "ForAllValues:StringLike",
	// "StringEqualsIfExists", ...) to condition keys and their values.
	Condition map[string]map[string][]string
}

// Policy is every statement of a function's inline policies.
type Policy struct {
	Statements []Statement
}

// Request is one authorization AWS makes for an operation: an action on a
// resource ("*" for actions without resource-level permissions), with the
// request's context keys ("aws:RequestTag/project", "aws:ResourceTag/project",
// "aws:TagKeys", ...). Keys are matched case-insensitively.
type Request struct {
	Action   string
	Resource string
	Context  map[string][]string
}

func (r Request) String() string {
	s := r.Action + " on " + r.Resource
	if len(r.Context) > 0 {
		keys := make([]string, 0, len(r.Context))
		for k := range r.Context {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+strings.Join(r.Context[k], ","))
		}
		s += " (" + strings.Join(kv, " ") + ")"
	}
	return s
}

// FunctionPolicies reads the inline policies of every function of t that
// is deployed with r's parameters (its Condition holds), resolving
// intrinsics (!Sub, !GetAtt, !Ref, !If) with r. A policy the evaluator
// cannot read (a SAM policy template, a managed policy name, NotAction) is
// an error: the proof would otherwise pass by not looking.
func FunctionPolicies(t *samtemplate.Template, r samtemplate.Resolver) (map[string]Policy, error) {
	out := map[string]Policy{}
	var errs []error
	for _, name := range t.FunctionNames() {
		f := t.Functions[name]
		if f.Condition != "" {
			ok, err := r.Condition(f.Condition)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: condition %s: %w", name, f.Condition, err))
				continue
			}
			if !ok {
				continue
			}
		}
		p, err := ParsePolicies(f.Properties["Policies"], r)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		out[name] = p
	}
	return out, errors.Join(errs...)
}

// ParsePolicies reads a function's Policies property (a list of inline
// policy documents, each {"Statement": [...]}) resolved with r.
func ParsePolicies(v samtemplate.Value, r samtemplate.Resolver) (Policy, error) {
	if v == nil {
		return Policy{}, nil
	}
	resolved, err := samtemplate.ResolveDeep(v, r)
	if errors.Is(err, samtemplate.ErrNoValue) {
		return Policy{}, nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("policies: %w", err)
	}
	docs, ok := resolved.([]any)
	if !ok {
		docs = []any{resolved}
	}
	var p Policy
	for i, d := range docs {
		doc, ok := d.(map[string]any)
		if !ok {
			return Policy{}, fmt.Errorf("policy %d: %v is not an inline policy document", i, d)
		}
		stmts, ok := doc["Statement"].([]any)
		if !ok {
			if one, isMap := doc["Statement"].(map[string]any); isMap {
				stmts = []any{one}
			} else {
				return Policy{}, fmt.Errorf("policy %d: no Statement (SAM policy templates are not evaluated)", i)
			}
		}
		for j, s := range stmts {
			st, err := parseStatement(s)
			if err != nil {
				return Policy{}, fmt.Errorf("policy %d statement %d: %w", i, j, err)
			}
			p.Statements = append(p.Statements, st)
		}
	}
	return p, nil
}

func parseStatement(v any) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("not a map: %v", v)
	}
	for k := range m {
		switch k {
		case "Sid", "Effect", "Action", "Resource", "Condition":
		default:
			return Statement{}, fmt.Errorf("%s is not evaluated", k)
		}
	}
	st := Statement{Effect: fmt.Sprint(m["Effect"]), Actions: list(m["Action"]), Resources: list(m["Resource"])}
	if s, ok := m["Sid"].(string); ok {
		st.Sid = s
	}
	if st.Effect != "Allow" && st.Effect != "Deny" {
		return Statement{}, fmt.Errorf("effect %q", st.Effect)
	}
	if len(st.Actions) == 0 || len(st.Resources) == 0 {
		return Statement{}, errors.New("needs Action and Resource")
	}
	if c, ok := m["Condition"]; ok {
		cm, ok := c.(map[string]any)
		if !ok {
			return Statement{}, fmt.Errorf("condition %v is not a map", c)
		}
		st.Condition = map[string]map[string][]string{}
		for op, kv := range cm {
			if _, known := operator(op); !known {
				return Statement{}, fmt.Errorf("condition operator %s is not evaluated", op)
			}
			keys, ok := kv.(map[string]any)
			if !ok {
				return Statement{}, fmt.Errorf("condition %s: %v is not a map", op, kv)
			}
			st.Condition[op] = map[string][]string{}
			for k, vals := range keys {
				st.Condition[op][k] = list(vals)
			}
		}
	}
	return st, nil
}

func list(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			out = append(out, fmt.Sprint(it))
		}
		return out
	case []string:
		return x
	}
	return []string{fmt.Sprint(v)}
}

// Decision is the outcome of evaluating a request against a policy.
type Decision struct {
	Allowed bool
	// Reason says why not: no statement allows it (naming statements that
	// match the action and resource but whose condition fails), or the
	// statement that denies it.
	Reason string
}

// Evaluate decides req as IAM does for an identity policy alone: an
// explicit Deny wins, then an Allow, else the implicit deny.
func (p Policy) Evaluate(req Request) Decision {
	var near []string
	allowed := false
	for i, st := range p.Statements {
		if !st.matchesAction(req.Action) || !st.matchesResource(req.Resource) {
			continue
		}
		ok, why := st.conditionHolds(req.Context)
		if !ok {
			if st.Effect == "Allow" {
				near = append(near, fmt.Sprintf("statement %d's condition: %s", i, why))
			}
			continue
		}
		if st.Effect == "Deny" {
			return Decision{Reason: fmt.Sprintf("statement %d denies it", i)}
		}
		allowed = true
	}
	if allowed {
		return Decision{Allowed: true}
	}
	if len(near) > 0 {
		return Decision{Reason: "no statement allows it (" + strings.Join(near, "; ") + ")"}
	}
	return Decision{Reason: "no statement allows " + req.Action + " on " + req.Resource}
}

func (st Statement) matchesAction(action string) bool {
	for _, a := range st.Actions {
		if glob(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

func (st Statement) matchesResource(resource string) bool {
	for _, r := range st.Resources {
		if glob(r, resource) {
			return true
		}
	}
	return false
}

// conditionHolds evaluates every operator of the statement's condition
// (they are ANDed, as are the keys under one operator; a key's values are
// ORed).
func (st Statement) conditionHolds(ctx map[string][]string) (bool, string) {
	for op, keys := range st.Condition {
		match, _ := operator(op)
		for key, want := range keys {
			have, present := lookup(ctx, key)
			if !match(have, present, want) {
				got := "absent"
				if present {
					got = strings.Join(have, ",")
				}
				return false, fmt.Sprintf("%s %s %v, the request has %s", op, key, want, got)
			}
		}
	}
	return true, ""
}

func lookup(ctx map[string][]string, key string) ([]string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// matcher reports whether a condition key's values (have; present is false
// when the request has no such key) satisfy an operator with the policy's
// values (want).
type matcher func(have []string, present bool, want []string) bool

// operator returns the matcher of a condition operator, with the IfExists
// suffix and the ForAllValues/ForAnyValue set qualifiers.
func operator(op string) (matcher, bool) {
	qualifier, base, hasQualifier := strings.Cut(op, ":")
	if !hasQualifier {
		base, qualifier = qualifier, ""
	}
	ifExists := strings.HasSuffix(base, "IfExists")
	base = strings.TrimSuffix(base, "IfExists")
	var one func(have, want string) bool
	negated := false
	switch base {
	case "StringEquals", "ArnEquals":
		one = func(h, w string) bool { return h == w }
	case "StringEqualsIgnoreCase":
		one = strings.EqualFold
	case "StringLike", "ArnLike":
		one = func(h, w string) bool { return glob(w, h) }
	case "StringNotEquals", "ArnNotEquals":
		one, negated = func(h, w string) bool { return h == w }, true
	case "StringNotLike", "ArnNotLike":
		one, negated = func(h, w string) bool { return glob(w, h) }, true
	case "Bool":
		one = strings.EqualFold
	case "Null":
		if qualifier != "" || ifExists {
			return nil, false
		}
		return func(_ []string, present bool, want []string) bool {
			for _, w := range want {
				if strings.EqualFold(w, "true") != present {
					return true
				}
			}
			return false
		}, true
	default:
		return nil, false
	}
	anyOf := func(h string, want []string) bool {
		for _, w := range want {
			if one(h, w) {
				return true
			}
		}
		return false
	}
	switch qualifier {
	case "":
		return func(have []string, present bool, want []string) bool {
			if !present {
				// A missing key fails a positive operator and satisfies a
				// negated one; IfExists makes it satisfy both.
				return ifExists || negated
			}
			for _, h := range have {
				if anyOf(h, want) != negated {
					return true
				}
			}
			return false
		}, true
	case "ForAllValues":
		return func(have []string, _ bool, want []string) bool {
			for _, h := range have {
				if anyOf(h, want) == negated {
					return false
				}
			}
			return true
		}, true
	case "ForAnyValue":
		return func(have []string, _ bool, want []string) bool {
			for _, h := range have {
				if anyOf(h, want) != negated {
					return true
				}
			}
			return false
		}, true
	}
	return nil, false
}

// glob matches s against an IAM pattern: * any run of characters, ? one.
func glob(pattern, s string) bool {
	// Iterative wildcard matching with backtracking to the last star.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
