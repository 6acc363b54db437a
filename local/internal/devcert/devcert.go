// Package devcert gives the offline stack HTTPS without a public CA: on first
// use it creates a local certificate authority and a leaf certificate for
// 127.0.0.1, ::1 and localhost in the data directory, and reuses them after
// (so a CA trusted once with `make trust` stays trusted). Browsers need HTTPS
// for the web broadcast SDK's WebRTC ingest and for stage media; the CA's PEM
// file is what `make trust` installs.
package devcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names inside the certificate directory (<data dir>/certs).
const (
	Dir     = "certs"
	CAFile  = "ca.pem"     // the CA certificate (what `make trust` installs)
	CAKey   = "ca-key.pem" // the CA's private key (never leaves the machine)
	Leaf    = "localhost.pem"
	LeafKey = "localhost-key.pem"
)

// Hosts the leaf certificate is valid for.
var hosts = []string{"localhost", "127.0.0.1", "::1"}

// Lifetimes: the CA long enough that nobody re-trusts it; the leaf under
// the 398 days browsers accept for a server certificate.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 397 * 24 * time.Hour
	// renewBefore: a leaf expiring within this is reissued (same CA).
	renewBefore = 30 * 24 * time.Hour
)

// Cert is the stack's development certificate.
type Cert struct {
	// CAPath is the PEM file of the local CA (trust it to trust the stack).
	CAPath string
	// CertPath and KeyPath are the leaf's PEM files (for tools that want
	// files, e.g. an ffmpeg or OBS RTMPS test).
	CertPath, KeyPath string
	// Leaf is the parsed leaf certificate; CA the parsed CA.
	Leaf, CA *x509.Certificate

	pair tls.Certificate
}

// Load returns the certificate kept under dataDir/certs, creating the CA and
// the leaf on first use and reissuing the leaf (not the CA) when it is about
// to expire or no longer matches the CA.
func Load(dataDir string, now time.Time) (*Cert, error) {
	dir := filepath.Join(dataDir, Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devcert: %w", err)
	}
	caCert, caKey, err := loadOrCreateCA(dir, now)
	if err != nil {
		return nil, err
	}
	c := &Cert{CAPath: filepath.Join(dir, CAFile), CertPath: filepath.Join(dir, Leaf),
		KeyPath: filepath.Join(dir, LeafKey), CA: caCert}
	pair, leaf, err := loadLeaf(c.CertPath, c.KeyPath, caCert, now)
	if err != nil {
		if pair, leaf, err = createLeaf(c.CertPath, c.KeyPath, caCert, caKey, now); err != nil {
			return nil, err
		}
	}
	c.pair, c.Leaf = pair, leaf
	return c, nil
}

// TLSConfig is a server configuration presenting the leaf (with the CA in
// its chain).
func (c *Cert) TLSConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.pair}, MinVersion: tls.VersionTLS12}
}

// Pool is a certificate pool trusting the local CA (clients in tests and
// tools).
func (c *Cert) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.CA)
	return p
}

// ClientTLSConfig trusts the local CA (for Go clients of the stack).
func (c *Cert) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: c.Pool(), MinVersion: tls.VersionTLS12}
}

func loadOrCreateCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPath, keyPath := filepath.Join(dir, CAFile), filepath.Join(dir, CAKey)
	certPEM, errC := os.ReadFile(certPath)
	keyPEM, errK := os.ReadFile(keyPath)
	if errC == nil && errK == nil {
		cert, err := parseCert(certPEM)
		if err != nil {
			return nil, nil, fmt.Errorf("devcert: %s: %w (delete %s to start over)", certPath, err, dir)
		}
		key, err := parseKey(keyPEM)
		if err != nil {
			return nil, nil, fmt.Errorf("devcert: %s: %w (delete %s to start over)", keyPath, err, dir)
		}
		if now.After(cert.NotAfter) {
			return nil, nil, fmt.Errorf("devcert: the local CA in %s expired on %s (delete the directory and run make trust again)",
				dir, cert.NotAfter.Format(time.DateOnly))
		}
		return cert, key, nil
	}
	if !errors.Is(errC, os.ErrNotExist) && errC != nil {
		return nil, nil, fmt.Errorf("devcert: %w", errC)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("devcert: %w", err)
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject: pkix.Name{Organization: []string{"onair offline stack"},
			CommonName: "onair local CA (" + host + ")"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("devcert: create CA: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	if err := writePEMs(certPath, der, keyPath, key); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func loadLeaf(certPath, keyPath string, ca *x509.Certificate, now time.Time) (tls.Certificate, *x509.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return pair, nil, err
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return pair, nil, err
	}
	if now.Add(renewBefore).After(leaf.NotAfter) {
		return pair, nil, errors.New("leaf expires soon")
	}
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		return pair, nil, err
	}
	pair.Certificate = append(pair.Certificate[:1], ca.Raw)
	pair.Leaf = leaf
	return pair, leaf, nil
}

func createLeaf(certPath, keyPath string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, now time.Time) (tls.Certificate, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("devcert: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"onair offline stack"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("devcert: create certificate: %w", err)
	}
	if err := writePEMs(certPath, der, keyPath, key); err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der, ca.Raw}, PrivateKey: key, Leaf: leaf}, leaf, nil
}

func writePEMs(certPath string, der []byte, keyPath string, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("devcert: %w", err)
	}
	// Key first: a certificate without its key would be unusable.
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("devcert: %w", err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("devcert: %w", err)
	}
	return nil
}

func parseCert(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	return x509.ParseCertificate(blk.Bytes)
}

func parseKey(b []byte) (*ecdsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("not a PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an ECDSA key")
	}
	return ek, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}
