package s3emu

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/clocktest"
	"github.com/onair/onair/shared/s3"
)

const (
	testBucket = "onair-local-assets"
	webOrigin  = "http://127.0.0.1:3000"
)

type env struct {
	svc    *Service
	srv    *httptest.Server
	clock  *clocktest.Clock
	dir    string
	mu     sync.Mutex
	events []events.S3Event
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{clock: clocktest.New(time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)), dir: t.TempDir()}
	e.open(t)
	return e
}

func (e *env) open(t *testing.T) {
	t.Helper()
	svc, err := Open(Config{
		DataDir: e.dir, Buckets: []string{testBucket}, Region: "us-east-1",
		AllowedOrigins: []string{webOrigin}, MaxObjectBytes: 8 << 20, Now: e.clock.Now,
		OnObjectCreated: func(b []byte) {
			var ev events.S3Event
			require.NoError(t, json.Unmarshal(b, &ev))
			e.mu.Lock()
			e.events = append(e.events, ev)
			e.mu.Unlock()
		},
	})
	require.NoError(t, err)
	e.svc = svc
	e.srv = httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		e.srv.Close()
		_ = svc.Close()
	})
}

func (e *env) reopen(t *testing.T) {
	t.Helper()
	e.srv.Close()
	require.NoError(t, e.svc.Close())
	e.open(t)
}

func (e *env) created() []events.S3Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]events.S3Event(nil), e.events...)
}

func (e *env) awsConfig() aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), RetryMaxAttempts: 1}
}

