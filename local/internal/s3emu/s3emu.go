// Package s3emu emulates the part of Amazon S3 the channel-assets flow uses,
// path-style ("http://127.0.0.1:4566/<bucket>/<key>"), so the functions' S3
// adapter and the browser's upload run unchanged offline:
//
//   - browser uploads with a presigned POST (multipart form): the policy's
//     signature (Signature Version 4, with the stack's static credentials),
//     expiry and conditions (exact and starts-with fields, Content-Type,
//     content-length-range) are checked as S3 checks them;
//   - versioned buckets: every upload is a new version (x-amz-version-id),
//     deleting adds a delete marker, a version can be read or deleted by id;
//   - GetObject/HeadObject (with versionId) serve the image with its content
//     type and Cache-Control; PutObject (checking a Content-MD5),
//     DeleteObject, ListObjectVersions and DeleteObjects (account deletion)
//     answer the SDK in S3's REST XML; the web app's upload
//     (local/webpublish) uses PutObject and HeadObject;
//   - CORS for the web app's origins, exposing Location, x-amz-version-id,
//     Date and ETag, as the template's bucket does;
//   - after each created object, OnObjectCreated receives the S3 event
//     notification (JSON, as S3 sends it to SQS), with increasing sequencers.
//
// Reads are served without authentication: offline, the emulator also stands
// in for the CloudFront distribution that serves the images. Other requests
// must carry a SigV4 Authorization header of a known access key whose
// signature, recomputed over the canonical request, matches (and a signed
// body's SHA-256 is checked), as the POST policy's signature is.
//
// Metadata lives in a bbolt file, object bodies in files under the data dir.
package s3emu

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// Config configures the emulator.
type Config struct {
	// DataDir holds s3.db (metadata) and s3/ (object bodies).
	DataDir string
	// Buckets are the buckets that exist (versioning enabled).
	Buckets []string
	// Region is the region signatures must be scoped to ("" accepts any).
	Region string
	// Credentials maps access key ids to secret keys; nil means the offline
	// stack's static credentials, "local"/"local".
	Credentials map[string]string
	// AllowedOrigins may make cross-origin requests ("*" for any).
	AllowedOrigins []string
	// PublicURL is the base of Location headers ("http://127.0.0.1:4566");
	// empty: the request's own host.
	PublicURL string
	// MaxObjectBytes bounds an object (64 MiB when 0).
	MaxObjectBytes int64
	// OnObjectCreated is called after each object is stored, with the S3
	// event notification ({"Records":[...]}, one record). It runs on the
	// request's goroutine before the response is sent: start a goroutine for
	// slow work.
	OnObjectCreated func(event []byte)
	Now             func() time.Time
	Logger          *slog.Logger
}

// Service is the emulator; its Handler serves S3's REST API.
type Service struct {
	cfg     Config
	db      *bbolt.DB
	dir     string
	buckets map[string]bool

	mu      sync.Mutex // orders version creation (sequencers)
	lastSeq uint64
}

var (
	objectsBucket = []byte("objects") // <bucket>\x00<key> → versions (JSON)
	metaBucket    = []byte("meta")
	seqKey        = []byte("sequencer")
)

// DefaultCredentials are the offline stack's static credentials.
var DefaultCredentials = map[string]string{"local": "local"}

// Open opens (creating if needed) the emulator's state under cfg.DataDir.
func Open(cfg Config) (*Service, error) {
	if cfg.Credentials == nil {
		cfg.Credentials = DefaultCredentials
	}
	if cfg.MaxObjectBytes <= 0 {
		cfg.MaxObjectBytes = 64 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(cfg.DataDir, "s3")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("s3emu: %w", err)
	}
	db, err := bbolt.Open(filepath.Join(cfg.DataDir, "s3.db"), 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("s3emu: open: %w", err)
	}
	s := &Service{cfg: cfg, db: db, dir: dir, buckets: map[string]bool{}}
	for _, b := range cfg.Buckets {
		if !validBucketName(b) {
			_ = db.Close()
			return nil, fmt.Errorf("s3emu: invalid bucket name %q", b)
		}
		s.buckets[b] = true
		if err := os.MkdirAll(filepath.Join(dir, b), 0o700); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("s3emu: %w", err)
		}
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(objectsBucket); err != nil {
			return err
		}
		m, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		if v := m.Get(seqKey); v != nil {
			_, err = fmt.Sscanf(string(v), "%x", &s.lastSeq)
		}
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("s3emu: init: %w", err)
	}
	return s, nil
}

// Close closes the metadata file.
func (s *Service) Close() error { return s.db.Close() }

// HasBucket reports whether bucket exists.
func (s *Service) HasBucket(bucket string) bool { return s.buckets[bucket] }

