package cognitoidp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidatesConfig(t *testing.T) {
	base := func(t *testing.T) Config {
		return Config{DataDir: t.TempDir(), PoolID: testPool, ClientID: testClient, generateKey: sharedKey}
	}
	cases := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no data dir", func(c *Config) { c.DataDir = "" }, "DataDir is required"},
		{"bad pool id", func(c *Config) { c.PoolID = "nopool" }, `PoolID "nopool"`},
		{"bad client id", func(c *Config) { c.ClientID = "a b" }, `ClientID "a b"`},
		{"triggers without invoker", func(c *Config) { c.Triggers = map[string]string{TriggerPreSignUp: "Fn"} }, "Invoker is nil"},
		{"phone verification", func(c *Config) { c.AutoVerifiedAttributes = []string{"phone_number"} }, "only email delivery is emulated"},
		{"bad alias", func(c *Config) { c.AliasAttributes = []string{"nickname"} }, `alias attribute "nickname"`},
		{"template without code", func(c *Config) { c.VerificationEmailMessage = "hello" }, "must contain {####}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base(t)
			tc.mod(&cfg)
			_, err := New(cfg)
			require.ErrorContains(t, err, tc.want)
		})
	}

	t.Run("defaults", func(t *testing.T) {
		s, err := New(base(t))
		require.NoError(t, err)
		defer s.Close()
		assert.Equal(t, "us-east-1", s.cfg.Region)
		assert.Equal(t, "http://127.0.0.1:4566/"+testPool, s.Issuer())
		assert.Equal(t, "http://127.0.0.1:4566/"+testPool+"/.well-known/jwks.json", s.JWKSURL())
		assert.Equal(t, defaultPasswordPolicy(), s.cfg.PasswordPolicy)
		assert.Equal(t, time.Hour, s.cfg.AccessTokenValidity)
		assert.Equal(t, time.Hour, s.cfg.IDTokenValidity)
		assert.Equal(t, 30*24*time.Hour, s.cfg.RefreshTokenValidity)
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("Passw0rd!", 1000)
	require.NoError(t, err)
	assert.NotContains(t, h, "Passw0rd!")
	assert.True(t, passwordMatches(h, "Passw0rd!"))
	assert.False(t, passwordMatches(h, "passw0rd!"))
	h2, err := hashPassword("Passw0rd!", 1000)
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "salted")
	assert.False(t, passwordMatches("garbage", "Passw0rd!"))
}
