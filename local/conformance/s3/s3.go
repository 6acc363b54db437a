// Package s3 is the conformance suite of the part of Amazon S3 onair uses
// on a versioned bucket (the channel assets): PutObject, GetObject,
// HeadObject, DeleteObject, DeleteObjects, ListObjectVersions, browser
// uploads with a presigned POST and CORS preflights, checked against
// local/internal/s3emu in `make test` and against AWS with -tags
// awsconformance.
package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// Operations recorded by hand (no SDK call): a browser's form upload and
// its CORS preflight.
const (
	OpPostObject = "S3/PostObject"
	OpPreflight  = "S3/CORSPreflight"
)

// Bucket is the versioned bucket the suite uses, and a web origin its CORS
// rules allow (GET, PUT, POST, HEAD; exposing ETag and x-amz-version-id).
type Bucket struct {
	Name   string
	Origin string
}

type suite struct {
	target conformance.Target
	bucket Bucket
	c      *s3.Client
}

// Run runs every case against target. Each case writes under its own key
// prefix (target.Prefix/…) and deletes every version it made.
func Run(t *testing.T, target conformance.Target, bucket Bucket) {
	s := &suite{target: target, bucket: bucket, c: s3.NewFromConfig(target.Config, func(o *s3.Options) {
		// The emulator is path-style on a loopback address; AWS takes both.
		o.UsePathStyle = target.Emulated
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})}
	cases := []struct {
		name string
		run  func(t *testing.T, prefix string)
	}{
		{"PutGetHead", s.putGetHead},
		{"Versions", s.versions},
		{"DeleteObjects", s.deleteObjects},
		{"ContentMD5", s.contentMD5},
		{"PresignedPost", s.presignedPost},
		{"Unsigned", s.unsigned},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			prefix := s.target.Unique(strings.ToLower(tc.name)) + "/"
			t.Cleanup(func() { s.purge(context.WithoutCancel(t.Context()), prefix) })
			tc.run(t, prefix)
		})
	}
}

// purge deletes every version and delete marker under prefix.
func (s *suite) purge(ctx context.Context, prefix string) {
	out, err := s.c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket.Name), Prefix: aws.String(prefix)})
	if err != nil {
		return
	}
	for _, v := range out.Versions {
		_, _ = s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket.Name), Key: v.Key, VersionId: v.VersionId})
	}
	for _, m := range out.DeleteMarkers {
		_, _ = s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket.Name), Key: m.Key, VersionId: m.VersionId})
	}
}

func (s *suite) put(t *testing.T, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := s.c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(key),
		Body: strings.NewReader(body), ContentType: aws.String("image/png"), CacheControl: aws.String("public, max-age=31536000, immutable")})
	require.NoError(t, err)
	return out
}

func (s *suite) get(t *testing.T, key, version string) (string, *s3.GetObjectOutput, error) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := s.c.GetObject(t.Context(), in)
	if err != nil {
		return "", nil, err
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(raw), out, nil
}

func etag(body string) string {
	sum := md5.Sum([]byte(body))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func (s *suite) putGetHead(t *testing.T, prefix string) {
	key := prefix + "avatar"
	put := s.put(t, key, "png bytes")
	assert.NotEmpty(t, aws.ToString(put.VersionId), "a versioned bucket names each version")
	assert.Equal(t, etag("png bytes"), aws.ToString(put.ETag))

	body, got, err := s.get(t, key, "")
	require.NoError(t, err)
	assert.Equal(t, "png bytes", body)
	assert.Equal(t, "image/png", aws.ToString(got.ContentType))
	assert.Equal(t, "public, max-age=31536000, immutable", aws.ToString(got.CacheControl))
	assert.Equal(t, aws.ToString(put.VersionId), aws.ToString(got.VersionId))
	assert.Equal(t, etag("png bytes"), aws.ToString(got.ETag))

	head, err := s.c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(key)})
	require.NoError(t, err)
	assert.EqualValues(t, len("png bytes"), aws.ToInt64(head.ContentLength))
	assert.Equal(t, "image/png", aws.ToString(head.ContentType))
	assert.Equal(t, aws.ToString(put.VersionId), aws.ToString(head.VersionId))

	_, _, err = s.get(t, prefix+"missing", "")
	var nsk *types.NoSuchKey
	assert.True(t, errors.As(err, &nsk), "GetObject of a missing key: NoSuchKey, got %v", err)
	_, err = s.c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(prefix + "missing")})
	var nf *types.NotFound
	assert.True(t, errors.As(err, &nf), "HeadObject of a missing key: 404 NotFound, got %v", err)
}

