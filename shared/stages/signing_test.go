package stages

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const testKeyArn = "arn:aws:ivs:us-east-1:111122223333:public-key/0a1b2c3d-0000-4000-8000-000000000001"

type staticKey struct{ k SigningKey }

func (s staticKey) SigningKey(context.Context) (SigningKey, error) { return s.k, nil }

func newP384(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	return k
}

func sec1PEM(t *testing.T, k *ecdsa.PrivateKey) string {
	b, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: b}))
}

func pkcs8PEM(t *testing.T, k any) string {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b}))
}

// verify checks a self-signed token's ES384 signature with pub and returns
// its header and raw payload.
func verify(t *testing.T, token string, pub *ecdsa.PublicKey) (map[string]any, map[string]any) {
	t.Helper()
	parsed, err := jwt.Parse(token, func(tk *jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES384"}), jwt.WithTimeFunc(func() time.Time { return t0 }))
	require.NoError(t, err)
	require.True(t, parsed.Valid)
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	var header, payload map[string]any
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(hb, &header))
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(pb, &payload))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	assert.Len(t, sig, 96, "ES384 signatures are r||s, 48 bytes each")
	return header, payload
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var participantIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func TestSelfSignedTokenClaimsAndSignature(t *testing.T) {
	key := newP384(t)
	signer := SelfSigner{Keys: staticKey{SigningKey{Private: key, KeyArn: testKeyArn}}, Now: func() time.Time { return t0.Add(500 * time.Millisecond) }}
	st := onair.Stage{ID: "AbCdEf123456", Arn: "arn:aws:ivs:us-east-1:111122223333:stage/AbCdEf123456", Endpoints: endpointsFor("AbCdEf123456")}

	tok, err := signer.Mint(context.Background(), st, onair.ParticipantTokenRequest{
		UserID: "sub-ann", Capabilities: []string{onair.StagePublish, onair.StageSubscribe},
		Attributes: map[string]string{"username": "Ann", "role": "host"}, Duration: time.Hour,
	})
	require.NoError(t, err)

	header, payload := verify(t, tok.Token, &key.PublicKey)
	assert.Equal(t, map[string]any{"alg": "ES384", "typ": "JWT", "kid": testKeyArn}, header)
	assert.Equal(t, []string{"attributes", "capabilities", "events_url", "exp", "iat", "jti", "resource", "topic", "user_id", "version", "whip_url"}, keys(payload),
		"exactly IVS's claim set")
	assert.EqualValues(t, t0.Unix(), payload["iat"], "whole seconds")
	assert.EqualValues(t, t0.Add(time.Hour).Unix(), payload["exp"])
	assert.Equal(t, tok.ParticipantID, payload["jti"])
	assert.Regexp(t, participantIDPattern, tok.ParticipantID)
	assert.Equal(t, "sub-ann", payload["user_id"])
	assert.Equal(t, st.Arn, payload["resource"])
	assert.Equal(t, "AbCdEf123456", payload["topic"])
	assert.Equal(t, st.Endpoints.Events, payload["events_url"])
	assert.Equal(t, st.Endpoints.Whip, payload["whip_url"])
	assert.Equal(t, map[string]any{"allow_publish": true, "allow_subscribe": true}, payload["capabilities"])
	assert.Equal(t, map[string]any{"username": "Ann", "role": "host"}, payload["attributes"])
	assert.Equal(t, "1.0", payload["version"])

	assert.Equal(t, t0.Add(time.Hour), tok.ExpirationTime)
	assert.Equal(t, "sub-ann", tok.UserID)
	assert.Equal(t, []string{"PUBLISH", "SUBSCRIBE"}, tok.Capabilities)

	// A different key does not verify it, nor does a tampered payload.
	_, err = jwt.Parse(tok.Token, func(*jwt.Token) (any, error) { return &newP384(t).PublicKey, nil }, jwt.WithTimeFunc(func() time.Time { return t0 }))
	assert.Error(t, err)
	parts := strings.Split(tok.Token, ".")
	forged, _ := json.Marshal(map[string]any{"exp": t0.Add(time.Hour).Unix(), "capabilities": map[string]bool{"allow_publish": true}})
	_, err = jwt.Parse(parts[0]+"."+base64.RawURLEncoding.EncodeToString(forged)+"."+parts[2],
		func(*jwt.Token) (any, error) { return &key.PublicKey, nil }, jwt.WithTimeFunc(func() time.Time { return t0 }))
	assert.Error(t, err)
}

func TestSelfSignedSubscribeOnlyToken(t *testing.T) {
	key := newP384(t)
	signer := SelfSigner{Keys: staticKey{SigningKey{Private: key, KeyArn: testKeyArn}}, Now: func() time.Time { return t0 }}
	st := onair.Stage{ID: "AbCdEf123456", Arn: "arn:aws:ivs:us-east-1:111122223333:stage/AbCdEf123456", Endpoints: endpointsFor("AbCdEf123456")}
	a, err := signer.Mint(context.Background(), st, onair.ParticipantTokenRequest{Capabilities: []string{onair.StageSubscribe}, Duration: 20160 * time.Minute})
	require.NoError(t, err)
	b, err := signer.Mint(context.Background(), st, onair.ParticipantTokenRequest{Capabilities: []string{onair.StageSubscribe}, Duration: time.Minute})
	require.NoError(t, err)
	_, payload := verify(t, a.Token, &key.PublicKey)
	assert.Equal(t, map[string]any{"allow_subscribe": true}, payload["capabilities"], "subscribe-only tokens set only allow_subscribe")
	assert.NotContains(t, payload, "user_id", "user_id is optional")
	assert.NotContains(t, payload, "attributes")
	assert.EqualValues(t, t0.Add(14*24*time.Hour).Unix(), payload["exp"])
	assert.NotEqual(t, a.ParticipantID, b.ParticipantID, "every token has its own participant id")

	_, err = signer.Mint(context.Background(), onair.Stage{ID: "x", Arn: st.Arn}, onair.ParticipantTokenRequest{Duration: time.Hour})
	assert.Error(t, err, "a stage without endpoints cannot be signed for")
	_, err = signer.Mint(context.Background(), st, onair.ParticipantTokenRequest{Duration: 20161 * time.Minute})
	assert.Error(t, err)
}

func TestParseSigningKey(t *testing.T) {
	key := newP384(t)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	other := "arn:aws:ivs:us-east-1:111122223333:public-key/other"
	jsonSecret, _ := json.Marshal(map[string]string{"privateKeyPem": pkcs8PEM(t, key), "publicKeyArn": testKeyArn})
	jsonNoArn, _ := json.Marshal(map[string]string{"privateKeyPem": sec1PEM(t, key)})

	cases := []struct {
		name       string
		secret     string
		defaultArn string
		wantArn    string
		wantErr    string
	}{
		{"SEC 1 PEM, ARN from env", sec1PEM(t, key), testKeyArn, testKeyArn, ""},
		{"PKCS 8 PEM", pkcs8PEM(t, key), testKeyArn, testKeyArn, ""},
		{"JSON carries its own ARN", string(jsonSecret), other, testKeyArn, ""},
		{"JSON without ARN uses env", string(jsonNoArn), other, other, ""},
		{"empty secret", "  ", testKeyArn, "", "empty"},
		{"no ARN anywhere", sec1PEM(t, key), "", "", "public key ARN"},
		{"not a public key ARN", sec1PEM(t, key), "arn:aws:ivs:us-east-1:1:stage/x", "", "public key ARN"},
		{"wrong curve", sec1PEM(t, p256), testKeyArn, "", "P-384"},
		{"not PEM", "hello", testKeyArn, "", "no PEM"},
		{"public key PEM", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", testKeyArn, "", "not a private key"},
		{"bad JSON", "{nope", testKeyArn, "", "JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseSigningKey(tc.secret, tc.defaultArn)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantArn, k.KeyArn)
			assert.True(t, k.Private.Equal(key))
		})
	}
}

// fakeSecrets caches like shared/secrets: Get answers the cached value,
// Refresh reads the stored one.
type fakeSecrets struct {
	stored    map[string]string
	cache     map[string]string
	err       error
	gets      int
	refreshes int
}

func (f *fakeSecrets) Get(_ context.Context, id string) (string, error) {
	f.gets++
	if v, ok := f.cache[id]; ok {
		return v, nil
	}
	return f.read(id)
}

func (f *fakeSecrets) Refresh(_ context.Context, id string) (string, error) {
	f.refreshes++
	return f.read(id)
}

func (f *fakeSecrets) read(id string) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	if f.cache == nil {
		f.cache = map[string]string{}
	}
	f.cache[id] = f.stored[id]
	return f.stored[id], nil
}

