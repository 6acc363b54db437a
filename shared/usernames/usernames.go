// Package usernames holds the rules for the public name of a user: the one in
// their channel URL (/<username>), in chat and in the directory. Sign-up (the
// Cognito triggers) and renames (PUT /channel/username/update) both check
// names here, so the two can never disagree.
package usernames

import (
	"strings"

	"github.com/onair/onair/shared/onair"
)

// Length bounds, in characters (names are ASCII, so also bytes).
const (
	MinLength = 4
	MaxLength = 20
)

// Exception names clients see in "__type".
const (
	// ReservedType: the name is taken by the product itself (a web route).
	ReservedType = "ReservedUsernameException"
	// InvalidType: the name breaks the length or character rules.
	InvalidType = "InvalidUsernameException"
)

// Sentinels for errors.Is: every error Validate returns matches exactly one.
var (
	ErrReserved = &onair.Error{Code: onair.Invalid, Type: ReservedType}
	ErrInvalid  = &onair.Error{Code: onair.Invalid, Type: InvalidType}
)

// reservedNames lists, lower-cased, the names a user may not take. A channel
// lives at /<username>, so every top-level path of the web app, the API and
// the offline stack must be here, or a user could shadow a page. The reference
// matched case-sensitively and missed routes (its §13.14); we compare
// case-insensitively. Entries with characters a username cannot contain
// (favicon.ico) stay so that the list documents every top-level path.
var reservedNames = [...]string{
	// Web app pages, including the reference's reserved names.
	"health", "manager", "following", "settings", "login", "register", "reset",
	"profile", "stages", "stage", "feed", "directory", "about", "help", "logout",
	"signup", "signin", "sign-up", "sign-in", "account", "accounts", "admin",
	"dashboard", "home", "index", "search", "explore", "live", "watch", "user",
	"users", "privacy", "terms", "legal", "contact", "support", "status",
	"verify", "confirm", "password", "forgot", "invite", "join", "collaborate",
	// API and platform paths.
	"api", "channel", "channels", "stream", "streams", "metrics", "products",
	"chat", "auth", "oauth", "callback", "static", "assets", "public", "media",
	"images", "img", "css", "js", "fonts", "docs", "_local", "_next", "local",
	"favicon.ico", "robots.txt", "sitemap.xml", "manifest.json", "index.html",
	"well-known", ".well-known",
	// Names that read as the platform speaking, or as missing values.
	"onair", "system", "root", "moderator", "staff", "official",
	"null", "undefined", "anonymous", "unknown", "everyone",
}

// Reserved returns the reserved names, lower-cased.
func Reserved() []string { return append([]string(nil), reservedNames[:]...) }

// IsReserved reports whether name is reserved, ignoring case.
func IsReserved(name string) bool {
	for _, r := range reservedNames {
		if strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

// Validate checks name against the rules: 4 to 20 characters, each an ASCII
// letter, digit, '-' or '_', at least one a letter or digit, and not reserved. The error is an onair Invalid
// error (ErrReserved or ErrInvalid) whose message tells the user what to fix.
func Validate(name string) error {
	if name == "" {
		return onair.Errorf(onair.Invalid, InvalidType, "Choose a username.")
	}
	if len(name) < MinLength || len(name) > MaxLength {
		return onair.Errorf(onair.Invalid, InvalidType,
			"A username must be %d to %d characters long.", MinLength, MaxLength)
	}
	for _, c := range name {
		if !allowed(c) {
			return onair.Errorf(onair.Invalid, InvalidType,
				"A username may contain only letters, digits, '-' and '_'.")
		}
	}
	if IsReserved(name) {
		return onair.Errorf(onair.Invalid, ReservedType, "The username %q is reserved.", name)
	}
	// "----" or "__" as a channel URL or a chat name reads as nobody.
	if !strings.ContainsFunc(name, func(c rune) bool { return c != '-' && c != '_' }) {
		return onair.Errorf(onair.Invalid, InvalidType, "A username must contain at least one letter or digit.")
	}
	return nil
}

func allowed(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// Clean keeps only the characters IVS accepts in resource names
// ([a-zA-Z0-9-_]), as the reference did for "<name>s-channel". Names that
// pass Validate come back unchanged.
func Clean(name string) string {
	var b strings.Builder
	for _, c := range name {
		if allowed(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}
