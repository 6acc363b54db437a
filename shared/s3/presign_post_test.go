package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The worked example of the S3 API reference, "Example: Browser-Based Upload
// using HTTP POST (Using AWS Signature Version 4)":
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html
// Its policy text has CRLF line ends; the guide gives the base64 of that text
// and the signature made with the example credentials on 2015-12-29.
const (
	exampleSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	examplePolicy    = "{ \"expiration\": \"2015-12-30T12:00:00.000Z\",\r\n" +
		"  \"conditions\": [\r\n" +
		"    {\"bucket\": \"sigv4examplebucket\"},\r\n" +
		"    [\"starts-with\", \"$key\", \"user/user1/\"],\r\n" +
		"    {\"acl\": \"public-read\"},\r\n" +
		"    {\"success_action_redirect\": \"http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html\"},\r\n" +
		"    [\"starts-with\", \"$Content-Type\", \"image/\"],\r\n" +
		"    {\"x-amz-meta-uuid\": \"14365123651274\"},\r\n" +
		"    {\"x-amz-server-side-encryption\": \"AES256\"},\r\n" +
		"    [\"starts-with\", \"$x-amz-meta-tag\", \"\"],\r\n" +
		"\r\n" +
		"    {\"x-amz-credential\": \"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request\"},\r\n" +
		"    {\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"},\r\n" +
		"    {\"x-amz-date\": \"20151229T000000Z\" }\r\n" +
		"  ]\r\n" +
		"}"
	examplePolicyBase64 = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
	exampleSignature    = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
)

func TestSignPolicyMatchesTheAWSExample(t *testing.T) {
	// The example data is consistent: its base64 is of its policy text.
	require.Equal(t, examplePolicyBase64, base64.StdEncoding.EncodeToString([]byte(examplePolicy)))
	assert.Equal(t, exampleSignature, SignPolicy(examplePolicyBase64, exampleSecret, "20151229", "us-east-1"))
	assert.Equal(t, "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request", Credential(exampleAccessKey, "20151229", "us-east-1"))

	// Any change to what is signed changes the signature.
	assert.NotEqual(t, exampleSignature, SignPolicy(examplePolicyBase64, exampleSecret, "20151230", "us-east-1"))
	assert.NotEqual(t, exampleSignature, SignPolicy(examplePolicyBase64, exampleSecret, "20151229", "us-west-2"))
	assert.NotEqual(t, exampleSignature, SignPolicy(examplePolicyBase64+"=", exampleSecret, "20151229", "us-east-1"))
	assert.NotEqual(t, exampleSignature, SignPolicy(examplePolicyBase64, "other", "20151229", "us-east-1"))
}

// policyDoc decodes the policy field of a presigned POST.
type policyDoc struct {
	Expiration string `json:"expiration"`
	Conditions []any  `json:"conditions"`
}

func decodePolicy(t *testing.T, fields map[string]string) policyDoc {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(fields[FieldPolicy])
	require.NoError(t, err)
	var doc policyDoc
	require.NoError(t, json.Unmarshal(raw, &doc))
	return doc
}

func TestSignPost(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	req := PostRequest{
		Bucket:      "onair-assets",
		Policy:      PostPolicy{Key: "asset-1/avatar", ContentType: "image/png", MaxBytes: 1_000_000, Expires: 20 * time.Second},
		Region:      "eu-west-1",
		AccessKeyID: exampleAccessKey,
		SecretKey:   exampleSecret,
		Now:         now,
	}
	t.Run("long-term credentials", func(t *testing.T) {
		fields := SignPost(req)
		assert.Equal(t, map[string]string{
			"key": "asset-1/avatar", "bucket": "onair-assets",
			"x-amz-algorithm":  "AWS4-HMAC-SHA256",
			"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20260304/eu-west-1/s3/aws4_request",
			"x-amz-date":       "20260304T050607Z",
			"policy":           fields["policy"],
			"x-amz-signature":  SignPolicy(fields["policy"], exampleSecret, "20260304", "eu-west-1"),
		}, fields)
		doc := decodePolicy(t, fields)
		assert.Equal(t, "2026-03-04T05:06:27.890Z", doc.Expiration, "20 s after signing")
		assert.Equal(t, []any{
			map[string]any{"bucket": "onair-assets"},
			map[string]any{"key": "asset-1/avatar"},
			map[string]any{"Content-Type": "image/png"},
			[]any{"content-length-range", float64(0), float64(1_000_000)},
			map[string]any{"x-amz-algorithm": "AWS4-HMAC-SHA256"},
			map[string]any{"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20260304/eu-west-1/s3/aws4_request"},
			map[string]any{"x-amz-date": "20260304T050607Z"},
		}, doc.Conditions)
	})
	t.Run("session credentials carry their token", func(t *testing.T) {
		r := req
		r.SessionToken = "FQoGZXIvYXdzEXAMPLE"
		fields := SignPost(r)
		assert.Equal(t, "FQoGZXIvYXdzEXAMPLE", fields["x-amz-security-token"])
		doc := decodePolicy(t, fields)
		assert.Contains(t, doc.Conditions, map[string]any{"x-amz-security-token": "FQoGZXIvYXdzEXAMPLE"},
			"every form field but the signature and the file must be in the policy")
		assert.Equal(t, SignPolicy(fields["policy"], exampleSecret, "20260304", "eu-west-1"), fields["x-amz-signature"])
	})
}

