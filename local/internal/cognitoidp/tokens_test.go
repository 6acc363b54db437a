package cognitoidp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/jwtauth"
	"github.com/onair/onair/shared/onair"
)

func TestTokensVerifyWithJWTAuth(t *testing.T) {
	e := newEnv(t)
	out := e.register("sam", "sam@example.com")
	auth := e.mustSignIn("sam", testPassword)
	ctx := e.ctx()

	v := jwtauth.New(jwtauth.Config{Issuer: e.svc.Issuer(), ClientID: testClient})
	caller, err := v.Verify(ctx, aws.ToString(auth.AccessToken))
	require.NoError(t, err)
	assert.Equal(t, onair.Caller{Sub: aws.ToString(out.UserSub), Username: "sam"}, caller)

	idClaims, err := v.Claims(ctx, "Bearer "+aws.ToString(auth.IdToken))
	require.NoError(t, err)
	assert.Equal(t, "id", idClaims["token_use"])
	assert.Equal(t, "sam", idClaims["cognito:username"])
	assert.Equal(t, "true", idClaims["email_verified"])

	other := jwtauth.New(jwtauth.Config{Issuer: e.svc.Issuer(), ClientID: "someotherclient"})
	_, err = other.Verify(ctx, aws.ToString(auth.AccessToken))
	require.Error(t, err)
	wrongIssuer := jwtauth.New(jwtauth.Config{Issuer: e.svc.Issuer() + "x", JWKSURL: e.svc.JWKSURL(), ClientID: testClient})
	_, err = wrongIssuer.Verify(ctx, aws.ToString(auth.AccessToken))
	require.Error(t, err)

	inProcess := jwtauth.NewWithKeyfunc(jwtauth.Config{Issuer: e.svc.Issuer(), ClientID: testClient}, e.svc.Keyfunc())
	_, err = inProcess.Verify(ctx, aws.ToString(auth.AccessToken))
	require.NoError(t, err)
}

func TestTokenClaims(t *testing.T) {
	e := newEnv(t)
	out := e.register("tina", "tina@example.com")
	before := e.clock.Now()
	auth := e.mustSignIn("tina", testPassword)
	sub := aws.ToString(out.UserSub)
	issuer := e.srv.URL + "/" + testPool
	assert.Equal(t, issuer, e.svc.Issuer())

	for _, tok := range []string{aws.ToString(auth.AccessToken), aws.ToString(auth.IdToken)} {
		h := jwtHeader(t, tok)
		assert.Equal(t, map[string]any{"alg": "RS256", "kid": h["kid"]}, h, "Cognito's header has kid and alg only")
	}

	ac := jwtClaims(t, aws.ToString(auth.AccessToken))
	assert.ElementsMatch(t, []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp", "iat", "jti", "username"},
		slices.Collect(maps.Keys(ac)))
	assert.Equal(t, sub, ac["sub"])
	assert.Equal(t, issuer, ac["iss"])
	assert.Equal(t, testClient, ac["client_id"])
	assert.Equal(t, "access", ac["token_use"])
	assert.Equal(t, "aws.cognito.signin.user.admin", ac["scope"])
	assert.Equal(t, "tina", ac["username"])
	assert.Equal(t, float64(before.Unix()), ac["auth_time"])
	assert.Equal(t, float64(before.Unix()), ac["iat"])
	assert.Equal(t, float64(before.Add(time.Hour).Unix()), ac["exp"])

	ic := jwtClaims(t, aws.ToString(auth.IdToken))
	assert.ElementsMatch(t, []string{"sub", "email_verified", "iss", "cognito:username", "origin_jti", "aud", "event_id", "token_use", "auth_time", "exp", "iat", "jti", "email"},
		slices.Collect(maps.Keys(ic)))
	assert.Equal(t, testClient, ic["aud"])
	assert.Equal(t, "id", ic["token_use"])
	assert.Equal(t, true, ic["email_verified"])
	assert.Equal(t, "tina@example.com", ic["email"])
	assert.Equal(t, ac["origin_jti"], ic["origin_jti"])
	assert.Equal(t, ac["event_id"], ic["event_id"])
	assert.NotEqual(t, ac["jti"], ic["jti"])

	// Refreshed tokens keep the sign-in's auth_time and origin_jti.
	e.clock.Advance(10 * time.Minute)
	r, err := e.refresh(aws.ToString(auth.RefreshToken))
	require.NoError(t, err)
	rc := jwtClaims(t, aws.ToString(r.AccessToken))
	assert.Equal(t, ac["auth_time"], rc["auth_time"])
	assert.Equal(t, ac["origin_jti"], rc["origin_jti"])
	assert.Equal(t, float64(e.clock.Now().Unix()), rc["iat"])
	assert.NotEqual(t, ac["jti"], rc["jti"])

	t.Run("custom lifetimes", func(t *testing.T) {
		e := newEnv(t, func(c *Config) {
			c.AccessTokenValidity, c.IDTokenValidity = 5*time.Minute, 10*time.Minute
		})
		e.register("uma", "uma@example.com")
		auth := e.mustSignIn("uma", testPassword)
		assert.Equal(t, int32(300), auth.ExpiresIn)
		now := float64(e.clock.Now().Unix())
		assert.Equal(t, now+300, jwtClaims(t, aws.ToString(auth.AccessToken))["exp"])
		assert.Equal(t, now+600, jwtClaims(t, aws.ToString(auth.IdToken))["exp"])
	})
}

