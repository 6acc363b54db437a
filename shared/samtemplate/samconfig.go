package samtemplate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SamConfigOverrides returns the parameter_overrides that `sam deploy
// --config-env env` would use from samconfig.toml: those of
// [env.deploy.parameters], else of [env.global.parameters]. Pass the result
// to ParameterOverrides. A missing environment is an error; an environment
// without overrides gives none.
//
// It reads the subset of TOML that samconfig files use: [a.b.c] tables and
// key = value with strings, booleans, numbers and arrays of strings.
func SamConfigOverrides(data []byte, env string) ([]string, error) {
	tables, err := parseSamConfig(string(data))
	if err != nil {
		return nil, fmt.Errorf("samconfig: %w", err)
	}
	found := false
	for name := range tables {
		if strings.HasPrefix(name, env+".") {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("samconfig: no environment %q", env)
	}
	for _, section := range []string{env + ".deploy.parameters", env + ".global.parameters"} {
		v, ok := tables[section]["parameter_overrides"]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			return []string{x}, nil
		case []string:
			return x, nil
		default:
			return nil, fmt.Errorf("samconfig: [%s] parameter_overrides must be a string or an array of strings", section)
		}
	}
	return nil, nil
}

// parseSamConfig returns table name → key → value (string, bool, int64,
// float64 or []string).
func parseSamConfig(s string) (map[string]map[string]any, error) {
	tables := map[string]map[string]any{"": {}}
	current := ""
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(stripComment(lines[i]))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") || strings.HasPrefix(line, "[[") {
				return nil, fmt.Errorf("line %d: unsupported table header %q", i+1, line)
			}
			current = strings.TrimSpace(line[1 : len(line)-1])
			parts := strings.Split(current, ".")
			for j := range parts {
				parts[j] = strings.Trim(strings.TrimSpace(parts[j]), `"`)
			}
			current = strings.Join(parts, ".")
			if tables[current] == nil {
				tables[current] = map[string]any{}
			}
			continue
		}
		key, raw, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", i+1)
		}
		key = strings.Trim(strings.TrimSpace(key), `"`)
		raw = strings.TrimSpace(raw)
		// Arrays may span lines: gather until the brackets balance.
		start := i
		for strings.HasPrefix(raw, "[") && !arrayClosed(raw) {
			i++
			if i >= len(lines) {
				return nil, fmt.Errorf("line %d: unclosed array", start+1)
			}
			raw += " " + strings.TrimSpace(stripComment(lines[i]))
		}
		v, err := parseTOMLValue(raw)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", start+1, key, err)
		}
		tables[current][key] = v
	}
	return tables, nil
}

// stripComment drops a # comment that is outside quotes.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++ // an escaped character never closes the string
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return line[:i]
		}
	}
	return line
}

func arrayClosed(raw string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		}
	}
	return depth == 0
}

func parseTOMLValue(raw string) (any, error) {
	switch {
	case strings.HasPrefix(raw, "["):
		var items []string
		rest := strings.TrimSpace(raw[1:])
		for {
			rest = strings.TrimSpace(rest)
			if strings.HasPrefix(rest, "]") {
				if strings.TrimSpace(rest[1:]) != "" {
					return nil, errors.New("text after the array")
				}
				return items, nil
			}
			s, n, err := parseTOMLString(rest)
			if err != nil {
				return nil, err
			}
			items = append(items, s)
			rest = strings.TrimSpace(rest[n:])
			rest = strings.TrimPrefix(rest, ",")
		}
	case strings.HasPrefix(raw, `"`) || strings.HasPrefix(raw, "'"):
		s, n, err := parseTOMLString(raw)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(raw[n:]) != "" {
			return nil, errors.New("text after the string")
		}
		return s, nil
	case raw == "true" || raw == "false":
		return raw == "true", nil
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(raw, 64); err == nil {
		return f, nil
	}
	return nil, fmt.Errorf("unsupported value %q", raw)
}

// parseTOMLString reads a basic ("...") or literal ('...') string at the
// start of s and returns it and the number of bytes read.
func parseTOMLString(s string) (string, int, error) {
	if s == "" {
		return "", 0, errors.New("missing value")
	}
	q := s[0]
	if q != '"' && q != '\'' {
		return "", 0, fmt.Errorf("want a string, got %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == q {
			return b.String(), i + 1, nil
		}
		if c == '\\' && q == '"' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '"', '\\':
				b.WriteByte(s[i])
			default:
				return "", 0, fmt.Errorf("unsupported escape \\%c", s[i])
			}
			continue
		}
		b.WriteByte(c)
	}
	return "", 0, errors.New("unclosed string")
}