// sdk is the aws-sdk-go-v2 S3 client, path-style, as the functions use it.
func (e *env) sdk() *sdks3.Client {
	return sdks3.NewFromConfig(e.awsConfig(), func(o *sdks3.Options) {
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
}

// presign makes a presigned POST with the functions' own code.
func (e *env) presign(t *testing.T, key, contentType string, maxBytes int64) s3.PresignedPost {
	t.Helper()
	post, err := s3.New(e.awsConfig(), testBucket).PresignPost(context.Background(),
		s3.PostPolicy{Key: key, ContentType: contentType, MaxBytes: maxBytes, Expires: 20 * time.Second, SignedAt: e.clock.Now()})
	require.NoError(t, err)
	return post
}

// upload posts the form as the web app does: the fields, Content-Type, then
// the file last.
func upload(t *testing.T, post s3.PresignedPost, contentType string, file []byte, edit func(fields map[string]string)) *http.Response {
	t.Helper()
	fields := map[string]string{}
	for k, v := range post.Fields {
		fields[k] = v
	}
	if contentType != "" {
		fields["Content-Type"] = contentType
	}
	if edit != nil {
		edit(fields)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		require.NoError(t, mw.WriteField(k, fields[k]))
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", "me.png")
		require.NoError(t, err)
		_, err = fw.Write(file)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, post.URL, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", webOrigin)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2048)...)

func TestPresignedPostUploadAndGet(t *testing.T) {
	e := newEnv(t)
	post := e.presign(t, "asset-1/avatar", "image/png", 1_000_000)
	assert.Equal(t, e.srv.URL+"/"+testBucket, post.URL, "path-style bucket URL")

	resp := upload(t, post, "image/png", png, nil)
	require.Equal(t, http.StatusNoContent, resp.StatusCode, body(t, resp))
	version := resp.Header.Get("x-amz-version-id")
	assert.NotEmpty(t, version)
	assert.Equal(t, e.srv.URL+"/"+testBucket+"/asset-1/avatar", resp.Header.Get("Location"))
	assert.Equal(t, `"`+md5hex(png)+`"`, resp.Header.Get("ETag"))
	assert.NotEmpty(t, resp.Header.Get("Date"))
	assert.Equal(t, webOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "Location, x-amz-version-id, Date, ETag", resp.Header.Get("Access-Control-Expose-Headers"))

	// The event notification, as S3 sends it.
	evs := e.created()
	require.Len(t, evs, 1)
	require.Len(t, evs[0].Records, 1)
	rec := evs[0].Records[0]
	assert.Equal(t, "ObjectCreated:Post", rec.EventName)
	assert.Equal(t, "aws:s3", rec.EventSource)
	assert.Equal(t, testBucket, rec.S3.Bucket.Name)
	assert.Equal(t, "asset-1/avatar", rec.S3.Object.Key)
	assert.Equal(t, int64(len(png)), rec.S3.Object.Size)
	assert.Equal(t, md5hex(png), rec.S3.Object.ETag)
	assert.Equal(t, version, rec.S3.Object.VersionID)
	assert.NotEmpty(t, rec.S3.Object.Sequencer)
	assert.Equal(t, e.clock.Now(), rec.EventTime)

	// The SDK reads it back, by version too.
	for _, v := range []*string{nil, aws.String(version)} {
		out, err := e.sdk().GetObject(context.Background(), &sdks3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("asset-1/avatar"), VersionId: v})
		require.NoError(t, err)
		got, _ := io.ReadAll(out.Body)
		assert.Equal(t, png, got)
		assert.Equal(t, "image/png", aws.ToString(out.ContentType))
		assert.Equal(t, version, aws.ToString(out.VersionId))
	}
	// Browsers read images without credentials (the emulator stands in for CloudFront).
	res, err := http.Get(e.srv.URL + "/" + testBucket + "/asset-1/avatar?versionId=" + version)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "image/png", res.Header.Get("Content-Type"))
	obj, ok, err := e.svc.GetObject(testBucket, "asset-1/avatar", "")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, png, obj.Body)
}

func TestUploadsAreCheckedAgainstThePolicy(t *testing.T) {
	cases := []struct {
		name        string
		contentType string
		file        []byte
		edit        func(map[string]string)
		later       time.Duration
		status      int
		code        string
	}{
		{name: "other content type", contentType: "image/gif", file: png, status: 403, code: "AccessDenied"},
		{name: "no content type", file: png, status: 403, code: "AccessDenied"},
		{name: "too large", contentType: "image/png", file: bytes.Repeat([]byte{1}, 1_000_001), status: 400, code: "EntityTooLarge"},
		{name: "expired", contentType: "image/png", file: png, later: 21 * time.Second, status: 403, code: "AccessDenied"},
		{name: "other key", contentType: "image/png", file: png, edit: func(f map[string]string) { f["key"] = "asset-2/avatar" }, status: 403, code: "AccessDenied"},
		{name: "tampered signature", contentType: "image/png", file: png,
			edit: func(f map[string]string) { f["x-amz-signature"] = strings.Repeat("0", 64) }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "tampered policy", contentType: "image/png", file: png,
			edit: func(f map[string]string) { f["policy"] = f["policy"][:len(f["policy"])-4] + "AAAA" }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "unknown access key", contentType: "image/png", file: png,
			edit: func(f map[string]string) {
				f["x-amz-credential"] = strings.Replace(f["x-amz-credential"], "local/", "AKIAOTHER/", 1)
			}, status: 403, code: "InvalidAccessKeyId"},
		{name: "field not in the policy", contentType: "image/png", file: png,
			edit: func(f map[string]string) { f["acl"] = "public-read" }, status: 403, code: "AccessDenied"},
		{name: "no policy", contentType: "image/png", file: png, edit: func(f map[string]string) { delete(f, "policy") }, status: 403, code: "AccessDenied"},
		{name: "no file", contentType: "image/png", status: 400, code: "InvalidArgument"},
		{name: "other bucket field", contentType: "image/png", file: png, edit: func(f map[string]string) { f["bucket"] = "elsewhere" }, status: 400, code: "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			post := e.presign(t, "asset-1/avatar", "image/png", 1_000_000)
			e.clock.Advance(tc.later)
			resp := upload(t, post, tc.contentType, tc.file, tc.edit)
			b := body(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode, b)
			assert.Contains(t, b, "<Code>"+tc.code+"</Code>")
			assert.Empty(t, e.created(), "nothing was created")
			_, ok, err := e.svc.GetObject(testBucket, "asset-1/avatar", "")
			require.NoError(t, err)
			assert.False(t, ok)
			leftovers, _ := filepath.Glob(filepath.Join(e.dir, "s3", "upload-*"))
			assert.Empty(t, leftovers, "no temporary file left")
		})
	}
	t.Run("x-ignore- fields and a field after the file are allowed", func(t *testing.T) {
		e := newEnv(t)
		post := e.presign(t, "asset-1/banner", "image/jpeg", 5_000_000)
		resp := upload(t, post, "image/jpeg", png, func(f map[string]string) { f["x-ignore-note"] = "hi" })
		assert.Equal(t, http.StatusNoContent, resp.StatusCode, body(t, resp))
	})
	t.Run("success_action_status must be in the policy too", func(t *testing.T) {
		e := newEnv(t)
		fields := s3.SignPost(s3.PostRequest{Bucket: testBucket, Region: "us-east-1", AccessKeyID: "local", SecretKey: "local", Now: e.clock.Now(),
			Policy: s3.PostPolicy{Key: "asset-1/banner", ContentType: "image/jpeg", MaxBytes: 10_000, Expires: time.Minute}})
		post := s3.PresignedPost{URL: e.srv.URL + "/" + testBucket, Fields: fields}
		// Not in the policy: refused.
		resp := upload(t, post, "image/jpeg", png, func(f map[string]string) { f["success_action_status"] = "201" })
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
}

func TestVersionsDeleteMarkersAndSequencers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var versions []string
	for i, body := range [][]byte{png, append([]byte("second"), png...)} {
		e.clock.Advance(time.Duration(i) * time.Second)
		resp := upload(t, e.presign(t, "asset-1/avatar", "image/png", 1_000_000), "image/png", body, nil)
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		versions = append(versions, resp.Header.Get("x-amz-version-id"))
	}
	evs := e.created()
	require.Len(t, evs, 2)
	assert.Less(t, evs[0].Records[0].S3.Object.Sequencer, evs[1].Records[0].S3.Object.Sequencer, "sequencers increase")

	get := func(v string) (*sdks3.GetObjectOutput, error) {
		in := &sdks3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("asset-1/avatar")}
		if v != "" {
			in.VersionId = aws.String(v)
		}
		return e.sdk().GetObject(ctx, in)
	}
	out, err := get("")
	require.NoError(t, err)
	assert.Equal(t, versions[1], aws.ToString(out.VersionId), "the latest")

	del, err := e.sdk().DeleteObject(ctx, &sdks3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String("asset-1/avatar")})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(del.DeleteMarker))
	marker := aws.ToString(del.VersionId)
	assert.NotEmpty(t, marker)

	_, err = get("")
	assert.Equal(t, "NoSuchKey", apiCode(err), "the delete marker hides the object")
	out, err = get(versions[0])
	require.NoError(t, err, "earlier versions remain")
	b, _ := io.ReadAll(out.Body)
	assert.Equal(t, png, b)
	_, err = get("no-such-version")
	assert.Equal(t, "NoSuchVersion", apiCode(err))

	// Deleting the marker by id brings the object back.
	_, err = e.sdk().DeleteObject(ctx, &sdks3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String("asset-1/avatar"), VersionId: aws.String(marker)})
	require.NoError(t, err)
	out, err = get("")
	require.NoError(t, err)
	assert.Equal(t, versions[1], aws.ToString(out.VersionId))

	// The shared adapter deletes it through the functions' own path.
	require.NoError(t, s3.New(e.awsConfig(), testBucket).DeleteObject(ctx, "asset-1/avatar"))
	_, err = get("")
	assert.Equal(t, "NoSuchKey", apiCode(err))
}

