package app

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Env looks up a function's environment variable ("" when unset). In Lambda
// it is os.Getenv; offline it is the function's Environment from template.yaml.
type Env func(key string) string

// String returns the value of key.
func (e Env) String(key string) string { return strings.TrimSpace(e(key)) }

// Required returns an error naming every key among keys that is unset, so a
// misconfigured function fails at start with a message that says why.
func (e Env) Required(keys ...string) error {
	var missing []string
	for _, k := range keys {
		if e.String(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing environment: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Bool is true for "true", "1" or "yes" (any case).
func (e Env) Bool(key string) bool {
	switch strings.ToLower(e.String(key)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// Int returns the integer value of key, or def when unset or malformed.
func (e Env) Int(key string, def int) int {
	n, err := strconv.Atoi(e.String(key))
	if err != nil {
		return def
	}
	return n
}

// List reads a comma-separated list, or a JSON array of strings (the
// reference's format), dropping empty items.
func (e Env) List(key string) []string {
	v := e.String(key)
	if v == "" {
		return nil
	}
	var items []string
	if strings.HasPrefix(v, "[") {
		if err := json.Unmarshal([]byte(v), &items); err != nil {
			items = nil
		}
	} else {
		items = strings.Split(v, ",")
	}
	out := items[:0]
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}
