package stack

import (
	"html"
	"regexp"
	"strings"
)

var (
	anchor  = regexp.MustCompile(`(?is)<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>`)
	breaks  = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/h[1-6]|/li|/tr)\s*/?>`)
	tags    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces  = regexp.MustCompile(`[ \t]+`)
	newline = regexp.MustCompile(`\n\s*\n+`)
)

// textOf renders an HTML email body as console text, keeping links visible
// ("Confirm Email: http://…") because they are what a developer clicks.
func textOf(body string) string {
	s := anchor.ReplaceAllString(body, "$2: $1")
	s = breaks.ReplaceAllString(s, "\n")
	s = tags.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = spaces.ReplaceAllString(s, " ")
	s = newline.ReplaceAllString(s, "\n")
	return strings.TrimSpace(s)
}
