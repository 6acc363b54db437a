package chatreview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeBlockedWords(t *testing.T) {
	cases := []struct {
		name    string
		in      []string
		want    []string
		wantErr string
	}{
		{"none", nil, []string{}, ""},
		{"trimmed, spaces collapsed, order kept", []string{"  heck   no ", "Darn"}, []string{"heck no", "Darn"}, ""},
		{"duplicates in any case dropped", []string{"Darn", "darn", "DARN!"}, []string{"Darn"}, ""},
		{"non-Latin words", []string{"ばか", "Dummkopf"}, []string{"ばか", "Dummkopf"}, ""},
		{"empty entry", []string{"ok", "   "}, nil, "empty"},
		{"punctuation only", []string{"!!!"}, nil, "no letter or digit"},
		{"too long", []string{strings.Repeat("a", MaxBlockedWordLength+1)}, nil, "longer than 50"},
		{"as long as allowed", []string{strings.Repeat("é", MaxBlockedWordLength)}, []string{strings.Repeat("é", MaxBlockedWordLength)}, ""},
		{"control character", []string{"bad\u0007word"}, nil, "control character"},
		{"too many", func() []string {
			var w []string
			for i := range MaxBlockedWords + 1 {
				w = append(w, fmt.Sprintf("w%d", i))
			}
			return w
		}(), nil, "at most 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeBlockedWords(tc.in)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestBlockedWord(t *testing.T) {
	blocked := []string{"darn", "heck no", "f-word", "ばか"}
	cases := []struct {
		content, want string
	}{
		{"darn", "darn"},
		{"Oh DARN.", "darn"},
		{"darned", ""},
		{"undarn", ""},
		{"heck no!", "heck no"},
		{"HECK  no", "heck no"},
		{"heckno", ""},
		{"heck, yes no", ""},
		{"the f-word again", "f-word"},
		{"the f word again", "f-word"},
		{"お前はばかだ", ""}, // no word separators: not a whole word
		{"お前は ばか だ", "ばか"},
		{"😀darn😀", "darn"},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.content, func(t *testing.T) {
			assert.Equal(t, tc.want, blockedWord(tc.content, blocked))
		})
	}
	assert.Empty(t, blockedWord("darn", nil))
}