func TestSecretKeySource(t *testing.T) {
	key := newP384(t)
	now := t0
	sec := &fakeSecrets{err: errors.New("secretsmanager: throttled")}
	src := &SecretKeySource{Secrets: sec, SecretID: "arn:secret", DefaultKeyArn: testKeyArn, Now: func() time.Time { return now }}

	_, err := src.SigningKey(context.Background())
	require.Error(t, err)
	assert.Equal(t, onair.Unavailable, onair.ErrorCode(err))
	assert.Equal(t, TokensUnavailable, onair.ErrorType(err))
	assert.NotContains(t, onair.ErrorMessage(err), "throttled", "causes stay in the log")

	sec.err = onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", errors.New("no AWSCURRENT version"))
	_, err = src.SigningKey(context.Background())
	assert.Equal(t, TokensUnavailable, onair.ErrorType(err))
	assert.Contains(t, err.Error(), "rotate-stage-key.sh", "the log says how to set the key up")
	assert.Equal(t, 2, sec.gets, "read errors are retried at once")

	// A secret created empty: the value is cached by the secrets client.
	sec.err = nil
	sec.stored = map[string]string{"arn:secret": ""}
	_, err = src.SigningKey(context.Background())
	assert.Equal(t, TokensUnavailable, onair.ErrorType(err))

	// Set up meanwhile; within the recheck interval the failure stands,
	// without reading the secret again.
	sec.stored["arn:secret"] = sec1PEM(t, key)
	reads := sec.gets + sec.refreshes
	now = now.Add(10 * time.Second)
	_, err = src.SigningKey(context.Background())
	assert.Error(t, err)
	assert.Equal(t, reads, sec.gets+sec.refreshes)

	// After it, the secret is read past the cache.
	now = now.Add(DefaultKeyRecheck)
	k, err := src.SigningKey(context.Background())
	require.NoError(t, err)
	assert.True(t, k.Private.Equal(key))
	assert.Equal(t, 1, sec.refreshes)

	calls := sec.gets + sec.refreshes
	_, err = src.SigningKey(context.Background())
	require.NoError(t, err)
	assert.Equal(t, calls, sec.gets+sec.refreshes, "the parsed key is kept")
}

