package s3emu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signed builds a request signed with SigV4 by the SDK's signer.
func signed(t *testing.T, method, url, body, secret string, at time.Time, tamper func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: "local", SecretAccessKey: secret}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", at))
	if tamper != nil {
		tamper(req)
	}
	return req
}

// TestSigV4IsVerified: PUT, DELETE and version listing need a signature
// made with the access key's secret over this very request, within the
// allowed clock skew, over the body that is sent.
func TestSigV4IsVerified(t *testing.T) {
	e := newEnv(t)
	obj := e.srv.URL + "/" + testBucket + "/asset-1/avatar"
	versions := e.srv.URL + "/" + testBucket + "?versions&prefix=asset-1%2F"
	now := time.Now()
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"put, signed", signed(t, "PUT", obj, "png", "local", now, nil), 200, ""},
		{"list versions, signed", signed(t, "GET", versions, "", "local", now, nil), 200, ""},
		{"delete, signed", signed(t, "DELETE", obj, "", "local", now, nil), 204, ""},
		{"put, wrong secret", signed(t, "PUT", obj, "png", "guess", now, nil), 403, "SignatureDoesNotMatch"},
		{"delete, wrong secret", signed(t, "DELETE", obj, "", "guess", now, nil), 403, "SignatureDoesNotMatch"},
		{"list versions, wrong secret", signed(t, "GET", versions, "", "guess", now, nil), 403, "SignatureDoesNotMatch"},
		{"signature of another key", signed(t, "DELETE", obj, "", "local", now, func(r *http.Request) {
			r.URL.Path = "/" + testBucket + "/asset-2/avatar"
		}), 403, "SignatureDoesNotMatch"},
		{"signature of another query", signed(t, "GET", versions, "", "local", now, func(r *http.Request) {
			r.URL.RawQuery = "versions&prefix=asset-2%2F"
		}), 403, "SignatureDoesNotMatch"},
		{"forged signature", signed(t, "DELETE", obj, "", "local", now, func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, "Signature=")]+"Signature="+strings.Repeat("0", 64))
		}), 403, "SignatureDoesNotMatch"},
		{"old signature", signed(t, "DELETE", obj, "", "local", now.Add(-time.Hour), nil), 403, "RequestTimeTooSkewed"},
		{"body other than signed", signed(t, "PUT", obj, "png", "local", now, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("gif")) // same length, other bytes
		}), 400, "XAmzContentSHA256Mismatch"},
		{"only the credential", func() *http.Request {
			r, _ := http.NewRequest("DELETE", obj, nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260110/us-east-1/s3/aws4_request")
			return r
		}(), 400, "AuthorizationHeaderMalformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.req)
			require.NoError(t, err)
			b := body(t, resp)
			resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode, b)
			if tc.code != "" {
				assert.Contains(t, b, "<Code>"+tc.code+"</Code>")
			}
		})
	}
}