func TestListObjectVersionsAndDeletePrefix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	api := e.sdk()
	put := func(key string) {
		_, err := api.PutObject(ctx, &sdks3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key), Body: strings.NewReader(key), ContentType: aws.String("image/png")})
		require.NoError(t, err)
	}
	put("asset-1/avatar")
	put("asset-1/avatar")
	put("asset-1/banner")
	put("asset-2/avatar")
	_, err := api.DeleteObject(ctx, &sdks3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String("asset-1/banner")})
	require.NoError(t, err)
	assert.Len(t, e.created(), 4, "PutObject notifies too")

	// Page through asset-1/ two entries at a time.
	var seen []string
	in := &sdks3.ListObjectVersionsInput{Bucket: aws.String(testBucket), Prefix: aws.String("asset-1/"), MaxKeys: aws.Int32(2)}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		out, err := api.ListObjectVersions(ctx, in)
		require.NoError(t, err)
		for _, v := range out.Versions {
			seen = append(seen, aws.ToString(v.Key)+" version latest="+boolStr(aws.ToBool(v.IsLatest)))
			assert.Equal(t, int64(len(aws.ToString(v.Key))), aws.ToInt64(v.Size))
		}
		for _, m := range out.DeleteMarkers {
			seen = append(seen, aws.ToString(m.Key)+" marker latest="+boolStr(aws.ToBool(m.IsLatest)))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	sort.Strings(seen)
	assert.Equal(t, []string{
		"asset-1/avatar version latest=false",
		"asset-1/avatar version latest=true",
		"asset-1/banner marker latest=true",
		"asset-1/banner version latest=false",
	}, seen)

	// Account deletion: every version and marker under the prefix goes,
	// through ListObjectVersions and DeleteObjects.
	n, err := s3.New(e.awsConfig(), testBucket).DeletePrefix(ctx, "asset-1/")
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	out, err := api.ListObjectVersions(ctx, &sdks3.ListObjectVersionsInput{Bucket: aws.String(testBucket), Prefix: aws.String("asset-1/")})
	require.NoError(t, err)
	assert.Empty(t, out.Versions)
	assert.Empty(t, out.DeleteMarkers)
	_, ok, err := e.svc.GetObject(testBucket, "asset-2/avatar", "")
	require.NoError(t, err)
	assert.True(t, ok, "other prefixes are untouched")
	files, _ := os.ReadDir(filepath.Join(e.dir, "s3", testBucket))
	assert.Len(t, files, 1, "the deleted versions' bodies are removed")

	// DeleteObjects reports what it deleted when not quiet.
	res, err := api.DeleteObjects(ctx, &sdks3.DeleteObjectsInput{Bucket: aws.String(testBucket), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("asset-2/avatar")}}}})
	require.NoError(t, err)
	require.Len(t, res.Deleted, 1)
	assert.True(t, aws.ToBool(res.Deleted[0].DeleteMarker))
	assert.NotEmpty(t, aws.ToString(res.Deleted[0].DeleteMarkerVersionId))
}