func TestTokenLifetimeAndRevocation(t *testing.T) {
	t.Run("access token expires", func(t *testing.T) {
		e := newEnv(t)
		e.register("vic", "vic@example.com")
		auth := e.mustSignIn("vic", testPassword)
		e.clock.Advance(time.Hour + time.Second)
		_, err := e.getUser(aws.ToString(auth.AccessToken))
		requireAPIError(t, err, "NotAuthorizedException", "Access Token has expired")
		r, err := e.refresh(aws.ToString(auth.RefreshToken))
		require.NoError(t, err)
		_, err = e.getUser(aws.ToString(r.AccessToken))
		require.NoError(t, err)
	})

	t.Run("refresh token expires after 30 days", func(t *testing.T) {
		e := newEnv(t)
		e.register("vic", "vic@example.com")
		auth := e.mustSignIn("vic", testPassword)
		e.clock.Advance(30*24*time.Hour + time.Second)
		_, err := e.refresh(aws.ToString(auth.RefreshToken))
		requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has expired")
	})

	t.Run("RevokeToken ends one session", func(t *testing.T) {
		e := newEnv(t)
		e.register("vic", "vic@example.com")
		one := e.mustSignIn("vic", testPassword)
		two := e.mustSignIn("vic", testPassword)
		_, err := e.api.RevokeToken(e.ctx(), &cip.RevokeTokenInput{ClientId: aws.String(testClient), Token: one.RefreshToken})
		require.NoError(t, err)
		_, err = e.refresh(aws.ToString(one.RefreshToken))
		requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
		_, err = e.getUser(aws.ToString(one.AccessToken))
		requireAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
		_, err = e.getUser(aws.ToString(two.AccessToken))
		require.NoError(t, err)
		_, err = e.refresh(aws.ToString(two.RefreshToken))
		require.NoError(t, err)
		_, err = e.api.RevokeToken(e.ctx(), &cip.RevokeTokenInput{ClientId: aws.String(testClient), Token: two.AccessToken})
		requireAPIError(t, err, "UnsupportedTokenTypeException", "")
	})

	t.Run("forged and foreign tokens are invalid", func(t *testing.T) {
		e := newEnv(t)
		e.register("vic", "vic@example.com")
		auth := e.mustSignIn("vic", testPassword)
		claims := jwtClaims(t, aws.ToString(auth.AccessToken))
		other, err := rsa.GenerateKey(rand.Reader, 1024)
		require.NoError(t, err)
		forged := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
		forged.Header["kid"] = jwtHeader(t, aws.ToString(auth.AccessToken))["kid"]
		signed, err := forged.SignedString(other)
		require.NoError(t, err)
		idToken := aws.ToString(auth.IdToken)
		for name, tok := range map[string]string{"garbage": "abc", "forged": signed, "id token": idToken} {
			t.Run(name, func(t *testing.T) {
				_, err := e.getUser(tok)
				requireAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
			})
		}
	})
}

func TestWellKnown(t *testing.T) {
	e := newEnv(t)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(e.srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	resp, body := get("/" + testPool + "/.well-known/openid-configuration")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var oidc map[string]any
	require.NoError(t, json.Unmarshal(body, &oidc))
	assert.Equal(t, e.svc.Issuer(), oidc["issuer"])
	assert.Equal(t, e.srv.URL+"/"+testPool+"/.well-known/jwks.json", oidc["jwks_uri"])

	resp, body = get("/" + testPool + "/.well-known/jwks.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var jwks struct{ Keys []map[string]string }
	require.NoError(t, json.Unmarshal(body, &jwks))
	require.Len(t, jwks.Keys, 1)
	k := jwks.Keys[0]
	assert.Equal(t, "RS256", k["alg"])
	assert.Equal(t, "RSA", k["kty"])
	assert.Equal(t, "sig", k["use"])
	assert.Equal(t, "AQAB", k["e"])
	assert.NotEmpty(t, k["n"])

	e.register("wes", "wes@example.com")
	auth := e.mustSignIn("wes", testPassword)
	assert.Equal(t, k["kid"], jwtHeader(t, aws.ToString(auth.AccessToken))["kid"])

	resp, _ = get("/us-east-1_Other1234/.well-known/jwks.json")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "only this pool's documents")
}