func TestPresignPost(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	policy := PostPolicy{Key: "asset-1/banner", ContentType: "image/jpeg", MaxBytes: 5_000_000, Expires: 20 * time.Second}
	cases := []struct {
		name     string
		endpoint *string
		wantURL  string
	}{
		{"AWS: virtual-hosted bucket URL", nil, "https://onair-assets.s3.us-west-2.amazonaws.com"},
		{"custom endpoint: path-style", aws.String("http://127.0.0.1:4566"), "http://127.0.0.1:4566/onair-assets"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New(aws.Config{
				Region:       "us-west-2",
				BaseEndpoint: tc.endpoint,
				Credentials:  credentials.NewStaticCredentialsProvider("ASIAEXAMPLE", "secret", "session-token"),
			}, "onair-assets")
			c.now = func() time.Time { return now }
			post, err := c.PresignPost(context.Background(), policy)
			require.NoError(t, err)
			assert.Equal(t, tc.wantURL, post.URL)
			assert.Equal(t, SignPost(PostRequest{Bucket: "onair-assets", Policy: policy, Region: "us-west-2",
				AccessKeyID: "ASIAEXAMPLE", SecretKey: "secret", SessionToken: "session-token", Now: now}), post.Fields)
		})
	}
}

func TestPresignPostErrors(t *testing.T) {
	good := PostPolicy{Key: "k/avatar", ContentType: "image/png", MaxBytes: 10, Expires: time.Second}
	c := New(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}, "b")
	for name, p := range map[string]PostPolicy{
		"no key":          {ContentType: "image/png", MaxBytes: 10, Expires: time.Second},
		"no content type": {Key: "k", MaxBytes: 10, Expires: time.Second},
		"no size":         {Key: "k", ContentType: "image/png", Expires: time.Second},
		"no expiry":       {Key: "k", ContentType: "image/png", MaxBytes: 10},
	} {
		_, err := c.PresignPost(context.Background(), p)
		assert.Error(t, err, name)
	}
	noCreds := New(aws.Config{Region: "us-east-1"}, "b")
	_, err := noCreds.PresignPost(context.Background(), good)
	assert.Error(t, err)
	failing := New(aws.Config{Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, assert.AnError
	})}, "b")
	_, err = failing.PresignPost(context.Background(), good)
	assert.ErrorIs(t, err, assert.AnError)
	assert.False(t, strings.Contains(err.Error(), "secret"))
}

func TestPresignPostSignsAtTheGivenTime(t *testing.T) {
	c := New(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}, "b")
	c.now = func() time.Time { t.Fatal("the client's clock is not used when SignedAt is set"); return time.Time{} }
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	post, err := c.PresignPost(context.Background(), PostPolicy{Key: "k/avatar", ContentType: "image/png", MaxBytes: 1, Expires: 20 * time.Second, SignedAt: at})
	require.NoError(t, err)
	assert.Equal(t, "20260110T180000Z", post.Fields[FieldDate])
	assert.Equal(t, "2026-01-10T18:00:20.000Z", decodePolicy(t, post.Fields).Expiration)
}
