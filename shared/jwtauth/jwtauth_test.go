package jwtauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"

func sign(t *testing.T, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func jwksServer(t *testing.T, key *rsa.PrivateKey, kid string) *httptest.Server {
	t.Helper()
	n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())
	body, _ := json.Marshal(map[string]any{"keys": []any{map[string]string{"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": n, "e": e}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	t.Cleanup(srv.Close)
	return srv
}

func TestVerify(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	srv := jwksServer(t, key, "k1")
	v := New(Config{Issuer: issuer, JWKSURL: srv.URL, ClientID: "client1"})

	now := time.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "sub-1", "username": "alice", "iss": issuer, "token_use": "access",
			"client_id": "client1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	}
	with := func(k string, val any) jwt.MapClaims { c := base(); c[k] = val; return c }

	cases := []struct {
		name  string
		token string
		ok    bool
	}{
		{"access token", sign(t, key, "k1", base()), true},
		{"bearer prefix", "Bearer " + sign(t, key, "k1", base()), true},
		{"id token", sign(t, key, "k1", jwt.MapClaims{"sub": "sub-1", "cognito:username": "alice", "iss": issuer,
			"token_use": "id", "aud": "client1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}), true},
		{"expired", sign(t, key, "k1", with("exp", now.Add(-time.Minute).Unix())), false},
		{"wrong issuer", sign(t, key, "k1", with("iss", "https://evil")), false},
		{"wrong client", sign(t, key, "k1", with("client_id", "other")), false},
		{"refresh-like token_use", sign(t, key, "k1", with("token_use", "refresh")), false},
		{"wrong key", sign(t, other, "k1", base()), false},
		{"garbage", "not-a-jwt", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tc.token)
			if !tc.ok {
				require.Error(t, err)
				assert.Equal(t, onair.Unauthorized, onair.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, onair.Caller{Sub: "sub-1", Username: "alice"}, c)
		})
	}
}

func TestStripBearer(t *testing.T) {
	assert.Equal(t, "abc", StripBearer("Bearer abc"))
	assert.Equal(t, "abc", StripBearer("bearer  abc "))
	assert.Equal(t, "abc", StripBearer("abc"))
}

func TestVerifyUsesConfiguredClock(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	srv := jwksServer(t, key, "k1")
	future := time.Now().Add(10 * time.Minute)
	claims := jwt.MapClaims{"sub": "s", "username": "u", "iss": issuer, "token_use": "access", "client_id": "c",
		"iat": future.Unix(), "exp": future.Add(time.Hour).Unix()}
	tok := sign(t, key, "k1", claims)

	_, err = New(Config{Issuer: issuer, JWKSURL: srv.URL, ClientID: "c"}).Verify(context.Background(), tok)
	assert.Error(t, err, "issued in the future by the real clock")
	_, err = New(Config{Issuer: issuer, JWKSURL: srv.URL, ClientID: "c", Now: func() time.Time { return future }}).Verify(context.Background(), tok)
	assert.NoError(t, err)
}
