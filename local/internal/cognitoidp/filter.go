package cognitoidp

import (
	"strings"
)

// userFilter is a parsed ListUsers Filter: `attribute = "value"` (exact) or
// `attribute ^= "value"` (prefix).
type userFilter struct {
	Attr   string
	Prefix bool
	Value  string
}

// searchable reports whether ListUsers can filter on attr.
func searchable(attr string) bool {
	switch attr {
	case "username", "email", "phone_number", "name", "given_name", "family_name",
		"preferred_username", "cognito:user_status", "status", "sub":
		return true
	}
	return false
}

func parseFilter(src string) (*userFilter, *apiError) {
	src = strings.TrimSpace(src)
	if src == "" {
		return nil, nil
	}
	parseErr := invalidParameter("Error while parsing filter.")
	i := strings.IndexAny(src, "^=")
	if i <= 0 {
		return nil, parseErr
	}
	f := &userFilter{Attr: strings.TrimSpace(src[:i])}
	rest := src[i:]
	switch {
	case strings.HasPrefix(rest, "^="):
		f.Prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return nil, parseErr
	}
	if f.Attr == "" || strings.ContainsAny(f.Attr, " \t\"") {
		return nil, parseErr
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return nil, parseErr
	}
	var b strings.Builder
	body := rest[1 : len(rest)-1]
	for j := 0; j < len(body); j++ {
		c := body[j]
		switch {
		case c == '\\' && j+1 < len(body):
			j++
			b.WriteByte(body[j])
		case c == '"':
			return nil, parseErr
		default:
			b.WriteByte(c)
		}
	}
	f.Value = b.String()
	if !searchable(f.Attr) {
		return nil, invalidParameter("Invalid search attribute: %s", f.Attr)
	}
	return f, nil
}

// matches reports whether u passes the filter. Usernames, emails and
// preferred usernames compare without case in case-insensitive pools.
func (f *userFilter) matches(u *userRecord, caseSensitive bool) bool {
	if f == nil {
		return true
	}
	var have string
	fold := !caseSensitive
	switch f.Attr {
	case "username":
		have = u.Username
	case "sub":
		have, fold = u.Sub, false
	case "cognito:user_status":
		have, fold = u.Status, true
	case "status":
		have, fold = "Enabled", true
		if !u.Enabled {
			have = "Disabled"
		}
	case "email", "preferred_username":
		have = u.Attributes[f.Attr]
	default:
		have, fold = u.Attributes[f.Attr], false
	}
	want := f.Value
	if fold {
		have, want = strings.ToLower(have), strings.ToLower(want)
	}
	if f.Prefix {
		return strings.HasPrefix(have, want)
	}
	return have == want
}
