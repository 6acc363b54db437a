package streams

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/onair/onair/shared/onair"
)

// SecretSource returns the secret that page-token keys are derived from
// (the PAGINATION_KEY_SECRET_ARN secret in Secrets Manager).
type SecretSource func(ctx context.Context) (string, error)

// minSecretLength rejects a secret too short to be a key (a misconfigured
// stack), rather than silently using a weak one.
const minSecretLength = 32

// PageTokens turns store cursors into opaque, tamper-proof page tokens:
// AES-256-GCM with a key derived (HKDF-SHA256) from a secret of the stack,
// bound to a scope (the channel) as additional data, so a token can neither
// be read, forged, altered, nor replayed against another channel. The key is
// fetched on first use and kept for the life of the execution environment.
type PageTokens struct {
	secret SecretSource

	mu   sync.Mutex
	aead cipher.AEAD
}

// NewPageTokens returns tokens keyed by the secret from src.
func NewPageTokens(src SecretSource) *PageTokens { return &PageTokens{secret: src} }

func (p *PageTokens) cipher(ctx context.Context) (cipher.AEAD, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aead != nil {
		return p.aead, nil
	}
	secret, err := p.secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("pagination key: %w", err)
	}
	if len(secret) < minSecretLength {
		return nil, fmt.Errorf("pagination key: the secret has %d characters, at least %d are needed", len(secret), minSecretLength)
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "onair page token v1", 32)
	if err != nil {
		return nil, fmt.Errorf("pagination key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pagination key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pagination key: %w", err)
	}
	p.aead = aead
	return aead, nil
}

// Seal returns the token for cursor in scope ("" for an empty cursor: there
// is no next page).
func (p *PageTokens) Seal(ctx context.Context, scope, cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	aead, err := p.cipher(ctx)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(cursor)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("page token nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, []byte(cursor), []byte(scope))
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// errBadToken is the client's error for any token that does not open.
func errBadToken() error {
	return onair.Errorf(onair.Invalid, "InvalidNextTokenException", "The nextToken is not valid; start again from the first page.")
}

// Open returns the cursor in token ("" for an empty token: the first page).
// A token that was altered, forged or sealed for another scope is an Invalid
// error.
func (p *PageTokens) Open(ctx context.Context, scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", errBadToken()
	}
	aead, err := p.cipher(ctx)
	if err != nil {
		return "", err
	}
	if len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", errBadToken()
	}
	nonce, sealed := raw[:aead.NonceSize()], raw[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, []byte(scope))
	if err != nil || len(plain) == 0 {
		return "", errBadToken()
	}
	return string(plain), nil
}
