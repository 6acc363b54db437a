package devcert

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadCreatesThenReuses(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	c1, err := Load(dir, now)
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, Dir, CAFile))
	assert.Equal(t, filepath.Join(dir, Dir, CAFile), c1.CAPath)
	assert.ElementsMatch(t, []string{"localhost"}, c1.Leaf.DNSNames)
	require.Len(t, c1.Leaf.IPAddresses, 2)
	assert.True(t, c1.Leaf.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")))
	require.NoError(t, c1.Leaf.CheckSignatureFrom(c1.CA))

	info, err := os.Stat(filepath.Join(dir, Dir, CAKey))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the CA key is private")

	c2, err := Load(dir, now.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, c1.CA.Raw, c2.CA.Raw, "the CA is reused (a trusted CA stays trusted)")
	assert.Equal(t, c1.Leaf.Raw, c2.Leaf.Raw, "the leaf is reused while valid")

	// Near expiry the leaf is reissued by the same CA.
	c3, err := Load(dir, c1.Leaf.NotAfter.Add(-24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, c1.CA.Raw, c3.CA.Raw)
	assert.NotEqual(t, c1.Leaf.Raw, c3.Leaf.Raw)
}

func TestTLSServerTrustedThroughCA(t *testing.T) {
	c, err := Load(t.TempDir(), time.Now())
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.TLS = c.TLSConfig()
	srv.StartTLS()
	defer srv.Close()

	for _, host := range []string{"127.0.0.1", "localhost"} {
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: c.ClientTLSConfig()}}
		resp, err := client.Get("https://" + net.JoinHostPort(host, port) + "/")
		require.NoError(t, err, host)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, "ok", string(body))
	}

	// Without the CA the certificate is not trusted.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}
	_, err = client.Get(srv.URL)
	require.Error(t, err)
}

func TestCorruptCAIsReported(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, Dir), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, Dir, CAFile), []byte("junk"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, Dir, CAKey), []byte("junk"), 0o600))
	_, err := Load(dir, time.Now())
	require.ErrorContains(t, err, "start over")
}