func TestCORS(t *testing.T) {
	e := newEnv(t)
	preflight := func(origin, method string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, e.srv.URL+"/"+testBucket, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := preflight(webOrigin, "POST")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, webOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
	assert.Equal(t, "content-type", resp.Header.Get("Access-Control-Allow-Headers"))
	assert.Equal(t, http.StatusForbidden, preflight("http://evil.example", "POST").StatusCode)
	assert.Equal(t, http.StatusForbidden, preflight(webOrigin, "DELETE").StatusCode)

	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/"+testBucket+"/nothing", nil)
	req.Header.Set("Origin", "http://evil.example")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
}

func TestStatePersistsAndSequencersKeepIncreasing(t *testing.T) {
	e := newEnv(t)
	resp := upload(t, e.presign(t, "asset-1/avatar", "image/png", 1_000_000), "image/png", png, nil)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	version := resp.Header.Get("x-amz-version-id")

	e.reopen(t)
	e.clock.Advance(-time.Hour) // the clock went back
	obj, ok, err := e.svc.GetObject(testBucket, "asset-1/avatar", version)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, png, obj.Body)

	resp = upload(t, e.presign(t, "asset-1/avatar", "image/png", 1_000_000), "image/png", png, nil)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	evs := e.created()
	require.Len(t, evs, 2)
	assert.Less(t, evs[0].Records[0].S3.Object.Sequencer, evs[1].Records[0].S3.Object.Sequencer)
}

