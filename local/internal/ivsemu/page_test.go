package ivsemu

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageNeverSkipsItemsThatExistThroughout pages through a list with
// pages of 2 while items are deleted or created between calls: every item
// present from the first call to the last is listed exactly once.
func TestPageNeverSkipsItemsThatExistThroughout(t *testing.T) {
	byName := func(_ int, s string) string { return s }
	tests := []struct {
		name string
		// change is applied to the stored list before page n (n ≥ 1).
		change func(n int, items []string) []string
		stable []string // items that exist throughout
	}{
		{"nothing changes", func(_ int, items []string) []string { return items },
			[]string{"a", "b", "c", "d", "e", "f", "g"}},
		{"the items already listed are deleted", func(n int, items []string) []string {
			return slices.DeleteFunc(items, func(s string) bool { return s < string(rune('a'+2*n)) })
		}, []string{"g"}},
		{"the last item listed is deleted", func(n int, items []string) []string {
			return slices.DeleteFunc(items, func(s string) bool { return s == string(rune('a'+2*n-1)) })
		}, []string{"a", "c", "e", "g"}},
		{"items are created before the cursor", func(n int, items []string) []string {
			return append(items, "0"+string(rune('a'+n)))
		}, []string{"a", "b", "c", "d", "e", "f", "g"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items := []string{"g", "f", "e", "d", "c", "b", "a"} // any stored order
			var seen []string
			var token *string
			for n := 0; ; n++ {
				require.Less(t, n, 20, "paging does not end")
				if n > 0 {
					items = tc.change(n, items)
				}
				two := 2
				out, next, err := page(items, byName, token, &two, 50)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(out), 2)
				seen = append(seen, out...)
				if next == nil {
					break
				}
				token = next
			}
			for _, s := range tc.stable {
				n := 0
				for _, got := range seen {
					if got == s {
						n++
					}
				}
				assert.Equal(t, 1, n, "%s is listed once: %v", s, seen)
			}
		})
	}
}

func TestPageOrderAndTokens(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	times := []*Time{{t0.Add(time.Second)}, {t0}, {t0.Add(2 * time.Second)}, nil}
	newest := func(_ int, tm *Time) string { return descTime(tm) }
	out, next, err := page(times, newest, nil, nil, 50)
	require.NoError(t, err)
	assert.Nil(t, next)
	assert.Equal(t, []*Time{times[2], times[0], times[1], nil}, out, "newest first, no time last")

	oldest := func(_ int, tm *Time) string { return ascTime(tm) }
	out, _, err = page(times, oldest, nil, nil, 50)
	require.NoError(t, err)
	assert.Equal(t, []*Time{nil, times[1], times[0], times[2]}, out)

	empty, next, err := page([]string{}, func(_ int, s string) string { return s }, nil, nil, 50)
	require.NoError(t, err)
	assert.NotNil(t, empty, "an empty page is a list, not null")
	assert.Nil(t, next)

	for _, bad := range []string{"%%%", "b2Zmc2V0OjI", ""} { // not base64, "offset:2" (old form)
		_, _, err := page([]string{"a"}, func(_ int, s string) string { return s }, &bad, nil, 50)
		if bad == "" {
			assert.NoError(t, err, "an empty token is the first page")
			continue
		}
		assert.ErrorContains(t, err, "nextToken is invalid", bad)
	}
}
