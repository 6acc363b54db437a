package streams

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const testSecret = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF"

func staticSecret(s string) SecretSource {
	return func(context.Context) (string, error) { return s, nil }
}

func TestPageTokens(t *testing.T) {
	ctx := context.Background()
	p := NewPageTokens(staticSecret(testSecret))

	tok, err := p.Seal(ctx, testArn, "cursor-42")
	require.NoError(t, err)
	assert.NotContains(t, tok, "cursor-42", "the cursor is not readable in the token")
	got, err := p.Open(ctx, testArn, tok)
	require.NoError(t, err)
	assert.Equal(t, "cursor-42", got)

	again, err := p.Seal(ctx, testArn, "cursor-42")
	require.NoError(t, err)
	assert.NotEqual(t, tok, again, "tokens use a fresh nonce")

	empty, err := p.Seal(ctx, testArn, "")
	require.NoError(t, err)
	assert.Empty(t, empty, "no cursor, no token")
	first, err := p.Open(ctx, testArn, "")
	require.NoError(t, err)
	assert.Empty(t, first, "no token is the first page")

	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	raw[len(raw)-1] ^= 1
	bad := map[string]string{
		"tampered":      base64.RawURLEncoding.EncodeToString(raw),
		"other channel": "",
		"not base64":    "!!!",
		"too short":     base64.RawURLEncoding.EncodeToString([]byte("short")),
		"forged":        base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("x", 60))),
	}
	for name, token := range bad {
		t.Run(name, func(t *testing.T) {
			scope := testArn
			if name == "other channel" {
				token, scope = tok, otherArn
			}
			_, err := p.Open(ctx, scope, token)
			require.Error(t, err)
			assert.Equal(t, onair.Invalid, onair.ErrorCode(err))
			assert.Equal(t, "InvalidNextTokenException", onair.ErrorType(err))
		})
	}

	other := NewPageTokens(staticSecret(testSecret + "-rotated"))
	_, err = other.Open(ctx, testArn, tok)
	assert.Equal(t, onair.Invalid, onair.ErrorCode(err), "another key does not open the token")
}

func TestPageTokenKeyProblems(t *testing.T) {
	ctx := context.Background()
	_, err := NewPageTokens(staticSecret("short")).Seal(ctx, testArn, "c")
	require.Error(t, err)
	assert.Equal(t, onair.Internal, onair.ErrorCode(err), "a weak key is a server misconfiguration")

	calls := 0
	src := func(context.Context) (string, error) {
		calls++
		if calls == 1 {
			return "", errors.New("secrets manager down")
		}
		return testSecret, nil
	}
	p := NewPageTokens(src)
	_, err = p.Seal(ctx, testArn, "c")
	require.Error(t, err)
	_, err = p.Seal(ctx, testArn, "c")
	require.NoError(t, err, "a failed fetch is not cached")
	_, err = p.Seal(ctx, testArn, "c")
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "the key is cached once fetched")
}