func TestRequestsNeedCredentialsExceptReads(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ method, path, auth string }{
		{http.MethodDelete, "/" + testBucket + "/asset-1/avatar", ""},
		{http.MethodGet, "/" + testBucket + "?versions", ""},
		{http.MethodPut, "/" + testBucket + "/asset-1/avatar", ""},
		{http.MethodDelete, "/" + testBucket + "/asset-1/avatar", "AWS4-HMAC-SHA256 Credential=AKIAOTHER/20260110/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
	} {
		req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader("x"))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, tc.method+" "+tc.path)
	}
	resp, err := http.Get(e.srv.URL + "/other-bucket/x")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	assert.True(t, e.svc.Match(httptest.NewRequest(http.MethodGet, "/"+testBucket+"/a/avatar", nil)))
	assert.True(t, e.svc.Match(httptest.NewRequest(http.MethodPost, "/"+testBucket, nil)))
	assert.False(t, e.svc.Match(httptest.NewRequest(http.MethodPost, "/CreateChannel", nil)))
}

func TestEventKeysAreURLEncoded(t *testing.T) {
	assert.Equal(t, "asset-1/my+photo%2B1.png", eventKey("asset-1/my photo+1.png"))
	assert.Equal(t, "asset-1/avatar", eventKey("asset-1/avatar"))
}

func TestOpenRefusesInvalidBuckets(t *testing.T) {
	_, err := Open(Config{DataDir: t.TempDir(), Buckets: []string{"Upper_Case"}})
	assert.Error(t, err)
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// The web app's upload (local/webpublish) relies on PutObject keeping the
// Cache-Control and checking Content-MD5, and on HeadObject returning both
// with the ETag (the body's MD5) it compares against.
func TestPutObjectMetadataAndContentMD5(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	api := e.sdk()
	body := []byte("console.log(1)\n")
	sum := md5.Sum(body)
	_, err := api.PutObject(ctx, &sdks3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("assets/a.js"),
		Body: bytes.NewReader(body), ContentType: aws.String("text/javascript; charset=utf-8"),
		CacheControl: aws.String("public, max-age=31536000, immutable"), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
	require.NoError(t, err)
	head, err := api.HeadObject(ctx, &sdks3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("assets/a.js")})
	require.NoError(t, err)
	assert.Equal(t, `"`+hex.EncodeToString(sum[:])+`"`, aws.ToString(head.ETag))
	assert.Equal(t, "text/javascript; charset=utf-8", aws.ToString(head.ContentType))
	assert.Equal(t, "public, max-age=31536000, immutable", aws.ToString(head.CacheControl))

	other := md5.Sum([]byte("something else"))
	for _, tt := range []struct{ md5, code string }{
		{base64.StdEncoding.EncodeToString(other[:]), "BadDigest"},
		{"not base64!", "InvalidDigest"},
	} {
		_, err = api.PutObject(ctx, &sdks3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("assets/b.js"),
			Body: bytes.NewReader(body), ContentMD5: aws.String(tt.md5)})
		assert.Equal(t, tt.code, apiCode(err))
	}
	_, err = api.HeadObject(ctx, &sdks3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("assets/b.js")})
	assert.Error(t, err, "a rejected upload stores nothing")
}
