package stages

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/onair/onair/shared/onair"
)

// Signing modes (STAGE_TOKEN_SIGNING).
const (
	SigningAPI  = "api"
	SigningSelf = "self"
)

// TokenAPI is IVS's CreateParticipantToken (shared/ivsrealtime).
type TokenAPI interface {
	CreateParticipantToken(ctx context.Context, req onair.ParticipantTokenRequest) (onair.ParticipantToken, error)
}

// APIMinter mints tokens with IVS CreateParticipantToken: no key to manage,
// but every token is an IVS call under its 50 TPS account quota.
type APIMinter struct {
	API TokenAPI
}

// Mint implements Minter.
func (m APIMinter) Mint(ctx context.Context, st onair.Stage, req onair.ParticipantTokenRequest) (onair.ParticipantToken, error) {
	req.StageArn = st.Arn
	return m.API.CreateParticipantToken(ctx, req)
}

// SigningKey is the private half of a key pair whose public half is imported
// into IVS (ImportPublicKey) under KeyArn.
type SigningKey struct {
	Private *ecdsa.PrivateKey
	KeyArn  string
}

// KeySource returns the current signing key.
type KeySource interface {
	SigningKey(ctx context.Context) (SigningKey, error)
}

// SelfSigner mints tokens itself: ES384 JWTs with the claim set IVS
// specifies for self-signed participant tokens. No IVS call, so no quota, and
// it works offline; the price is a key pair to keep and rotate.
type SelfSigner struct {
	Keys KeySource
	Now  func() time.Time
}

// Capabilities claim of a participant token. A subscribe-only token carries
// only allow_subscribe, as IVS's own tokens do.
type Capabilities struct {
	AllowPublish   bool `json:"allow_publish,omitempty"`
	AllowSubscribe bool `json:"allow_subscribe,omitempty"`
}

// Claims is the payload of a self-signed participant token: exactly the
// claims IVS documents (exp, iat, jti, user_id, resource, topic, events_url,
// whip_url, capabilities, attributes, version).
type Claims struct {
	jwt.RegisteredClaims                   // exp, iat, jti only; the others stay empty
	UserID               string            `json:"user_id,omitempty"`
	Resource             string            `json:"resource"`
	Topic                string            `json:"topic"`
	EventsURL            string            `json:"events_url"`
	WhipURL              string            `json:"whip_url"`
	Capabilities         Capabilities      `json:"capabilities"`
	Attributes           map[string]string `json:"attributes,omitempty"`
	Version              string            `json:"version"`
}

// Mint implements Minter.
func (s SelfSigner) Mint(ctx context.Context, st onair.Stage, req onair.ParticipantTokenRequest) (onair.ParticipantToken, error) {
	if st.Endpoints.Events == "" || st.Endpoints.Whip == "" {
		return onair.ParticipantToken{}, onair.Wrap(onair.Internal, "", "",
			fmt.Errorf("stage %s has no endpoints to put in a self-signed token", st.ID))
	}
	key, err := s.Keys.SigningKey(ctx)
	if err != nil {
		return onair.ParticipantToken{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if req.Duration <= 0 || req.Duration > MaxTokenDuration {
		return onair.ParticipantToken{}, onair.Wrap(onair.Internal, "", "",
			fmt.Errorf("token duration %v is outside IVS's limits", req.Duration))
	}
	// Whole seconds: the claims are integer Unix times.
	iat := now().UTC().Truncate(time.Second)
	exp := iat.Add(req.Duration)
	pid := randomID()
	caps := Capabilities{}
	for _, c := range req.Capabilities {
		switch c {
		case onair.StagePublish:
			caps.AllowPublish = true
		case onair.StageSubscribe:
			caps.AllowSubscribe = true
		}
	}
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(iat),
			ID:        pid,
		},
		UserID:       req.UserID,
		Resource:     st.Arn,
		Topic:        onair.ResourceID(st.Arn),
		EventsURL:    st.Endpoints.Events,
		WhipURL:      st.Endpoints.Whip,
		Capabilities: caps,
		Attributes:   req.Attributes,
		Version:      "1.0",
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES384, claims)
	t.Header["kid"] = key.KeyArn
	signed, err := t.SignedString(key.Private)
	if err != nil {
		return onair.ParticipantToken{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("sign participant token: %w", err))
	}
	return onair.ParticipantToken{
		Token:          signed,
		ParticipantID:  pid,
		UserID:         req.UserID,
		Capabilities:   append([]string(nil), req.Capabilities...),
		Attributes:     req.Attributes,
		ExpirationTime: exp,
	}, nil
}

// keyUnavailable is how key problems reach clients: a 503 that says tokens
// cannot be made right now; the cause (a deployment problem) goes to the log.
func keyUnavailable(cause error) error {
	return onair.Wrap(onair.Unavailable, TokensUnavailable, "Stage tokens cannot be issued right now.", cause)
}

