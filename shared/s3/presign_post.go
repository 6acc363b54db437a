package s3

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/onair/onair/shared/onair"
)

// Browser uploads use a presigned POST: a policy document, signed with
// Signature Version 4, that the browser sends with the file as form fields.
// aws-sdk-go-v2 has no helper for it (only presigned GET/PUT URLs), so it is
// built here, following "Browser-Based Uploads Using POST (AWS Signature
// Version 4)" in the S3 API reference:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html
// The signing is tested against that guide's worked example.

// Algorithm is the only signing algorithm of Signature Version 4.
const Algorithm = "AWS4-HMAC-SHA256"

// Form field names of a presigned POST. S3 matches field names without
// regard to case; these are the guide's spelling.
const (
	FieldKey           = "key"
	FieldBucket        = "bucket"
	FieldPolicy        = "policy"
	FieldAlgorithm     = "x-amz-algorithm"
	FieldCredential    = "x-amz-credential"
	FieldDate          = "x-amz-date"
	FieldSignature     = "x-amz-signature"
	FieldSecurityToken = "x-amz-security-token"
	FieldContentType   = "Content-Type"
)

// Time layouts of the signature: the credential scope's date, the
// x-amz-date value and the policy's expiration.
const (
	DateLayout       = "20060102"
	AmzDateLayout    = "20060102T150405Z"
	ExpirationLayout = "2006-01-02T15:04:05.000Z"
)

// PostPolicy says what one upload may be.
type PostPolicy struct {
	// Key is the exact object key the upload must have.
	Key string
	// ContentType is the exact Content-Type the form must send (the browser
	// adds the Content-Type field itself, as the reference web app did).
	ContentType string
	// MaxBytes bounds the file size (content-length-range 0..MaxBytes).
	MaxBytes int64
	// Expires is how long the signature is valid.
	Expires time.Duration
	// SignedAt is the signing time (now when zero), from which the policy
	// expires: the caller's clock, so that a stack with a simulated clock
	// signs on the time its S3 checks against.
	SignedAt time.Time
}

// PresignedPost is what a browser needs to upload: the form's action URL
// and the fields to send before the file.
type PresignedPost struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

// PresignPost signs a POST upload of one object to the bucket with the
// client's credentials. The credentials of a Lambda function are temporary,
// so their session token goes into the form (and the policy) as
// x-amz-security-token.
func (c *Client) PresignPost(ctx context.Context, p PostPolicy) (PresignedPost, error) {
	if p.Key == "" || p.ContentType == "" || p.MaxBytes <= 0 || p.Expires <= 0 {
		return PresignedPost{}, fmt.Errorf("presign post: incomplete policy %+v", p)
	}
	if c.cfg.Credentials == nil {
		return PresignedPost{}, onair.Wrap(onair.Internal, "", "", errors.New("presign post: no credentials"))
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return PresignedPost{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("presign post: credentials: %w", err))
	}
	endpoint, err := c.bucketURL(ctx)
	if err != nil {
		return PresignedPost{}, err
	}
	at := p.SignedAt
	if at.IsZero() {
		at = c.now()
	}
	signed := SignPost(PostRequest{
		Bucket:       c.bucket,
		Policy:       p,
		Region:       c.cfg.Region,
		AccessKeyID:  creds.AccessKeyID,
		SecretKey:    creds.SecretAccessKey,
		SessionToken: creds.SessionToken,
		Now:          at,
	})
	return PresignedPost{URL: endpoint, Fields: signed}, nil
}

// BucketURL is the URL upload forms are posted to (PresignedPost.URL), which
// is also where S3's answer to an upload (its Location) points.
func (c *Client) BucketURL(ctx context.Context) (string, error) { return c.bucketURL(ctx) }

// bucketURL is the URL uploads are posted to, as the SDK's endpoint rules
// resolve it for the bucket (virtual-hosted on AWS, path-style on a custom
// endpoint).
func (c *Client) bucketURL(ctx context.Context) (string, error) {
	params := sdks3.EndpointParameters{
		Bucket:         aws.String(c.bucket),
		Region:         aws.String(c.cfg.Region),
		ForcePathStyle: aws.Bool(c.pathStyle),
	}
	if c.cfg.BaseEndpoint != nil {
		params.Endpoint = c.cfg.BaseEndpoint
	}
	ep, err := sdks3.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, params)
	if err != nil {
		return "", onair.Wrap(onair.Internal, "", "", fmt.Errorf("presign post: endpoint: %w", err))
	}
	return strings.TrimSuffix(ep.URI.String(), "/"), nil
}

// PostRequest is everything a presigned POST is computed from.
type PostRequest struct {
	Bucket       string
	Policy       PostPolicy
	Region       string
	AccessKeyID  string
	SecretKey    string
	SessionToken string
	Now          time.Time
}

// SignPost returns the form fields of a presigned POST: the key, the bucket,
// the base64 policy document, the signing fields and the signature. The
// policy lists a condition for every field the form sends, as S3 requires,
// plus the Content-Type and size limits.
func SignPost(r PostRequest) map[string]string {
	now := r.Now.UTC()
	date := now.Format(DateLayout)
	amzDate := now.Format(AmzDateLayout)
	credential := Credential(r.AccessKeyID, date, r.Region)

	conditions := []any{
		map[string]string{FieldBucket: r.Bucket},
		map[string]string{FieldKey: r.Policy.Key},
		map[string]string{FieldContentType: r.Policy.ContentType},
		[]any{"content-length-range", 0, r.Policy.MaxBytes},
		map[string]string{FieldAlgorithm: Algorithm},
		map[string]string{FieldCredential: credential},
		map[string]string{FieldDate: amzDate},
	}
	if r.SessionToken != "" {
		conditions = append(conditions, map[string]string{FieldSecurityToken: r.SessionToken})
	}
	doc, err := json.Marshal(map[string]any{
		"expiration": now.Add(r.Policy.Expires).Format(ExpirationLayout),
		"conditions": conditions,
	})
	if err != nil {
		// Only strings and numbers go in: Marshal cannot fail.
		panic(fmt.Sprintf("post policy: %v", err))
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	fields := map[string]string{
		FieldKey:        r.Policy.Key,
		FieldBucket:     r.Bucket,
		FieldPolicy:     policy,
		FieldAlgorithm:  Algorithm,
		FieldCredential: credential,
		FieldDate:       amzDate,
		FieldSignature:  SignPolicy(policy, r.SecretKey, date, r.Region),
	}
	if r.SessionToken != "" {
		fields[FieldSecurityToken] = r.SessionToken
	}
	return fields
}

// Credential is the x-amz-credential value: the access key and the scope
// of the signing key ("AKIA…/20151229/us-east-1/s3/aws4_request").
func Credential(accessKeyID, date, region string) string {
	return accessKeyID + "/" + date + "/" + region + "/s3/aws4_request"
}

// SignPolicy is the x-amz-signature of a base64 policy: the hex HMAC-SHA256
// of the policy, as sent, with the Signature Version 4 signing key of the
// date (yyyymmdd), region and service s3. Offline S3 (local/internal/s3emu)
// verifies uploads with it too.
func SignPolicy(policyBase64, secretKey, date, region string) string {
	key := hmacSHA256([]byte("AWS4"+secretKey), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, policyBase64))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
