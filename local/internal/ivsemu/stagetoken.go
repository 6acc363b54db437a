package ivsemu

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// StageTokenClaims are the claims of an IVS Real-Time participant token
// (exactly the set IVS documents for self-signed tokens; API-issued tokens
// carry the same vocabulary).
type StageTokenClaims struct {
	Exp          int64             `json:"exp"`
	Iat          int64             `json:"iat"`
	Jti          string            `json:"jti"`
	UserID       string            `json:"user_id,omitempty"`
	Resource     string            `json:"resource"`
	Topic        string            `json:"topic"`
	EventsURL    string            `json:"events_url"`
	WhipURL      string            `json:"whip_url"`
	Capabilities TokenCapabilities `json:"capabilities"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Version      string            `json:"version"`
}

// TokenCapabilities maps PUBLISH/SUBSCRIBE; false ones are omitted, as in
// IVS's tokens (a subscribe-only token has only allow_subscribe: true).
type TokenCapabilities struct {
	AllowPublish   bool `json:"allow_publish,omitempty"`
	AllowSubscribe bool `json:"allow_subscribe,omitempty"`
}

type tokenHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

const maxTokenAge = 14 * 24 * time.Hour

// loadTokenKey loads the emulator's P-384 signing key from the database, or
// creates and stores one, so tokens stay valid across restarts.
func (s *Service) loadTokenKey() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bMeta))
		der, id := b.Get([]byte("token-key")), b.Get([]byte("token-key-id"))
		if der != nil && id != nil {
			k, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				return fmt.Errorf("ivsemu: stored token key: %w", err)
			}
			key, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return fmt.Errorf("ivsemu: stored token key is not ECDSA")
			}
			s.tokenKey, s.tokenKeyArn = key, s.arn("ivs", "public-key", string(id))
			return nil
		}
		key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			return err
		}
		der, err = x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		newID := randomID(12)
		if err := b.Put([]byte("token-key"), der); err != nil {
			return err
		}
		if err := b.Put([]byte("token-key-id"), []byte(newID)); err != nil {
			return err
		}
		s.tokenKey, s.tokenKeyArn = key, s.arn("ivs", "public-key", newID)
		return nil
	})
}

// TokenKeyArn is the kid of API-issued participant tokens (the emulator's
// own key; it is not listed by ListPublicKeys, like AWS's own key).
func (s *Service) TokenKeyArn() string { return s.tokenKeyArn }

// SignStageToken signs claims as an ES384 JWT with header
// {alg: ES384, typ: JWT, kid: kid}.
func SignStageToken(key *ecdsa.PrivateKey, kid string, claims StageTokenClaims) (string, error) {
	h, err := json.Marshal(tokenHeader{Alg: "ES384", Typ: "JWT", Kid: kid})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := b64(h) + "." + b64(p)
	digest := sha512.Sum384([]byte(signing))
	r, sig, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	// JWS ECDSA signatures are R || S, each left-padded to 48 bytes.
	out := make([]byte, 96)
	r.FillBytes(out[:48])
	sig.FillBytes(out[48:])
	return signing + "." + b64(out), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// VerifyStageToken checks a participant token as IVS does when a participant
// joins: an ES384 signature by the emulator's key or by an imported public
// key (kid = its ARN), the claim set and version, exp in the future and at
// most 14 days after iat, and a stage that exists. A media plane (SFU) uses
// it to authenticate joins.
func (s *Service) VerifyStageToken(ctx context.Context, token string) (*StageTokenClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWT", ErrStageTokenInvalid)
	}
	var h tokenHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrStageTokenInvalid, err)
	}
	if h.Alg != "ES384" {
		return nil, fmt.Errorf("%w: alg must be ES384, got %q", ErrStageTokenInvalid, h.Alg)
	}
	pub, err := s.verificationKey(h.Kid)
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 96 {
		return nil, fmt.Errorf("%w: malformed signature", ErrStageTokenInvalid)
	}
	digest := sha512.Sum384([]byte(parts[0] + "." + parts[1]))
	r, sv := new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])
	if !ecdsa.Verify(pub, digest[:], r, sv) {
		return nil, fmt.Errorf("%w: bad signature", ErrStageTokenInvalid)
	}
	var c StageTokenClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrStageTokenInvalid, err)
	}
	switch {
	case c.Version != "1.0":
		return nil, fmt.Errorf("%w: version must be \"1.0\"", ErrStageTokenInvalid)
	case c.Jti == "" || len(c.Jti) > 64 || !reParticipant.MatchString(c.Jti):
		return nil, fmt.Errorf("%w: jti must be 1-64 of [A-Za-z0-9_-]", ErrStageTokenInvalid)
	case len(c.UserID) > 128:
		return nil, fmt.Errorf("%w: user_id is longer than 128 characters", ErrStageTokenInvalid)
	case c.Iat == 0 || c.Exp == 0:
		return nil, fmt.Errorf("%w: exp and iat are required", ErrStageTokenInvalid)
	case time.Unix(c.Exp, 0).Sub(time.Unix(c.Iat, 0)) > maxTokenAge:
		return nil, fmt.Errorf("%w: exp is more than 14 days after iat", ErrStageTokenInvalid)
	case !s.now().Before(time.Unix(c.Exp, 0)):
		return nil, ErrStageTokenExpired
	case !reStageArn.MatchString(c.Resource):
		return nil, fmt.Errorf("%w: resource is not a stage ARN", ErrStageTokenInvalid)
	case c.Topic != c.Resource[strings.LastIndex(c.Resource, "/")+1:]:
		return nil, fmt.Errorf("%w: topic does not match the stage id", ErrStageTokenInvalid)
	case c.EventsURL == "" || c.WhipURL == "":
		return nil, fmt.Errorf("%w: events_url and whip_url are required", ErrStageTokenInvalid)
	}
	size := 0
	for k, v := range c.Attributes {
		size += len(k) + len(v)
	}
	if size > maxTokenAttributesBytes {
		return nil, fmt.Errorf("%w: attributes exceed 1 KB", ErrStageTokenInvalid)
	}
	if _, err := s.Stage(ctx, c.Resource); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrStageNotFound, c.Resource)
	}
	return &c, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// verificationKey finds the public key named by a token's kid.
func (s *Service) verificationKey(kid string) (*ecdsa.PublicKey, error) {
	if kid == s.tokenKeyArn {
		return &s.tokenKey.PublicKey, nil
	}
	var pk PublicKey
	err := s.db.View(func(tx *bolt.Tx) error { return get(tx, bPublicKeys, kid, &pk) })
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q is not an imported public key", ErrStageTokenInvalid, kid)
	}
	key, err := parsePublicKey(pk.PublicKeyMaterial)
	if err != nil {
		return nil, fmt.Errorf("%w: public key %s: %w", ErrStageTokenInvalid, kid, err)
	}
	return key, nil
}

// parsePublicKey reads a PEM "PUBLIC KEY" that must be ECDSA P-384.
func parsePublicKey(material string) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(material[strings.Index(material, "-----BEGIN PUBLIC KEY-----"):]))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("not a PEM public key")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	ec, ok := k.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P384() {
		return nil, fmt.Errorf("the key must be an ECDSA P-384 (secp384r1) public key")
	}
	return ec, nil
}

// fingerprint is the MD5 of the DER public key, as colon-separated hex.
func fingerprint(material string) string {
	block, _ := pem.Decode([]byte(material[strings.Index(material, "-----BEGIN PUBLIC KEY-----"):]))
	sum := md5.Sum(block.Bytes)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(hexes, ":")
}
