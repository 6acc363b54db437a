package s3emu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/onair/onair/shared/s3"
)

// Headers of Signature Version 4 (AWS General Reference, "Create a signed
// AWS API request").
const (
	headerDate          = "X-Amz-Date"
	headerContentSHA256 = "X-Amz-Content-Sha256"
	unsignedPayload     = "UNSIGNED-PAYLOAD"
	// maxClockSkew is how far a request's X-Amz-Date may be from the
	// emulator's clock (S3: RequestTimeTooSkewed beyond 15 minutes).
	maxClockSkew = 15 * time.Minute
)

// errPayloadHash is what reading a body whose SHA-256 is not the one the
// request signed (X-Amz-Content-Sha256) returns at its end.
var errPayloadHash = errors.New("x-amz-content-sha256 does not match the body")

// verifySigV4 checks a request's Authorization header as S3 does: a known
// access key, a credential scoped to the emulator's region and service s3 on
// the day of X-Amz-Date, a date within the allowed skew, and the signature
// recomputed over the canonical request. A body with a signed SHA-256 is
// checked as it is read (errPayloadHash).
func (s *Service) verifySigV4(r *http.Request) *apiError {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, s3.Algorithm+" ")
	if !ok {
		return errAccessDenied("Access Denied")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	cred, signedHeaders, signature := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || signedHeaders == "" || signature == "" {
		return newAPIError(http.StatusBadRequest, "AuthorizationHeaderMalformed",
			"The authorization header is malformed; it must hold Credential=<key>/<date>/<region>/s3/aws4_request, SignedHeaders and Signature.")
	}
	accessKey, date, region := scope[0], scope[1], scope[2]
	secret, known := s.cfg.Credentials[accessKey]
	if !known {
		return newAPIError(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	if scope[3] != "s3" || scope[4] != "aws4_request" || (s.cfg.Region != "" && region != s.cfg.Region) {
		return newAPIError(http.StatusBadRequest, "AuthorizationHeaderMalformed",
			"The authorization header is malformed; the credential scope must be <date>/%s/s3/aws4_request.", s.cfg.Region)
	}
	amzDate := r.Header.Get(headerDate)
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, date) {
		return errAccessDenied("AWS authentication requires a valid X-Amz-Date on the credential's date.")
	}
	// Clients sign with the wall clock; Config.Now is the emulated clock
	// (tests move it ahead), so the skew is measured against the former.
	if skew := time.Since(at); skew > maxClockSkew || skew < -maxClockSkew {
		return newAPIError(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}
	payloadHash := r.Header.Get(headerContentSHA256)
	if payloadHash == "" {
		return errInvalidArgument("x-amz-content-sha256 must be sent with a Signature Version 4 request.")
	}
	names := strings.Split(signedHeaders, ";")
	if !containsAll(names, "host", "x-amz-date") {
		return errAccessDenied("The request must sign the host and x-amz-date headers.")
	}
	canonical := strings.Join([]string{
		r.Method,
		uriEncode(r.URL.Path, false),
		canonicalQuery(r.URL.Query()),
		canonicalHeaders(r, names),
		signedHeaders,
		payloadHash,
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{s3.Algorithm, amzDate, strings.Join(scope[1:], "/"), hex.EncodeToString(sum[:])}, "\n")
	if !hmac.Equal([]byte(s3.SignPolicy(toSign, secret, date, region)), []byte(strings.ToLower(signature))) {
		return newAPIError(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	if payloadHash != unsignedPayload {
		want, err := hex.DecodeString(payloadHash)
		if err != nil || len(want) != sha256.Size {
			return newAPIError(http.StatusBadRequest, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a hex SHA-256.")
		}
		r.Body = &hashCheck{r: r.Body, h: sha256.New(), want: want}
	}
	return nil
}

// hashCheck passes a body through, and fails its end when the body's
// SHA-256 is not the signed one.
type hashCheck struct {
	r    io.ReadCloser
	h    hash.Hash
	want []byte
}

func (c *hashCheck) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && !hmac.Equal(c.h.Sum(nil), c.want) {
		return n, errPayloadHash
	}
	return n, err
}

func (c *hashCheck) Close() error { return c.r.Close() }

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, v := range list {
			found = found || v == w
		}
		if !found {
			return false
		}
	}
	return true
}

// canonicalHeaders: each signed header, lower-case name, values trimmed with
// inner runs of spaces collapsed, multiple values joined by commas.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = r.Header.Values("Content-Length")
			if len(values) == 0 && r.ContentLength >= 0 {
				values = []string{itoa(r.ContentLength)}
			}
		default:
			values = r.Header.Values(name)
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}
	return b.String()
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// canonicalQuery: parameters sorted by encoded name then value, each
// URI-encoded; a parameter without a value ("?versions") is "versions=".
func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode is SigV4's encoding: every byte but A-Z a-z 0-9 - _ . ~ is
// %XX (upper-case hex); '/' too unless it is a path's separator. S3 does not
// normalise the path, so it is encoded once, as sent.
func uriEncode(s string, slash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !slash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}
