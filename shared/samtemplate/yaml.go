package samtemplate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortTags maps CloudFormation's YAML short forms to their long keys.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!GetAtt":       "Fn::GetAtt",
	"!Sub":          "Fn::Sub",
	"!Join":         "Fn::Join",
	"!If":           "Fn::If",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!Contains":     "Fn::Contains",
	"!FindInMap":    "Fn::FindInMap",
	"!Base64":       "Fn::Base64",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Cidr":         "Fn::Cidr",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
	"!Transform":    "Fn::Transform",
}

// convert turns a YAML node into a Value, with short-form intrinsics in
// their long form.
func convert(n *yaml.Node) (Value, error) {
	var v Value
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]Value, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merged, err := convert(val)
				if err != nil {
					return nil, err
				}
				for _, mm := range mergeSources(merged) {
					for kk, vv := range mm {
						if _, set := m[kk]; !set {
							m[kk] = vv
						}
					}
				}
				continue
			}
			x, err := convert(val)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.Value, err)
			}
			m[k.Value] = x
		}
		v = m
	case yaml.SequenceNode:
		l := make([]Value, 0, len(n.Content))
		for _, c := range n.Content {
			x, err := convert(c)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		v = l
	case yaml.ScalarNode:
		if isCustomTag(n.Tag) {
			v = n.Value
			break
		}
		switch n.Tag {
		case "!!str", "!!timestamp", "!!binary":
			// Dates stay strings: IAM's Version: 2012-10-17 is text.
			v = n.Value
		default:
			if err := n.Decode(&v); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
		}
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	if isCustomTag(n.Tag) {
		return intrinsic(n, v)
	}
	return v, nil
}

func isCustomTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

func intrinsic(n *yaml.Node, v Value) (Value, error) {
	key, ok := shortTags[n.Tag]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	if key == "Fn::GetAtt" {
		// !GetAtt Res.Attr (the attribute may itself contain dots:
		// Stack.Outputs.Name).
		if s, ok := v.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q needs Resource.Attribute", n.Line, s)
			}
			v = []Value{res, attr}
		}
	}
	return map[string]Value{key: v}, nil
}

func mergeSources(v Value) []map[string]Value {
	switch x := v.(type) {
	case map[string]Value:
		return []map[string]Value{x}
	case []Value:
		var out []map[string]Value
		for _, it := range x {
			if m, ok := it.(map[string]Value); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}
