package s3emu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// exposedHeaders are the response headers a cross-origin page may read (the
// template's bucket CORS rule).
const exposedHeaders = "Location, x-amz-version-id, Date, ETag"

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// Match reports whether r is addressed to one of the emulator's buckets
// (path-style: the first path segment is the bucket), so the offline AWS
// endpoint can route S3 requests here.
func (s *Service) Match(r *http.Request) bool {
	bucket, _ := splitPath(r.URL.Path)
	return s.buckets[bucket]
}

func splitPath(p string) (bucket, key string) {
	p = strings.TrimPrefix(p, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// Operations lists what Handler serves, as "S3/<Operation>" (PostObject is
// the browser's form upload, CORSPreflight its OPTIONS request): what the
// conformance suite (local/conformance/s3) must cover.
func Operations() []string {
	return []string{"S3/CORSPreflight", "S3/DeleteObject", "S3/DeleteObjects", "S3/GetObject", "S3/HeadObject",
		"S3/ListObjectVersions", "S3/PostObject", "S3/PutObject"}
}

// Handler serves S3's REST API, path-style.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key := splitPath(r.URL.Path)
	if !s.buckets[bucket] {
		s.fail(w, r, newAPIError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"))
		return
	}
	if r.Method == http.MethodOptions {
		s.preflight(w, r)
		return
	}
	s.cors(w, r)
	q := r.URL.Query()
	var err *apiError
	switch {
	case key == "" && r.Method == http.MethodPost && q.Has("delete"):
		err = s.authorized(r, s.deleteObjects(w, r, bucket))
	case key == "" && r.Method == http.MethodPost:
		err = s.postUpload(w, r, bucket)
	case key == "" && r.Method == http.MethodGet && q.Has("versions"):
		err = s.authorized(r, s.listObjectVersions(w, r, bucket))
	case key == "":
		err = newAPIError(http.StatusNotImplemented, "NotImplemented", "s3emu implements no %s on a bucket (only POST uploads, ?versions, ?delete).", r.Method)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		err = s.getObject(w, r, bucket, key)
	case r.Method == http.MethodPut:
		err = s.authorized(r, s.putObject(w, r, bucket, key))
	case r.Method == http.MethodDelete:
		err = s.authorized(r, s.deleteObject(w, r, bucket, key))
	default:
		err = newAPIError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
	if err != nil {
		s.fail(w, r, err)
	}
}

// authorized runs op only for requests that carry a valid Signature Version
// 4 Authorization header of a known access key (verifySigV4).
func (s *Service) authorized(r *http.Request, op func() *apiError) *apiError {
	if err := s.verifySigV4(r); err != nil {
		return err
	}
	return op()
}

// --- CORS ---

func (s *Service) originAllowed(origin string) bool {
	return origin != "" && (slices.Contains(s.cfg.AllowedOrigins, "*") || slices.Contains(s.cfg.AllowedOrigins, origin))
}

func (s *Service) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if !s.originAllowed(origin) {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", exposedHeaders)
}

var corsMethods = []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost}

func (s *Service) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if !s.originAllowed(origin) || !slices.Contains(corsMethods, method) {
		s.fail(w, r, errAccessDenied("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."))
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Methods", strings.Join(corsMethods, ", "))
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Expose-Headers", exposedHeaders)
	h.Set("Access-Control-Max-Age", "3000")
	w.WriteHeader(http.StatusOK)
}

// --- uploads ---

// postUpload stores a browser upload (a presigned POST). S3 reads the form
// fields up to the file and ignores anything after it.
func (s *Service) postUpload(w http.ResponseWriter, r *http.Request, bucket string) *apiError {
	mr, err := r.MultipartReader()
	if err != nil {
		return errInvalidArgument("POST requires a multipart/form-data body.")
	}
	form := postForm{fields: map[string]string{}}
	var tmp *os.File
	var fileContentType, fileName string
	defer func() {
		if tmp != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return newAPIError(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			fileContentType, fileName = part.Header.Get("Content-Type"), part.FileName()
			if tmp, err = os.CreateTemp(s.dir, "upload-*"); err != nil {
				return errInternal(err)
			}
			n, err := io.Copy(tmp, io.LimitReader(part, s.cfg.MaxObjectBytes+1))
			if err != nil {
				return newAPIError(http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
			}
			if n > s.cfg.MaxObjectBytes {
				return newAPIError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
			}
			form.size = n
			break
		}
		v, err := io.ReadAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return newAPIError(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
		}
		if _, dup := form.fields[name]; dup {
			return errInvalidArgument("POST requires exactly one value for each field; %s is repeated.", name)
		}
		form.fields[name] = string(v)
	}
	if tmp == nil {
		return errInvalidArgument("POST requires exactly one file upload per request.")
	}
	key := strings.ReplaceAll(form.fields["key"], "${filename}", fileName)
	if key == "" {
		return errInvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
	}
	form.fields["key"] = key
	if apiErr := s.checkPost(bucket, form); apiErr != nil {
		return apiErr
	}
	contentType := form.fields["content-type"]
	if contentType == "" {
		contentType = fileContentType
	}
	v, apiErr := s.store(bucket, key, tmp, objectMeta{ContentType: contentType, CacheControl: form.fields["cache-control"]})
	if apiErr != nil {
		return apiErr
	}
	tmp = nil // now the version's body
	s.notify(r, bucket, key, v, "ObjectCreated:Post")

	location := s.publicURL(r) + "/" + bucket + "/" + escapeKey(key)
	h := w.Header()
	h.Set("Location", location)
	h.Set("ETag", v.ETag)
	h.Set("x-amz-version-id", v.ID)
	switch form.fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		writeXML(w, http.StatusCreated, struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string
			Bucket   string
			Key      string
			ETag     string
		}{Location: location, Bucket: bucket, Key: key, ETag: v.ETag})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// putObject stores the request body (PutObject).
func (s *Service) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) func() *apiError {
	return func() *apiError {
		if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
			return newAPIError(http.StatusNotImplemented, "NotImplemented", "s3emu does not decode aws-chunked bodies; send the checksum as a header.")
		}
		tmp, err := os.CreateTemp(s.dir, "upload-*")
		if err != nil {
			return errInternal(err)
		}
		defer func() {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}()
		n, err := io.Copy(tmp, io.LimitReader(r.Body, s.cfg.MaxObjectBytes+1))
		if errors.Is(err, errPayloadHash) {
			return errContentSHA256Mismatch()
		}
		if err != nil {
			return newAPIError(http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
		}
		if n > s.cfg.MaxObjectBytes {
			return newAPIError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		}
		v, apiErr := s.store(bucket, key, tmp, objectMeta{ContentType: r.Header.Get("Content-Type"),
			CacheControl: r.Header.Get("Cache-Control"), ContentMD5: r.Header.Get("Content-MD5")})
		if apiErr != nil {
			return apiErr
		}
		s.notify(r, bucket, key, v, "ObjectCreated:Put")
		w.Header().Set("ETag", v.ETag)
		w.Header().Set("x-amz-version-id", v.ID)
		w.WriteHeader(http.StatusOK)
		return nil
	}
}

// objectMeta is what an upload says about its object.
type objectMeta struct {
	ContentType, CacheControl string
	// ContentMD5 (base64), when sent, must be the body's MD5, as S3 checks.
	ContentMD5 string
}

// store makes the file tmp the body of a new version of key.
func (s *Service) store(bucket, key string, tmp *os.File, meta objectMeta) (version, *apiError) {
	if len(key) > 1024 {
		return version{}, newAPIError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	}
	contentType := meta.ContentType
	if contentType == "" {
		contentType = "binary/octet-stream"
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return version{}, errInternal(err)
	}
	h := md5.New()
	size, err := io.Copy(h, tmp)
	if err != nil {
		return version{}, errInternal(err)
	}
	if err := tmp.Close(); err != nil {
		return version{}, errInternal(err)
	}
	sum := h.Sum(nil)
	if meta.ContentMD5 != "" {
		want, err := base64.StdEncoding.DecodeString(meta.ContentMD5)
		if err != nil || len(want) != md5.Size {
			return version{}, newAPIError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		if !bytes.Equal(want, sum) {
			return version{}, newAPIError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	v := version{ID: newVersionID(), Size: size, ETag: `"` + hex.EncodeToString(sum) + `"`,
		ContentType: contentType, CacheControl: meta.CacheControl, LastModified: s.cfg.Now().UTC().Truncate(time.Millisecond)}
	if err := os.Rename(tmp.Name(), s.bodyPath(bucket, v.ID)); err != nil {
		return version{}, errInternal(err)
	}
	v, err = s.addVersion(bucket, key, v)
	if err != nil {
		_ = os.Remove(s.bodyPath(bucket, v.ID))
		return version{}, errInternal(err)
	}
	return v, nil
}

// --- reads ---

func (s *Service) getObject(w http.ResponseWriter, r *http.Request, bucket, key string) *apiError {
	versionID := r.URL.Query().Get("versionId")
	v, ok, err := s.lookup(bucket, key, versionID)
	switch {
	case err != nil:
		return errInternal(err)
	case !ok && versionID != "":
		return newAPIError(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.")
	case !ok:
		return newAPIError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	case v.DeleteMarker:
		w.Header().Set("x-amz-delete-marker", "true")
		w.Header().Set("x-amz-version-id", v.ID)
		if versionID != "" {
			return newAPIError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		}
		return newAPIError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	}
	f, err := os.Open(s.bodyPath(bucket, v.ID))
	if err != nil {
		return errInternal(err)
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", v.ContentType)
	if v.CacheControl != "" {
		h.Set("Cache-Control", v.CacheControl)
	}
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	h.Set("ETag", v.ETag)
	h.Set("Last-Modified", v.LastModified.Format(http.TimeFormat))
	h.Set("x-amz-version-id", v.ID)
	h.Set("Accept-Ranges", "bytes")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, f)
	}
	return nil
}

// --- deletes ---

// deleteResult is what deleting one key (or version) did.
type deleteResult struct {
	VersionID    string
	DeleteMarker bool
}

// remove deletes key as DeleteObject does: with a version id, that version
// for good; without, by adding a delete marker.
func (s *Service) remove(bucket, key, versionID string) (deleteResult, *apiError) {
	if versionID != "" {
		v, err := s.removeVersion(bucket, key, versionID)
		if errors.Is(err, errNoSuchVersion) {
			// S3 answers success for a version that is not there.
			return deleteResult{VersionID: versionID}, nil
		}
		if err != nil {
			return deleteResult{}, errInternal(err)
		}
		return deleteResult{VersionID: v.ID, DeleteMarker: v.DeleteMarker}, nil
	}
	v, err := s.addVersion(bucket, key, version{ID: newVersionID(), DeleteMarker: true, LastModified: s.cfg.Now().UTC().Truncate(time.Millisecond)})
	if err != nil {
		return deleteResult{}, errInternal(err)
	}
	return deleteResult{VersionID: v.ID, DeleteMarker: true}, nil
}

func (s *Service) deleteObject(w http.ResponseWriter, r *http.Request, bucket, key string) func() *apiError {
	return func() *apiError {
		res, apiErr := s.remove(bucket, key, r.URL.Query().Get("versionId"))
		if apiErr != nil {
			return apiErr
		}
		if res.DeleteMarker {
			w.Header().Set("x-amz-delete-marker", "true")
		}
		w.Header().Set("x-amz-version-id", res.VersionID)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, bucket string) func() *apiError {
	return func() *apiError {
		var req struct {
			Quiet   bool `xml:"Quiet"`
			Objects []struct {
				Key       string `xml:"Key"`
				VersionID string `xml:"VersionId"`
			} `xml:"Object"`
		}
		// Read to the end: a signed body's hash is checked there.
		raw, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
		if errors.Is(err, errPayloadHash) {
			return errContentSHA256Mismatch()
		}
		if err := xml.Unmarshal(raw, &req); err != nil {
			return newAPIError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		if len(req.Objects) == 0 || len(req.Objects) > 1000 {
			return newAPIError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		type deleted struct {
			Key                   string
			VersionID             string `xml:"VersionId,omitempty"`
			DeleteMarker          bool   `xml:",omitempty"`
			DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
		}
		type failed struct {
			Key       string
			VersionID string `xml:"VersionId,omitempty"`
			Code      string
			Message   string
		}
		out := struct {
			XMLName xml.Name  `xml:"DeleteResult"`
			Xmlns   string    `xml:"xmlns,attr"`
			Deleted []deleted `xml:"Deleted"`
			Errors  []failed  `xml:"Error"`
		}{Xmlns: xmlns}
		for _, o := range req.Objects {
			res, apiErr := s.remove(bucket, o.Key, o.VersionID)
			if apiErr != nil {
				out.Errors = append(out.Errors, failed{Key: o.Key, VersionID: o.VersionID, Code: apiErr.Code, Message: apiErr.Message})
				continue
			}
			if req.Quiet {
				continue
			}
			d := deleted{Key: o.Key, VersionID: o.VersionID, DeleteMarker: res.DeleteMarker}
			if o.VersionID == "" {
				d.DeleteMarkerVersionID = res.VersionID
			}
			out.Deleted = append(out.Deleted, d)
		}
		writeXML(w, http.StatusOK, out)
		return nil
	}
}

// --- listing ---

func (s *Service) listObjectVersions(w http.ResponseWriter, r *http.Request, bucket string) func() *apiError {
	return func() *apiError {
		q := r.URL.Query()
		maxKeys := 1000
		if v := q.Get("max-keys"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return errInvalidArgument("Provided max-keys not an integer or within integer range")
			}
			maxKeys = min(n, 1000)
		}
		prefix, keyMarker, versionMarker := q.Get("prefix"), q.Get("key-marker"), q.Get("version-id-marker")
		entries, err := s.listVersions(bucket, prefix, keyMarker, versionMarker, maxKeys)
		if err != nil {
			return errInternal(err)
		}
		type ver struct {
			XMLName      xml.Name
			Key          string
			VersionID    string `xml:"VersionId"`
			IsLatest     bool
			LastModified string
			ETag         string `xml:",omitempty"`
			Size         *int64 `xml:",omitempty"`
			StorageClass string `xml:",omitempty"`
		}
		out := struct {
			XMLName             xml.Name `xml:"ListVersionsResult"`
			Xmlns               string   `xml:"xmlns,attr"`
			Name                string
			Prefix              string
			KeyMarker           string
			VersionIDMarker     string `xml:"VersionIdMarker"`
			MaxKeys             int
			IsTruncated         bool
			NextKeyMarker       string `xml:",omitempty"`
			NextVersionIDMarker string `xml:"NextVersionIdMarker,omitempty"`
			Entries             []ver
		}{Xmlns: xmlns, Name: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIDMarker: versionMarker, MaxKeys: maxKeys}
		if len(entries) > maxKeys {
			entries = entries[:maxKeys]
			out.IsTruncated = true
			last := entries[len(entries)-1]
			out.NextKeyMarker, out.NextVersionIDMarker = last.Key, last.V.ID
		}
		for _, e := range entries {
			v := ver{Key: e.Key, VersionID: e.V.ID, IsLatest: e.Latest, LastModified: e.V.LastModified.Format("2006-01-02T15:04:05.000Z")}
			if e.V.DeleteMarker {
				v.XMLName = xml.Name{Local: "DeleteMarker"}
			} else {
				size := e.V.Size
				v.XMLName, v.ETag, v.Size, v.StorageClass = xml.Name{Local: "Version"}, e.V.ETag, &size, "STANDARD"
			}
			out.Entries = append(out.Entries, v)
		}
		writeXML(w, http.StatusOK, out)
		return nil
	}
}

// --- event notifications ---

// notify sends the ObjectCreated event notification of v to the hook.
func (s *Service) notify(r *http.Request, bucket, key string, v version, eventName string) {
	if s.cfg.OnObjectCreated == nil {
		return
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	region := s.cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	event := map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1",
		"eventSource":  "aws:s3",
		"awsRegion":    region,
		"eventTime":    v.LastModified.Format("2006-01-02T15:04:05.000Z"),
		"eventName":    eventName,
		"userIdentity": map[string]string{"principalId": "local"},
		"requestParameters": map[string]string{
			"sourceIPAddress": ip,
		},
		"responseElements": map[string]string{
			"x-amz-request-id": strings.ToUpper(v.ID[:16]),
			"x-amz-id-2":       v.ID,
		},
		"s3": map[string]any{
			"s3SchemaVersion": "1.0",
			"configurationId": "s3emu",
			"bucket": map[string]any{
				"name":          bucket,
				"ownerIdentity": map[string]string{"principalId": "local"},
				"arn":           "arn:aws:s3:::" + bucket,
			},
			"object": map[string]any{
				"key":       eventKey(key),
				"size":      v.Size,
				"eTag":      strings.Trim(v.ETag, `"`),
				"versionId": v.ID,
				"sequencer": v.Sequencer,
			},
		},
	}}}
	b, err := json.Marshal(event)
	if err != nil {
		s.cfg.Logger.Error("s3emu: event", "err", err)
		return
	}
	s.cfg.OnObjectCreated(b)
}

// eventKey encodes a key as event notifications do: URL-encoded as in a
// query string (a space is "+"), slashes kept.
func eventKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// escapeKey encodes a key for a URL path.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func (s *Service) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	return "http://" + r.Host
}

// --- responses ---

func errInternal(err error) *apiError {
	return newAPIError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again. (%v)", err)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.Status >= 500 {
		s.cfg.Logger.Error("s3emu request failed", "method", r.Method, "path", r.URL.Path, "err", e.Error())
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	writeXML(w, e.Status, struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string
		RequestID string `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, Resource: r.URL.Path, RequestID: fmt.Sprintf("%016X", time.Now().UnixNano())})
}
