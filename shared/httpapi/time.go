package httpapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// TimeLayout is the one format of times in response bodies: RFC 3339 in
// UTC, whole seconds ("2026-01-10T18:00:00Z"), as docs/api.md shows.
const TimeLayout = "2006-01-02T15:04:05Z"

// Time is a time in a response body. It marshals in TimeLayout whatever its
// location and precision (encoding/json would write time.Time with its own
// offset and nanoseconds), so every route answers in one format; it reads
// any RFC 3339 time back.
type Time struct{ time.Time }

// TimeOf wraps t for a response.
func TimeOf(t time.Time) Time { return Time{t} }

// TimeRef wraps an optional time (nil stays nil, for omitempty).
func TimeRef(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	return &Time{*t}
}

// MarshalJSON writes t in TimeLayout.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Truncate(time.Second).Format(TimeLayout) + `"`), nil
}

var (
	timeValue = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	looksTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}`)
	timeKey   = regexp.MustCompile(`^[a-z][A-Za-z0-9]*(Time|At|Since|Date)$|^(at|since|expiry)$`)
)

// BadTimes lists the time-looking fields of a JSON body that are not in
// TimeLayout, as "path: value": every string that starts like a date and
// time, and every value of a key named like a time (…Time, …At, …Since,
// …Date, since, expiry) that is not null. Tests run it over responses.
func BadTimes(body []byte) []string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil
	}
	var out []string
	var walk func(path, key string, v any)
	walk = func(path, key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), key, e)
			}
		case string:
			if (looksTime.MatchString(x) || timeKey.MatchString(key)) && !timeValue.MatchString(x) {
				out = append(out, fmt.Sprintf("%s: %q", path, x))
			}
		case nil:
		default:
			if timeKey.MatchString(key) {
				out = append(out, fmt.Sprintf("%s: %v (not a string)", path, x))
			}
		}
	}
	walk("$", "", v)
	sort.Strings(out)
	return out
}
