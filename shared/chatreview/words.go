package chatreview

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of an owner's blocked words (the "blockedWords" preference).
const (
	MaxBlockedWords      = 100
	MaxBlockedWordLength = 50 // characters (code points), after trimming
)

// words splits s into lower-case words: runs of letters, digits and
// combining marks. Everything else (spaces, punctuation, symbols, emoji)
// separates words, so "Heck!" holds the word "heck" and "heckle" does not.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
}

// NormalizeBlockedWords validates an owner's blocked words and returns them
// as stored: trimmed, inner spaces collapsed, duplicates (in any case)
// dropped, in the order given. An entry is a word or a phrase of words; it
// must hold a letter or digit (an entry of punctuation alone could never
// match a whole word). The error's text is safe to show.
func NormalizeBlockedWords(in []string) ([]string, error) {
	if len(in) > MaxBlockedWords {
		return nil, fmt.Errorf("at most %d blocked words", MaxBlockedWords)
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, w := range in {
		w = strings.Join(strings.Fields(w), " ")
		switch {
		case w == "":
			return nil, fmt.Errorf("a blocked word is empty")
		case utf8.RuneCountInString(w) > MaxBlockedWordLength:
			return nil, fmt.Errorf("a blocked word is longer than %d characters", MaxBlockedWordLength)
		case strings.IndexFunc(w, unicode.IsControl) >= 0:
			return nil, fmt.Errorf("a blocked word holds a control character")
		case len(words(w)) == 0:
			return nil, fmt.Errorf("%q holds no letter or digit", w)
		}
		k := strings.Join(words(w), " ")
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out, nil
}

// blockedWord returns the first entry of blocked found in content as whole
// words, ignoring case: the entry's words appear in content one after the
// other ("heck no" is in "Heck, no!" but not in "heckno"). "" if none.
func blockedWord(content string, blocked []string) string {
	if len(blocked) == 0 {
		return ""
	}
	msg := words(content)
	for _, entry := range blocked {
		want := words(entry)
		if len(want) == 0 || len(want) > len(msg) {
			continue
		}
		for i := 0; i+len(want) <= len(msg); i++ {
			if equal(msg[i:i+len(want)], want) {
				return entry
			}
		}
	}
	return ""
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
