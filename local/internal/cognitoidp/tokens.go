package cognitoidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type signingKey struct {
	priv *rsa.PrivateKey
	kid  string
}

// loadSigningKey reads the pool's RSA key from the database, creating it on
// first start, so tokens stay valid across restarts.
func (s *Service) loadSigningKey() (*signingKey, error) {
	var der []byte
	err := s.update(func(t *txn) error {
		b := t.bucket(bucketMeta)
		if v := b.Get([]byte("signing-key")); v != nil {
			der = append([]byte(nil), v...)
			return nil
		}
		priv, err := s.cfg.generateKey()
		if err != nil {
			return err
		}
		der, err = x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return err
		}
		return b.Put([]byte("signing-key"), der)
	})
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("stored signing key is not RSA")
	}
	return &signingKey{priv: priv, kid: thumbprint(&priv.PublicKey)}, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// thumbprint is the RFC 7638 JWK thumbprint, used as a stable kid.
func thumbprint(pub *rsa.PublicKey) string {
	e := big.NewInt(int64(pub.E)).Bytes()
	doc := fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, b64(e), b64(pub.N.Bytes()))
	sum := sha256.Sum256([]byte(doc))
	return b64(sum[:])
}

type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// JWKS returns the pool's JSON Web Key Set, as served at JWKSURL.
func (s *Service) JWKS() []byte {
	pub := &s.keys.priv.PublicKey
	doc := map[string][]jwk{"keys": {{
		Alg: "RS256", E: b64(big.NewInt(int64(pub.E)).Bytes()), Kid: s.keys.kid, Kty: "RSA", N: b64(pub.N.Bytes()), Use: "sig",
	}}}
	data, _ := json.Marshal(doc)
	return data
}

// Keyfunc returns the pool's public key for verifying its tokens in process
// (jwtauth.NewWithKeyfunc).
func (s *Service) Keyfunc() jwt.Keyfunc {
	pub := &s.keys.priv.PublicKey
	kid := s.keys.kid
	return func(t *jwt.Token) (any, error) {
		if k, _ := t.Header["kid"].(string); k != kid {
			return nil, fmt.Errorf("unknown kid %q", k)
		}
		return pub, nil
	}
}

func (s *Service) openIDConfiguration() []byte {
	doc := map[string]any{
		"issuer":                                s.Issuer(),
		"jwks_uri":                              s.JWKSURL(),
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"subject_types_supported":               []string{"public"},
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "email", "email_verified", "preferred_username", "cognito:username"},
	}
	data, _ := json.Marshal(doc)
	return data
}

// wellKnown recognizes /<poolId>/.well-known/{jwks.json,openid-configuration}
// (under any path prefix the issuer URL may have).
func (s *Service) wellKnown(path string) (string, bool) {
	for _, doc := range []string{"jwks.json", "openid-configuration"} {
		if strings.HasSuffix(path, "/"+s.cfg.PoolID+"/.well-known/"+doc) {
			return doc, true
		}
	}
	return "", false
}

func (s *Service) serveWellKnown(w http.ResponseWriter, doc string) {
	var data []byte
	if doc == "jwks.json" {
		data = s.JWKS()
	} else {
		data = s.openIDConfiguration()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(data)
}

// signIn describes the authentication a session came from; its tokens
// carry it (origin_jti, event_id, auth_time) across refreshes.
type signIn struct {
	OriginJTI string
	EventID   string
	AuthTime  time.Time
}

func (s *Service) sign(claims jwt.MapClaims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	// Cognito's header is {"kid","alg"} with no "typ".
	delete(tok.Header, "typ")
	tok.Header["kid"] = s.keys.kid
	return tok.SignedString(s.keys.priv)
}

// mintTokens signs an access and an ID token for u with Cognito's claims.
func (s *Service) mintTokens(u *userRecord, si signIn) (access, id string, err error) {
	now := s.cfg.Now()
	common := func(validity time.Duration) jwt.MapClaims {
		return jwt.MapClaims{
			"sub":        u.Sub,
			"iss":        s.Issuer(),
			"origin_jti": si.OriginJTI,
			"event_id":   si.EventID,
			"auth_time":  si.AuthTime.Unix(),
			"iat":        now.Unix(),
			"exp":        now.Add(validity).Unix(),
			"jti":        newUUID(),
		}
	}
	ac := common(s.cfg.AccessTokenValidity)
	ac["token_use"] = "access"
	ac["scope"] = "aws.cognito.signin.user.admin"
	ac["client_id"] = s.cfg.ClientID
	ac["username"] = u.Username
	if access, err = s.sign(ac); err != nil {
		return "", "", err
	}
	ic := common(s.cfg.IDTokenValidity)
	ic["token_use"] = "id"
	ic["aud"] = s.cfg.ClientID
	ic["cognito:username"] = u.Username
	for name, v := range u.Attributes {
		if !s.cfg.canRead(name) {
			continue
		}
		switch name {
		case "email_verified", "phone_number_verified":
			ic[name] = v == "true"
		default:
			ic[name] = v
		}
	}
	if id, err = s.sign(ic); err != nil {
		return "", "", err
	}
	return access, id, nil
}

// accessClaims are the parts of a verified access token the API uses.
type accessClaims struct {
	Sub       string
	OriginJTI string
	Username  string
}

// parseAccessToken verifies an access token of this pool and client.
func (s *Service) parseAccessToken(raw string) (*accessClaims, *apiError) {
	invalid := notAuthorized("Invalid Access Token")
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, s.Keyfunc(),
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithTimeFunc(s.cfg.Now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(s.Issuer()),
	)
	if errors.Is(err, jwt.ErrTokenExpired) {
		return nil, notAuthorized("Access Token has expired")
	}
	if err != nil {
		return nil, invalid
	}
	str := func(k string) string { v, _ := claims[k].(string); return v }
	if str("token_use") != "access" || str("client_id") != s.cfg.ClientID || str("sub") == "" || str("origin_jti") == "" {
		return nil, invalid
	}
	return &accessClaims{Sub: str("sub"), OriginJTI: str("origin_jti"), Username: str("username")}, nil
}

// newRefreshToken returns an opaque refresh token and the hash stored for it.
func newRefreshToken() (token, hash string) {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	token = b64(b)
	return token, hashRefresh(token)
}

func hashRefresh(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