func TestSelfSigningModeEndToEnd(t *testing.T) {
	key := newP384(t)
	e := newEnv(t)
	svc, err := newService(e.store, e.ivs, SelfSigner{Keys: staticKey{SigningKey{Private: key, KeyArn: testKeyArn}}, Now: e.clock.Now},
		Config{Project: "onair-test", SigningMode: SigningSelf, TokenDuration: 30 * time.Minute}, e.clock.Now)
	require.NoError(t, err)
	e.svc = svc
	st := e.open(t, e.ann, true)

	iss, _, err := e.svc.IssueToken(e.ctx(), st.ID, nil, "")
	require.NoError(t, err)
	_, payload := verify(t, iss.Token.Token, &key.PublicKey)
	assert.Equal(t, st.Arn, payload["resource"])
	assert.Equal(t, iss.Token.UserID, payload["user_id"])
	assert.Equal(t, map[string]any{"role": "viewer"}, payload["attributes"])
	assert.EqualValues(t, t0.Add(30*time.Minute).Unix(), payload["exp"])
	assert.Empty(t, e.tokens.reqs, "self mode never calls CreateParticipantToken")
	assert.NotContains(t, e.logs.String(), iss.Token.Token)

	// A record without endpoints gets them from IVS once.
	_, err = e.store.UpdateStage(e.ctx(), st.ID, func(s *onair.Stage) error { s.Endpoints = onair.StageEndpoints{}; return nil })
	require.NoError(t, err)
	iss, _, err = e.svc.IssueToken(e.ctx(), st.ID, caller(e.cat), "")
	require.NoError(t, err)
	_, payload = verify(t, iss.Token.Token, &key.PublicKey)
	assert.Equal(t, endpointsFor(st.ID).Whip, payload["whip_url"])
	got, _ := e.store.stage(st.ID)
	assert.Equal(t, endpointsFor(st.ID), got.Endpoints)
}
