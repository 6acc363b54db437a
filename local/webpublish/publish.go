package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/onair/onair/local/internal/webapp"
	"github.com/onair/onair/shared/webheaders"
)

// Cache-Control of the uploaded files: the offline server's
// (local/internal/webapp), which CloudFront's cache policies follow
// (template.yaml).
const (
	// immutable is for Vite's assets/, whose names carry a content hash.
	immutable = webapp.Immutable
	// revalidate is for index.html, config.json and unhashed files.
	revalidate = webapp.Revalidate
)

// hashedDir is where Vite puts the content-hashed files.
const hashedDir = "assets/"

// Outputs are a stack's CloudFormation outputs, by key.
type Outputs map[string]string

// ParseOutputs reads the JSON of `aws cloudformation describe-stacks
// --query Stacks[0].Outputs`: [{"OutputKey": ..., "OutputValue": ...}].
func ParseOutputs(data []byte) (Outputs, error) {
	var list []struct{ OutputKey, OutputValue string }
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("stack outputs: %w", err)
	}
	out := Outputs{}
	for _, o := range list {
		out[o.OutputKey] = o.OutputValue
	}
	return out, nil
}

// ErrNotPublished means the stack hosts no web app (PublishWebApp=false).
var ErrNotPublished = errors.New("the stack hosts no web app (PublishWebApp=false): nothing to publish")

// appConfig is the web app's /config.json (web-ui/src/config.ts). Its
// fields have a fixed order, so the same outputs give the same bytes and an
// unchanged stack uploads nothing.
type appConfig struct {
	Region                          string `json:"region"`
	UserPoolID                      string `json:"userPoolId"`
	UserPoolClientID                string `json:"userPoolClientId"`
	APIURL                          string `json:"apiUrl"`
	ChannelType                     string `json:"channelType,omitempty"`
	EnableAmazonProductStreamAction bool   `json:"enableAmazonProductStreamAction"`
	Stage                           string `json:"stage"`
	Offline                         bool   `json:"offline"`
}

