package cognitoidp

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Passwords are stored as "pbkdf2-sha256$<iterations>$<salt>$<key>" (base64
// without padding), with a random 16-byte salt per hash. The iteration count
// travels with the hash so that it can change without breaking old ones.
const hashScheme = "pbkdf2-sha256"

func hashPassword(password string, iterations int) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", hashScheme, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

func passwordMatches(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != hashScheme {
		return false
	}
	iterations, err := strconv.Atoi(parts[1])
	if err != nil || iterations <= 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iterations, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// passwordSymbols are the special characters Cognito counts as symbols.
const passwordSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// checkPasswordShape applies the API's constraint on password parameters
// (before the pool's policy): no leading or trailing whitespace, at most 256
// characters.
func checkPasswordShape(field, password string) *apiError {
	if password == "" {
		return validationErrors(nullValue(field))
	}
	if utf8.RuneCountInString(password) > 256 {
		return validationErrors(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 256", field))
	}
	first, _ := utf8.DecodeRuneInString(password)
	last, _ := utf8.DecodeLastRuneInString(password)
	if utf8.RuneCountInString(password) < 2 || unicode.IsSpace(first) || unicode.IsSpace(last) {
		return validationErrors(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$", field))
	}
	return nil
}

// checkPasswordPolicy returns Cognito's InvalidPasswordException for the
// first rule the password breaks.
func checkPasswordPolicy(p PasswordPolicy, password string) *apiError {
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	fail := func(reason string) *apiError {
		return newErr("InvalidPasswordException", "Password did not conform with policy: %s", reason)
	}
	switch {
	case utf8.RuneCountInString(password) < p.MinimumLength:
		return fail("Password not long enough")
	case p.RequireLowercase && !lower:
		return fail("Password must have lowercase characters")
	case p.RequireUppercase && !upper:
		return fail("Password must have uppercase characters")
	case p.RequireNumbers && !digit:
		return fail("Password must have numeric characters")
	case p.RequireSymbols && !symbol:
		return fail("Password must have symbol characters")
	}
	return nil
}
