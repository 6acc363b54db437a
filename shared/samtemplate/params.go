package samtemplate

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParameterOverrides parses parameter overrides as `sam deploy
// --parameter-overrides` and samconfig.toml's parameter_overrides do. Each
// item holds one or more space-separated pairs, `Key=Value` or
// `ParameterKey=Key,ParameterValue=Value`; a value may be quoted ("a b" or
// 'a b', with \" inside double quotes) and may be empty. Later pairs win.
func ParameterOverrides(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range list {
		tokens, err := splitWords(item)
		if err != nil {
			return nil, fmt.Errorf("parameter overrides %q: %w", item, err)
		}
		for _, tok := range tokens {
			key, value, err := parsePair(tok)
			if err != nil {
				return nil, fmt.Errorf("parameter overrides: %w", err)
			}
			out[key] = value
		}
	}
	return out, nil
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func parsePair(tok string) (key, value string, err error) {
	if rest, ok := strings.CutPrefix(tok, "ParameterKey="); ok {
		k, v, found := strings.Cut(rest, ",ParameterValue=")
		if !found {
			return "", "", fmt.Errorf("%q: want ParameterKey=Key,ParameterValue=Value", tok)
		}
		key, value = k, v
	} else {
		k, v, found := strings.Cut(tok, "=")
		if !found {
			return "", "", fmt.Errorf("%q: want Key=Value", tok)
		}
		key, value = k, v
	}
	if !keyPattern.MatchString(key) {
		return "", "", fmt.Errorf("%q: %q is not a parameter name", tok, key)
	}
	return key, value, nil
}

// splitWords splits s on unquoted whitespace, removing the quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' && i+1 < len(runes) && (runes[i+1] == '"' || runes[i+1] == '\\') {
				i++
				cur.WriteRune(runes[i])
			} else if c == quote {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unclosed quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// ParameterValues returns every parameter's value: the override when given,
// else the default. It fails, naming every problem, on an override of an
// unknown parameter, a parameter with neither, or a value its constraints
// (AllowedValues, AllowedPattern, Min/MaxLength, Number and Min/MaxValue)
// refuse, as CloudFormation would.
func (t *Template) ParameterValues(overrides map[string]string) (map[string]string, error) {
	var errs []error
	for k := range overrides {
		if _, ok := t.Parameters[k]; !ok {
			errs = append(errs, fmt.Errorf("parameter %s is not in the template", k))
		}
	}
	values := map[string]string{}
	for _, name := range sortedKeys(t.Parameters) {
		p := t.Parameters[name]
		v, ok := overrides[name]
		if !ok {
			if !p.HasDefault {
				errs = append(errs, fmt.Errorf("parameter %s needs a value (it has no default)", name))
				continue
			}
			v = p.Default
		}
		if err := p.Check(v); err != nil {
			errs = append(errs, fmt.Errorf("parameter %s: %w", name, err))
			continue
		}
		values[name] = v
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return values, nil
}

// Check validates a value against the parameter's constraints. List
// parameters are checked item by item.
func (p Parameter) Check(v string) error {
	items := []string{v}
	if p.IsList() {
		items = nil
		for _, s := range strings.Split(v, ",") {
			items = append(items, strings.TrimSpace(s))
		}
	}
	for _, it := range items {
		if err := p.checkOne(it); err != nil {
			return err
		}
	}
	return nil
}

func (p Parameter) checkOne(v string) error {
	if len(p.AllowedValues) > 0 {
		found := false
		for _, a := range p.AllowedValues {
			if a == v {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%q is not one of %q", v, p.AllowedValues)
		}
	}
	if p.AllowedPattern != "" {
		re, err := regexp.Compile("^(?:" + p.AllowedPattern + ")$")
		if err != nil {
			return fmt.Errorf("AllowedPattern: %w", err)
		}
		if !re.MatchString(v) {
			return fmt.Errorf("%q does not match %s", v, p.AllowedPattern)
		}
	}
	if p.MinLength != nil && len(v) < *p.MinLength {
		return fmt.Errorf("%q is shorter than %d", v, *p.MinLength)
	}
	if p.MaxLength != nil && len(v) > *p.MaxLength {
		return fmt.Errorf("%q is longer than %d", v, *p.MaxLength)
	}
	if p.Type == "Number" || p.Type == "List<Number>" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		if p.MinValue != nil && f < *p.MinValue {
			return fmt.Errorf("%s is less than %v", v, *p.MinValue)
		}
		if p.MaxValue != nil && f > *p.MaxValue {
			return fmt.Errorf("%s is more than %v", v, *p.MaxValue)
		}
	}
	return nil
}