// ConfigJSON builds /config.json from the stack's outputs.
func ConfigJSON(o Outputs) ([]byte, error) {
	var missing []string
	for _, k := range []string{"ApiUrl", "Region", "UserPoolId", "UserPoolClientId"} {
		if o[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("config.json: the stack has no %s output", strings.Join(missing, ", "))
	}
	b, err := json.MarshalIndent(appConfig{
		Region:                          o["Region"],
		UserPoolID:                      o["UserPoolId"],
		UserPoolClientID:                o["UserPoolClientId"],
		APIURL:                          o["ApiUrl"],
		ChannelType:                     o["ChannelType"],
		EnableAmazonProductStreamAction: o["EnableAmazonProductStreamAction"] == "true",
		Stage:                           o["Stage"],
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	return append(b, '\n'), nil
}

// NarrowCSP adds to index.html a <meta> Content-Security-Policy of
// connect-src alone that names the stack's API by its origin. The
// distribution's header policy can name it only by the regional
// execute-api wildcard (template.yaml explains the dependency cycle); a
// browser enforces both policies, so the app connects to this API and no
// other. The rest of the directive is the header's (shared/webheaders).
func NarrowCSP(index []byte, o Outputs) ([]byte, error) {
	api, err := url.Parse(o["ApiUrl"])
	if err != nil || api.Scheme != "https" || api.Host == "" {
		return nil, fmt.Errorf("index.html CSP: ApiUrl %q is not an https URL", o["ApiUrl"])
	}
	region, bucket := o["Region"], o["ChannelAssetsBucketName"]
	if region == "" || bucket == "" {
		return nil, errors.New("index.html CSP: the stack has no Region or ChannelAssetsBucketName output")
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	src := webheaders.Cloud(region, suffix, "", bucket)
	src.API = []string{api.Scheme + "://" + api.Host}
	meta := `<meta http-equiv="Content-Security-Policy" content="` + html.EscapeString(src.ConnectPolicy()) + `">`

	// After <meta charset> (which must come first), else right after <head>
	// or <!doctype> (a meta before any content is in the implied head).
	lower := strings.ToLower(string(index))
	at := 0
	for _, tag := range []string{"<meta charset", "<head", "<!doctype"} {
		if i := strings.Index(lower, tag); i >= 0 {
			if j := strings.Index(lower[i:], ">"); j >= 0 {
				at = i + j + 1
				break
			}
		}
	}
	out := make([]byte, 0, len(index)+len(meta)+5)
	out = append(out, index[:at]...)
	out = append(out, "\n    "+meta...)
	return append(out, index[at:]...), nil
}

// File is one object to publish.
type File struct {
	Key          string
	Body         []byte
	ContentType  string
	CacheControl string
	// Phase orders the uploads: every file of a phase is in the bucket
	// before any file of the next (see phase).
	Phase int
}

// MD5 is the body's MD5, which is the ETag S3 gives it (single-part upload,
// SSE-S3).
func (f File) MD5() [md5.Size]byte { return md5.Sum(f.Body) }

// phase orders a deploy so that a browser never sees an index.html whose
// files are not there yet: hashed assets, then the other files, then
// config.json, and index.html last (it is what switches visitors over).
func phase(key string) int {
	switch {
	case strings.HasPrefix(key, hashedDir):
		return 0
	case key == "config.json":
		return 2
	case key == "index.html":
		return 3
	default:
		return 1
	}
}

// contentTypes are the types of what a Vite build holds. A wrong type is
// fatal under X-Content-Type-Options: nosniff (a script served as
// text/plain does not run), so the table does not depend on the machine's
// /etc/mime.types.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".mp3":         "audio/mpeg",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
}

// ContentType is the Content-Type a file is served with.
func ContentType(key string) (string, bool) {
	t, ok := contentTypes[strings.ToLower(path.Ext(key))]
	if !ok {
		return "application/octet-stream", false
	}
	return t, true
}

// Plan lists the files of the build in dir, with config as config.json
// (replacing any config.json in dir, e.g. one `make web-config` left in
// public/), sorted by phase then key. Dot files are skipped.
func Plan(dir string, config []byte) ([]File, []string, error) {
	var files []File
	var warnings []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if key == "config.json" {
			return nil
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, newFile(key, body, &warnings))
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("web app build %s: %w", dir, err)
	}
	if !hasKey(files, "index.html") {
		return nil, nil, fmt.Errorf("web app build %s: no index.html (build the app first: make web-build)", dir)
	}
	files = append(files, newFile("config.json", config, &warnings))
	sort.Slice(files, func(i, j int) bool {
		if files[i].Phase != files[j].Phase {
			return files[i].Phase < files[j].Phase
		}
		return files[i].Key < files[j].Key
	})
	return files, warnings, nil
}

func newFile(key string, body []byte, warnings *[]string) File {
	ct, known := ContentType(key)
	if !known {
		*warnings = append(*warnings, fmt.Sprintf("%s: unknown file type, served as %s", key, ct))
	}
	cc := revalidate
	if strings.HasPrefix(key, hashedDir) {
		cc = immutable
	}
	return File{Key: key, Body: body, ContentType: ct, CacheControl: cc, Phase: phase(key)}
}

func hasKey(files []File, key string) bool {
	for _, f := range files {
		if f.Key == key {
			return true
		}
	}
	return false
}

// ObjectStore is the part of S3 the publisher uses.
type ObjectStore interface {
	HeadObject(ctx context.Context, in *sdks3.HeadObjectInput, opts ...func(*sdks3.Options)) (*sdks3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *sdks3.PutObjectInput, opts ...func(*sdks3.Options)) (*sdks3.PutObjectOutput, error)
}

// Result is what a publish did.
type Result struct {
	// Uploaded are the keys written, in upload order.
	Uploaded []string
	// Unchanged counts the files already in the bucket as they are.
	Unchanged int
	// Invalidate are the paths CloudFront may hold an old copy of: the
	// uploaded files that are not content-hashed (index.html, config.json).
	Invalidate []string
}

// Publisher uploads a plan to a bucket.
type Publisher struct {
	S3     ObjectStore
	Bucket string
	// Workers is how many requests run at once (8 when 0).
	Workers int
}

// Publish uploads the files whose body, type or caching differ from the
// bucket's copy, phase by phase (see phase). Files in the bucket that are
// not in the plan stay: open tabs may still load an older build's assets.
func (p Publisher) Publish(ctx context.Context, files []File) (Result, error) {
	var res Result
	changed, err := p.changed(ctx, files)
	if err != nil {
		return res, err
	}
	for start := 0; start < len(changed); {
		end := start
		for end < len(changed) && changed[end].Phase == changed[start].Phase {
			end++
		}
		if err := p.each(ctx, changed[start:end], p.put); err != nil {
			return res, err
		}
		for _, f := range changed[start:end] {
			res.Uploaded = append(res.Uploaded, f.Key)
			if !strings.HasPrefix(f.Key, hashedDir) {
				res.Invalidate = append(res.Invalidate, "/"+f.Key)
			}
		}
		start = end
	}
	res.Unchanged = len(files) - len(changed)
	return res, nil
}

// changed returns the files (in plan order) whose copy in the bucket is
// missing or differs.
func (p Publisher) changed(ctx context.Context, files []File) ([]File, error) {
	same := make([]bool, len(files))
	idx := map[string]int{}
	for i, f := range files {
		idx[f.Key] = i
	}
	err := p.each(ctx, files, func(ctx context.Context, f File) error {
		head, err := p.S3.HeadObject(ctx, &sdks3.HeadObjectInput{Bucket: aws.String(p.Bucket), Key: aws.String(f.Key)})
		if notFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("s3://%s/%s: %w", p.Bucket, f.Key, err)
		}
		sum := f.MD5()
		same[idx[f.Key]] = strings.Trim(aws.ToString(head.ETag), `"`) == hex.EncodeToString(sum[:]) &&
			aws.ToString(head.ContentType) == f.ContentType && aws.ToString(head.CacheControl) == f.CacheControl
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []File
	for i, f := range files {
		if !same[i] {
			out = append(out, f)
		}
	}
	return out, nil
}

func (p Publisher) put(ctx context.Context, f File) error {
	sum := f.MD5()
	_, err := p.S3.PutObject(ctx, &sdks3.PutObjectInput{
		Bucket:       aws.String(p.Bucket),
		Key:          aws.String(f.Key),
		Body:         bytes.NewReader(f.Body),
		ContentType:  aws.String(f.ContentType),
		CacheControl: aws.String(f.CacheControl),
		// S3 refuses the upload if the body arrives different.
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	})
	if err != nil {
		return fmt.Errorf("upload s3://%s/%s: %w", p.Bucket, f.Key, err)
	}
	return nil
}

// each runs fn on every file with p.Workers at once; the first error
// cancels the rest.
func (p Publisher) each(parent context.Context, files []File, fn func(context.Context, File) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	workers := p.Workers
	if workers <= 0 {
		workers = 8
	}
	jobs := make(chan File)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(workers, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				if err := fn(ctx, f); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for _, f := range files {
		select {
		case jobs <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	return parent.Err()
}

// notFound reports whether HeadObject found no object (404: the deploying
// identity may list the bucket, so S3 says so instead of 403).
func notFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}
