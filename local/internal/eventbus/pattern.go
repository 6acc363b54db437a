package eventbus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strings"
)

// Pattern is a compiled EventBridge event pattern.
//
// Semantics (as EventBridge documents them):
//   - a pattern is a JSON object; every key must match the event's field of
//     the same name (AND across keys);
//   - a key's value is either a nested object (the event field must be an
//     object that matches it) or an array of alternatives (OR): exact values
//     (string, number, boolean, null) or operator objects;
//   - when the event field is an array, it matches if any element matches;
//   - operators: prefix, suffix, equals-ignore-case, anything-but (value,
//     list, prefix, suffix), numeric (=, <, <=, >, >= pairs), exists,
//     cidr and wildcard;
//   - "$or": [pattern, pattern, ...] at any object level;
//   - a missing field only matches {"exists": false}.
type Pattern struct {
	root *objectMatcher
}

type objectMatcher struct {
	fields []fieldMatcher
	or     [][]*objectMatcher // each "$or" entry: alternatives
}

type fieldMatcher struct {
	key    string
	nested *objectMatcher // set when the pattern value is an object
	alts   []valueMatcher // set when it is an array
}

// valueMatcher matches one leaf value. present is false when the field is
// missing; v is then nil.
type valueMatcher func(v any, present bool) bool

// CompilePattern parses and checks an event pattern (JSON object).
func CompilePattern(raw []byte) (*Pattern, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("event pattern is not valid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("event pattern must be a JSON object")
	}
	root, err := compileObject(obj, "")
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root}, nil
}

// MustCompilePattern is CompilePattern for patterns known to be valid (tests).
func MustCompilePattern(raw string) *Pattern {
	p, err := CompilePattern([]byte(raw))
	if err != nil {
		panic(err)
	}
	return p
}

// Match reports whether the event (a JSON object) matches the pattern.
func (p *Pattern) Match(event []byte) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false, fmt.Errorf("event is not valid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false, fmt.Errorf("event must be a JSON object")
	}
	return p.root.match(obj), nil
}

func compileObject(obj map[string]any, path string) (*objectMatcher, error) {
	m := &objectMatcher{}
	for key, val := range obj {
		where := key
		if path != "" {
			where = path + "." + key
		}
		if key == "$or" {
			list, ok := val.([]any)
			if !ok || len(list) < 2 {
				return nil, fmt.Errorf("%s: $or needs an array of at least two patterns", where)
			}
			var alts []*objectMatcher
			for _, item := range list {
				sub, ok := item.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s: $or entries must be objects", where)
				}
				c, err := compileObject(sub, path)
				if err != nil {
					return nil, err
				}
				alts = append(alts, c)
			}
			m.or = append(m.or, alts)
			continue
		}
		switch tv := val.(type) {
		case map[string]any:
			nested, err := compileObject(tv, where)
			if err != nil {
				return nil, err
			}
			m.fields = append(m.fields, fieldMatcher{key: key, nested: nested})
		case []any:
			fm := fieldMatcher{key: key}
			for _, item := range tv {
				vm, err := compileValue(item, where)
				if err != nil {
					return nil, err
				}
				fm.alts = append(fm.alts, vm)
			}
			m.fields = append(m.fields, fm)
		default:
			return nil, fmt.Errorf("%s: match values must be in an array", where)
		}
	}
	return m, nil
}

