package profiles

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPresets(t *testing.T) {
	assert.Len(t, Avatars(), 14)
	assert.Len(t, Colors(), 7)
	cases := []struct {
		name          string
		avatar, color bool
	}{
		{"bear", true, false},
		{"jellyfish", true, false},
		{"custom", false, false},
		{"Bear", false, false},
		{"lavender", false, true},
		{"turquoise", false, true},
		{"", false, false},
		{"red", false, false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.avatar, IsPresetAvatar(tc.name), tc.name)
		assert.Equal(t, tc.color, IsColor(tc.name), tc.name)
	}
}

func TestRandomPicksArePresets(t *testing.T) {
	seenA, seenC := map[string]bool{}, map[string]bool{}
	for range 500 {
		a, c := RandomAvatar(), RandomColor()
		assert.True(t, IsPresetAvatar(a), a)
		assert.True(t, IsColor(c), c)
		seenA[a], seenC[c] = true, true
	}
	assert.Greater(t, len(seenA), 1, "random, not constant")
	assert.Greater(t, len(seenC), 1, "random, not constant")
}

func TestListsAreCopies(t *testing.T) {
	a := Avatars()
	a[0] = "changed"
	assert.Equal(t, "bear", Avatars()[0])
}