func (s *suite) versions(t *testing.T, prefix string) {
	key := prefix + "banner"
	v1 := aws.ToString(s.put(t, key, "one").VersionId)
	v2 := aws.ToString(s.put(t, key, "two").VersionId)
	assert.NotEqual(t, v1, v2)
	body, _, err := s.get(t, key, v1)
	require.NoError(t, err)
	assert.Equal(t, "one", body, "an older version stays readable by id")

	del, err := s.c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(key)})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(del.DeleteMarker), "deleting without a version adds a delete marker")
	marker := aws.ToString(del.VersionId)
	require.NotEmpty(t, marker)
	_, _, err = s.get(t, key, "")
	var nsk *types.NoSuchKey
	assert.True(t, errors.As(err, &nsk), "behind a delete marker: NoSuchKey, got %v", err)

	list, err := s.c.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket.Name), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	require.Len(t, list.Versions, 2)
	require.Len(t, list.DeleteMarkers, 1)
	assert.Equal(t, marker, aws.ToString(list.DeleteMarkers[0].VersionId))
	assert.True(t, aws.ToBool(list.DeleteMarkers[0].IsLatest))
	ids := []string{aws.ToString(list.Versions[0].VersionId), aws.ToString(list.Versions[1].VersionId)}
	assert.Equal(t, []string{v2, v1}, ids, "newest first")
	assert.False(t, aws.ToBool(list.Versions[0].IsLatest))

	// Deleting the marker brings the newest version back.
	_, err = s.c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(key), VersionId: aws.String(marker)})
	require.NoError(t, err)
	body, got, err := s.get(t, key, "")
	require.NoError(t, err)
	assert.Equal(t, "two", body)
	assert.Equal(t, v2, aws.ToString(got.VersionId))
}

func (s *suite) deleteObjects(t *testing.T, prefix string) {
	var ids []types.ObjectIdentifier
	for _, k := range []string{"a", "b"} {
		out := s.put(t, prefix+k, k)
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(prefix + k), VersionId: out.VersionId})
	}
	out, err := s.c.DeleteObjects(t.Context(), &s3.DeleteObjectsInput{Bucket: aws.String(s.bucket.Name), Delete: &types.Delete{Objects: ids}})
	require.NoError(t, err)
	assert.Len(t, out.Deleted, 2)
	assert.Empty(t, out.Errors)
	list, err := s.c.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket.Name), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	assert.Empty(t, list.Versions, "deleting versions by id leaves nothing")
	assert.Empty(t, list.DeleteMarkers)
}

func (s *suite) contentMD5(t *testing.T, prefix string) {
	wrong := md5.Sum([]byte("something else"))
	_, err := s.c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(prefix + "x"),
		Body: strings.NewReader("body"), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(wrong[:]))})
	conformance.RequireCode(t, err, "BadDigest")
	right := md5.Sum([]byte("body"))
	_, err = s.c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(prefix + "x"),
		Body: strings.NewReader("body"), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(right[:]))})
	require.NoError(t, err)
}

// post sends a browser's multipart form upload.
func (s *suite) post(t *testing.T, url string, fields map[string]string, content string) *http.Response {
	t.Helper()
	s.target.Recorder.Record(OpPostObject)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		require.NoError(t, w.WriteField(k, v))
	}
	f, err := w.CreateFormFile("file", "upload.png")
	require.NoError(t, err)
	_, _ = f.Write([]byte(content))
	require.NoError(t, w.Close())
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", s.bucket.Origin)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

func (s *suite) presignedPost(t *testing.T, prefix string) {
	key := prefix + "upload"
	pre, err := s3.NewPresignClient(s.c).PresignPostObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) {
			o.Expires = 5 * time.Minute
			o.Conditions = []any{[]any{"content-length-range", 1, 16}, []any{"starts-with", "$Content-Type", "image/"}}
		})
	require.NoError(t, err)
	fields := map[string]string{"Content-Type": "image/png"}
	for k, v := range pre.Values {
		fields[k] = v
	}

	res := s.post(t, pre.URL, fields, "small png")
	require.Equal(t, http.StatusNoContent, res.StatusCode, "default success_action_status")
	assert.NotEmpty(t, res.Header.Get("x-amz-version-id"))
	assert.Equal(t, s.bucket.Origin, res.Header.Get("Access-Control-Allow-Origin"))
	body, got, err := s.get(t, key, "")
	require.NoError(t, err)
	assert.Equal(t, "small png", body)
	assert.Equal(t, "image/png", aws.ToString(got.ContentType))

	res = s.post(t, pre.URL, fields, strings.Repeat("x", 17))
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "over content-length-range")
	raw, _ := io.ReadAll(res.Body)
	assert.Contains(t, string(raw), "<Code>EntityTooLarge</Code>")

	fields["Content-Type"] = "text/html"
	res = s.post(t, pre.URL, fields, "<script>")
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "a field outside the policy")

	// The browser's preflight for the upload.
	s.target.Recorder.Record(OpPreflight)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, pre.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", s.bucket.Origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	pf, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = pf.Body.Close()
	assert.Equal(t, http.StatusOK, pf.StatusCode)
	assert.Equal(t, s.bucket.Origin, pf.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, pf.Header.Get("Access-Control-Allow-Methods"), "POST")
	req.Header.Set("Origin", "https://elsewhere.example")
	pf, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = pf.Body.Close()
	assert.Equal(t, http.StatusForbidden, pf.StatusCode, "an origin the rules do not allow")
}

func (s *suite) unsigned(t *testing.T, prefix string) {
	pre, err := s3.NewPresignClient(s.c).PresignPutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(s.bucket.Name), Key: aws.String(prefix + "x")})
	require.NoError(t, err)
	url := pre.URL[:strings.Index(pre.URL, "?")]
	s.target.Recorder.Record("S3/PutObject")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, strings.NewReader("anonymous"))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "an unsigned write is refused: %s", raw)
	assert.Contains(t, string(raw), "<Code>AccessDenied</Code>")
}