func (m *objectMatcher) match(obj map[string]any) bool {
	for _, f := range m.fields {
		if !f.match(obj) {
			return false
		}
	}
	for _, alts := range m.or {
		ok := false
		for _, a := range alts {
			if a.match(obj) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f fieldMatcher) match(obj map[string]any) bool {
	v, present := obj[f.key]
	if f.nested != nil {
		switch tv := v.(type) {
		case map[string]any:
			return f.nested.match(tv)
		case []any:
			for _, e := range tv {
				if o, ok := e.(map[string]any); ok && f.nested.match(o) {
					return true
				}
			}
			return false
		default:
			// A missing object still matches a nested pattern made only of
			// {"exists": false} leaves.
			return f.nested.match(map[string]any{})
		}
	}
	if arr, ok := v.([]any); ok && present {
		for _, e := range arr {
			for _, alt := range f.alts {
				if alt(e, true) {
					return true
				}
			}
		}
		return false
	}
	for _, alt := range f.alts {
		if alt(v, present) {
			return true
		}
	}
	return false
}

func compileValue(item any, where string) (valueMatcher, error) {
	switch tv := item.(type) {
	case nil:
		return func(v any, present bool) bool { return present && v == nil }, nil
	case string, bool:
		return func(v any, present bool) bool { return present && v == tv }, nil
	case json.Number:
		want, err := tv.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s: bad number %s", where, tv)
		}
		return func(v any, present bool) bool {
			n, ok := number(v)
			return present && ok && n == want
		}, nil
	case map[string]any:
		if len(tv) != 1 {
			return nil, fmt.Errorf("%s: an operator object must have exactly one key", where)
		}
		for op, arg := range tv {
			return compileOperator(op, arg, where)
		}
	}
	return nil, fmt.Errorf("%s: unsupported match value %v", where, item)
}

func compileOperator(op string, arg any, where string) (valueMatcher, error) {
	switch op {
	case "prefix", "suffix":
		s, ignoreCase, err := stringOrIgnoreCase(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %w", where, op, err)
		}
		if ignoreCase {
			s = strings.ToLower(s)
		}
		return stringTest(func(v string) bool {
			if ignoreCase {
				v = strings.ToLower(v)
			}
			if op == "prefix" {
				return strings.HasPrefix(v, s)
			}
			return strings.HasSuffix(v, s)
		}), nil
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: equals-ignore-case needs a string", where)
		}
		return stringTest(func(v string) bool { return strings.EqualFold(v, s) }), nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: wildcard needs a string", where)
		}
		return stringTest(func(v string) bool { return wildcardMatch(s, v) }), nil
	case "exists":
		want, ok := arg.(bool)
		if !ok {
			return nil, fmt.Errorf("%s: exists needs true or false", where)
		}
		return func(v any, present bool) bool {
			if _, isObj := v.(map[string]any); isObj {
				// exists applies to leaves only.
				return !want
			}
			return present == want
		}, nil
	case "numeric":
		return compileNumeric(arg, where)
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: cidr needs a string", where)
		}
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%s: cidr: %w", where, err)
		}
		return stringTest(func(v string) bool {
			a, err := netip.ParseAddr(v)
			return err == nil && prefix.Contains(a)
		}), nil
	case "anything-but":
		return compileAnythingBut(arg, where)
	}
	return nil, fmt.Errorf("%s: unsupported operator %q", where, op)
}

// stringOrIgnoreCase accepts "x" or {"equals-ignore-case": "x"}.
func stringOrIgnoreCase(arg any) (string, bool, error) {
	switch tv := arg.(type) {
	case string:
		return tv, false, nil
	case map[string]any:
		if s, ok := tv["equals-ignore-case"].(string); ok && len(tv) == 1 {
			return s, true, nil
		}
	}
	return "", false, fmt.Errorf("needs a string")
}

func stringTest(f func(string) bool) valueMatcher {
	return func(v any, present bool) bool {
		s, ok := v.(string)
		return present && ok && f(s)
	}
}

func compileAnythingBut(arg any, where string) (valueMatcher, error) {
	var excluded []valueMatcher
	add := func(item any) error {
		switch item.(type) {
		case string, json.Number, bool:
			m, err := compileValue(item, where)
			if err != nil {
				return err
			}
			excluded = append(excluded, m)
			return nil
		}
		return fmt.Errorf("%s: anything-but values must be strings, numbers or booleans", where)
	}
	switch tv := arg.(type) {
	case []any:
		for _, item := range tv {
			if err := add(item); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		if len(tv) != 1 {
			return nil, fmt.Errorf("%s: anything-but object must have one key", where)
		}
		for op, a := range tv {
			switch op {
			case "prefix", "suffix", "equals-ignore-case", "wildcard":
				inner, err := compileOperator(op, a, where)
				if err != nil {
					return nil, err
				}
				// anything-but with a string operator only matches strings.
				return func(v any, present bool) bool {
					_, isString := v.(string)
					return present && isString && !inner(v, present)
				}, nil
			default:
				return nil, fmt.Errorf("%s: unsupported anything-but operator %q", where, op)
			}
		}
	default:
		if err := add(arg); err != nil {
			return nil, err
		}
	}
	return func(v any, present bool) bool {
		if !present {
			return false
		}
		for _, ex := range excluded {
			if ex(v, present) {
				return false
			}
		}
		return true
	}, nil
}

func compileNumeric(arg any, where string) (valueMatcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf("%s: numeric needs [op, n] or [op, n, op, n]", where)
	}
	type cond struct {
		op string
		n  float64
	}
	var conds []cond
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok {
			return nil, fmt.Errorf("%s: numeric operator must be a string", where)
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, fmt.Errorf("%s: unsupported numeric operator %q", where, op)
		}
		num, ok := list[i+1].(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s: numeric bound must be a number", where)
		}
		n, err := num.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s: bad number %s", where, num)
		}
		conds = append(conds, cond{op, n})
	}
	return func(v any, present bool) bool {
		x, ok := number(v)
		if !present || !ok {
			return false
		}
		for _, c := range conds {
			var pass bool
			switch c.op {
			case "=":
				pass = x == c.n
			case "<":
				pass = x < c.n
			case "<=":
				pass = x <= c.n
			case ">":
				pass = x > c.n
			case ">=":
				pass = x >= c.n
			}
			if !pass {
				return false
			}
		}
		return true
	}, nil
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// wildcardMatch matches s against pattern where '*' stands for any run of
// characters (EventBridge's wildcard operator).
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