func validBucketName(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// version is one version of a key: an object or a delete marker.
type version struct {
	ID           string    `json:"id"`
	DeleteMarker bool      `json:"deleteMarker,omitempty"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag,omitempty"` // quoted, as S3 sends it
	ContentType  string    `json:"contentType,omitempty"`
	CacheControl string    `json:"cacheControl,omitempty"`
	LastModified time.Time `json:"lastModified"`
	Sequencer    string    `json:"sequencer"`
}

// Object is a stored object version, for in-process callers (tests, the
// offline program).
type Object struct {
	Bucket, Key  string
	VersionID    string
	ContentType  string
	CacheControl string
	ETag         string
	Size         int64
	Body         []byte
}

func objectKey(bucket, key string) []byte { return []byte(bucket + "\x00" + key) }

func (s *Service) bodyPath(bucket, versionID string) string {
	return filepath.Join(s.dir, bucket, versionID)
}

// newVersionID is an opaque id as S3's look: 32 URL-safe characters.
func newVersionID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// nextSequencer returns a sequencer greater than any given before, also
// across restarts: fixed-width hex, so string order is event order. Called
// with s.mu held, inside the write transaction that stores the version.
func (s *Service) nextSequencer(tx *bbolt.Tx) (string, error) {
	n := uint64(s.cfg.Now().UnixNano())
	if n <= s.lastSeq {
		n = s.lastSeq + 1
	}
	seq := fmt.Sprintf("%016X", n)
	if err := tx.Bucket(metaBucket).Put(seqKey, []byte(seq)); err != nil {
		return "", err
	}
	s.lastSeq = n
	return seq, nil
}

func loadVersions(tx *bbolt.Tx, bucket, key string) ([]version, error) {
	raw := tx.Bucket(objectsBucket).Get(objectKey(bucket, key))
	if raw == nil {
		return nil, nil
	}
	var vs []version
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, fmt.Errorf("s3emu: corrupt versions of %s/%s: %w", bucket, key, err)
	}
	return vs, nil
}

func storeVersions(tx *bbolt.Tx, bucket, key string, vs []version) error {
	if len(vs) == 0 {
		return tx.Bucket(objectsBucket).Delete(objectKey(bucket, key))
	}
	raw, err := json.Marshal(vs)
	if err != nil {
		return err
	}
	return tx.Bucket(objectsBucket).Put(objectKey(bucket, key), raw)
}

// addVersion records v (newest) of key, assigning its sequencer.
func (s *Service) addVersion(bucket, key string, v version) (version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		vs, err := loadVersions(tx, bucket, key)
		if err != nil {
			return err
		}
		if v.Sequencer, err = s.nextSequencer(tx); err != nil {
			return err
		}
		return storeVersions(tx, bucket, key, append(vs, v))
	})
	return v, err
}

// errNoSuchVersion: the version id does not exist.
var errNoSuchVersion = errors.New("no such version")

// removeVersion permanently deletes one version of key; it returns what was
// removed.
func (s *Service) removeVersion(bucket, key, versionID string) (version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var removed version
	err := s.db.Update(func(tx *bbolt.Tx) error {
		vs, err := loadVersions(tx, bucket, key)
		if err != nil {
			return err
		}
		for i, v := range vs {
			if v.ID == versionID {
				removed = v
				return storeVersions(tx, bucket, key, append(vs[:i:i], vs[i+1:]...))
			}
		}
		return errNoSuchVersion
	})
	if err == nil && !removed.DeleteMarker {
		_ = os.Remove(s.bodyPath(bucket, versionID))
	}
	return removed, err
}

// lookup returns key's version versionID, or its latest ("" id).
func (s *Service) lookup(bucket, key, versionID string) (version, bool, error) {
	var found version
	var ok bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		vs, err := loadVersions(tx, bucket, key)
		if err != nil || len(vs) == 0 {
			return err
		}
		if versionID == "" {
			found, ok = vs[len(vs)-1], true
			return nil
		}
		for _, v := range vs {
			if v.ID == versionID {
				found, ok = v, true
			}
		}
		return nil
	})
	return found, ok, err
}

// GetObject returns the latest version of key (or versionID), for
// in-process callers. ok is false when there is none (or it is deleted).
func (s *Service) GetObject(bucket, key, versionID string) (Object, bool, error) {
	v, ok, err := s.lookup(bucket, key, versionID)
	if err != nil || !ok || v.DeleteMarker {
		return Object{}, false, err
	}
	body, err := os.ReadFile(s.bodyPath(bucket, v.ID))
	if err != nil {
		return Object{}, false, fmt.Errorf("s3emu: body of %s/%s: %w", bucket, key, err)
	}
	return Object{Bucket: bucket, Key: key, VersionID: v.ID, ContentType: v.ContentType, CacheControl: v.CacheControl, ETag: v.ETag, Size: v.Size, Body: body}, true, nil
}

// listEntry is one version in ListObjectVersions order.
type listEntry struct {
	Key    string
	V      version
	Latest bool
}

// listVersions returns the versions of keys under prefix in S3's order (key
// ascending, newest version first), starting after the markers, at most max
// (+1 to tell whether there are more).
func (s *Service) listVersions(bucket, prefix, keyMarker, versionMarker string, max int) ([]listEntry, error) {
	var out []listEntry
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(objectsBucket).Cursor()
		start := objectKey(bucket, prefix)
		for k, raw := c.Seek(start); k != nil && strings.HasPrefix(string(k), string(start)); k, raw = c.Next() {
			key := strings.TrimPrefix(string(k), bucket+"\x00")
			if keyMarker != "" && key < keyMarker {
				continue
			}
			var vs []version
			if err := json.Unmarshal(raw, &vs); err != nil {
				return fmt.Errorf("s3emu: corrupt versions of %s/%s: %w", bucket, key, err)
			}
			skipping := key == keyMarker
			for i := len(vs) - 1; i >= 0; i-- {
				if skipping {
					// With a version marker, resume after it; a key marker
					// alone skips the whole key.
					if versionMarker != "" && vs[i].ID == versionMarker {
						skipping = false
					}
					continue
				}
				out = append(out, listEntry{Key: key, V: vs[i], Latest: i == len(vs)-1})
				if len(out) > max {
					return nil
				}
			}
		}
		return nil
	})
	return out, err
}