// secretValue is the JSON form of the signing-key secret. It keeps the
// private key and the ARN of its imported public half together, so a
// rotation (put-secret-value) switches both at once.
type secretValue struct {
	PrivateKeyPEM string `json:"privateKeyPem"`
	PublicKeyArn  string `json:"publicKeyArn"`
}

// ParseSigningKey reads the signing-key secret: either JSON
// {"privateKeyPem": "...", "publicKeyArn": "arn:...:public-key/..."} (what
// .ci/rotate-stage-key.sh writes) or a bare PEM private key, whose public key
// ARN is then defaultKeyArn (STAGE_PUBLIC_KEY_ARN). The key must be ECDSA
// P-384, in SEC 1 ("EC PRIVATE KEY") or PKCS #8 ("PRIVATE KEY") PEM.
func ParseSigningKey(secret, defaultKeyArn string) (SigningKey, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return SigningKey{}, errors.New("the signing key secret is empty: run .ci/rotate-stage-key.sh (docs/stages.md)")
	}
	v := secretValue{PrivateKeyPEM: secret, PublicKeyArn: defaultKeyArn}
	if strings.HasPrefix(secret, "{") {
		var j secretValue
		if err := json.Unmarshal([]byte(secret), &j); err != nil {
			return SigningKey{}, fmt.Errorf("the signing key secret is not valid JSON: %w", err)
		}
		v.PrivateKeyPEM = j.PrivateKeyPEM
		if j.PublicKeyArn != "" {
			v.PublicKeyArn = j.PublicKeyArn
		}
	}
	if !strings.Contains(v.PublicKeyArn, ":public-key/") {
		return SigningKey{}, fmt.Errorf("no valid public key ARN for the signing key (got %q): set publicKeyArn in the secret or STAGE_PUBLIC_KEY_ARN", v.PublicKeyArn)
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(v.PrivateKeyPEM)))
	if block == nil {
		return SigningKey{}, errors.New("the signing key secret holds no PEM block")
	}
	var priv *ecdsa.PrivateKey
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return SigningKey{}, fmt.Errorf("parse EC private key: %w", err)
		}
		priv = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return SigningKey{}, fmt.Errorf("parse PKCS #8 private key: %w", err)
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return SigningKey{}, fmt.Errorf("the signing key is a %T, not an ECDSA key", k)
		}
		priv = ec
	default:
		return SigningKey{}, fmt.Errorf("the signing key secret holds a %q PEM block, not a private key", block.Type)
	}
	if priv.Curve != elliptic.P384() {
		return SigningKey{}, fmt.Errorf("the signing key is on %s; IVS needs P-384 (secp384r1)", priv.Curve.Params().Name)
	}
	return SigningKey{Private: priv, KeyArn: v.PublicKeyArn}, nil
}

// SecretReader reads a secret's string value (shared/secrets): Get may
// answer from a cache, Refresh always asks Secrets Manager.
type SecretReader interface {
	Get(ctx context.Context, id string) (string, error)
	Refresh(ctx context.Context, id string) (string, error)
}

// DefaultKeyRecheck bounds how often a SecretKeySource whose secret held no
// usable key reads it again.
const DefaultKeyRecheck = 30 * time.Second

// SecretKeySource loads the signing key from Secrets Manager on first use and
// keeps it for the life of the execution environment (a deployment, which
// every rotation ends with, starts new environments). A failed read is not
// kept: the next request tries again. A secret without a usable key (not set
// up yet) is read again, bypassing the secrets cache, at most every Recheck,
// so that setting the key up takes effect without a restart.
type SecretKeySource struct {
	Secrets       SecretReader
	SecretID      string
	DefaultKeyArn string
	// Recheck defaults to DefaultKeyRecheck; Now to time.Now.
	Recheck time.Duration
	Now     func() time.Time

	mu        sync.Mutex
	key       *SigningKey
	bad       error // the last value held no usable key
	checkedAt time.Time
}

// SigningKey implements KeySource.
func (k *SecretKeySource) SigningKey(ctx context.Context) (SigningKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return *k.key, nil
	}
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	recheck := k.Recheck
	if recheck <= 0 {
		recheck = DefaultKeyRecheck
	}
	read := k.Secrets.Get
	if k.bad != nil {
		if now().Sub(k.checkedAt) < recheck {
			return SigningKey{}, k.bad
		}
		read = k.Secrets.Refresh
	}
	v, err := read(ctx, k.SecretID)
	if errors.Is(err, onair.ErrNotFound) {
		// The template creates the secret without a value.
		return SigningKey{}, keyUnavailable(fmt.Errorf("the stage signing key secret %s has no value yet: run .ci/rotate-stage-key.sh (docs/stages.md): %w", k.SecretID, err))
	}
	if err != nil {
		return SigningKey{}, keyUnavailable(fmt.Errorf("read stage signing key: %w", err))
	}
	key, err := ParseSigningKey(v, k.DefaultKeyArn)
	if err != nil {
		k.bad, k.checkedAt = keyUnavailable(err), now()
		return SigningKey{}, k.bad
	}
	k.key, k.bad = &key, nil
	return key, nil
}
