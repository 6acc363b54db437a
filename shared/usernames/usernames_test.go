package usernames

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/onair/onair/shared/onair"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error // nil, ErrInvalid or ErrReserved
	}{
		{"plain", "alice", nil},
		{"minimum length", "abcd", nil},
		{"maximum length", strings.Repeat("a", 20), nil},
		{"digits dash underscore", "a-b_c9", nil},
		{"mixed case kept", "AliceInChains", nil},
		{"empty", "", ErrInvalid},
		{"too short", "abc", ErrInvalid},
		{"too long", strings.Repeat("a", 21), ErrInvalid},
		{"space", "ali ce", ErrInvalid},
		{"dot", "ali.ce", ErrInvalid},
		{"slash", "ali/ce", ErrInvalid},
		{"non-ascii letter", "alicé", ErrInvalid},
		{"emoji", "ali😀", ErrInvalid},
		{"reserved", "health", ErrReserved},
		{"reserved any case", "HeAlTh", ErrReserved},
		{"reserved route profile", "Profile", ErrReserved},
		{"reserved route feed", "feed", ErrReserved},
		{"reserved _local", "_local", ErrReserved},
		{"reserved settings", "SETTINGS", ErrReserved},
		{"reserved word inside a name is fine", "healthy", nil},
		{"only dashes", "----", ErrInvalid},
		{"only underscores", "______", ErrInvalid},
		{"only dashes and underscores", "-_-_", ErrInvalid},
		{"one digit among dashes", "--9--", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.in)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, onair.Invalid, onair.ErrorCode(err))
			other := ErrReserved
			if tc.want == ErrReserved {
				other = ErrInvalid
			}
			assert.False(t, errors.Is(err, other), "matches only its own sentinel")
			assert.NotEmpty(t, onair.ErrorMessage(err))
		})
	}
}

func TestReservedCoversTopLevelRoutes(t *testing.T) {
	for _, r := range []string{"health", "manager", "following", "settings", "login", "register",
		"reset", "profile", "stages", "api", "channel", "channels", "feed", "admin", "about",
		"help", "logout", "signup", "static", "assets", "favicon.ico", "robots.txt", "_local", "docs"} {
		assert.True(t, IsReserved(r), r)
		assert.True(t, IsReserved(strings.ToUpper(r)), r)
	}
	assert.False(t, IsReserved("alice"))
	for _, r := range Reserved() {
		assert.Equal(t, strings.ToLower(r), r, "list is lower-case")
	}
}

func TestReservedReturnsACopy(t *testing.T) {
	l := Reserved()
	l[0] = "alice"
	assert.False(t, IsReserved("alice"))
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"alice_b-9": "alice_b-9",
		"b.o b":     "bob",
		"al/icé😀e":  "alice",
		"...":       "",
	}
	for in, want := range cases {
		assert.Equal(t, want, Clean(in), in)
	}
}
