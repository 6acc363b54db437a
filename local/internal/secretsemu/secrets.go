// Package secretsemu emulates the part of AWS Secrets Manager onair uses
// (JSON 1.1, X-Amz-Target secretsmanager.*), so the functions' Secrets
// Manager adapter runs unchanged offline. Secrets persist in a bbolt file.
package secretsemu

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// Target prefix of this service's X-Amz-Target header.
const Target = "secretsmanager."

var bucket = []byte("secrets")

// Service is an http.Handler for POST / with a secretsmanager target.
type Service struct {
	db      *bbolt.DB
	region  string
	account string
	now     func() time.Time
}

type secret struct {
	ARN          string    `json:"arn"`
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	SecretString string    `json:"secretString"`
	VersionID    string    `json:"versionId"`
	Created      time.Time `json:"created"`
}

// Open opens (creating if needed) the secrets file at path.
func Open(path, region, account string, now func() time.Time) (*Service, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err }); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, region: region, account: account, now: now}, nil
}

// Close closes the file.
func (s *Service) Close() error { return s.db.Close() }

// Generate describes a generated secret, as GenerateSecretString does.
type Generate struct {
	Length             int
	ExcludePunctuation bool
	// Template and Key: the secret is Template (a JSON object) with Key set
	// to the generated string.
	Template string
	Key      string
}

// Ensure creates the secret name with a generated value unless it exists,
// and returns its ARN. The offline stack calls it for every
// AWS::SecretsManager::Secret of the template.
func (s *Service) Ensure(name, description string, g Generate) (string, error) {
	return s.ensure(name, description, func() (string, error) { return generate(g) })
}

// EnsureValue creates the secret name with value unless it exists, and
// returns its ARN (a template secret with a literal SecretString).
func (s *Service) EnsureValue(name, description, value string) (string, error) {
	return s.ensure(name, description, func() (string, error) { return value, nil })
}

// ensure returns the ARN of the secret name, creating it with value() first
// if it does not exist (an existing secret keeps its value across restarts).
func (s *Service) ensure(name, description string, value func() (string, error)) (string, error) {
	if sec, err := s.get(name); err == nil {
		return sec.ARN, nil
	}
	v, err := value()
	if err != nil {
		return "", err
	}
	sec, err := s.create(name, description, v)
	if err != nil {
		return "", err
	}
	return sec.ARN, nil
}

// Value returns the current value of the secret id (name or ARN).
func (s *Service) Value(id string) (string, error) {
	sec, err := s.get(id)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", id, err)
	}
	return sec.SecretString, nil
}

// SetValue replaces the value of the secret id, as PutSecretValue does.
func (s *Service) SetValue(id, value string) error {
	sec, err := s.get(id)
	if err != nil {
		return fmt.Errorf("secret %s: %w", id, err)
	}
	sec.SecretString, sec.VersionID = value, newVersion()
	return s.put(sec)
}

func generate(g Generate) (string, error) {
	n := g.Length
	if n <= 0 {
		n = 32
	}
	chars := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	if !g.ExcludePunctuation {
		chars += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
	}
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			return "", err
		}
		b[i] = chars[k.Int64()]
	}
	if g.Template == "" || g.Key == "" {
		return string(b), nil
	}
	obj := map[string]any{}
	if err := json.Unmarshal([]byte(g.Template), &obj); err != nil {
		return "", fmt.Errorf("SecretStringTemplate: %w", err)
	}
	obj[g.Key] = string(b)
	out, err := json.Marshal(obj)
	return string(out), err
}

func randomSuffix(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		b[i] = chars[k.Int64()]
	}
	return string(b)
}

func (s *Service) create(name, description, value string) (secret, error) {
	sec := secret{
		ARN:          fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", s.region, s.account, name, randomSuffix(6)),
		Name:         name,
		Description:  description,
		SecretString: value,
		VersionID:    newVersion(),
		Created:      s.now().UTC(),
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucket)
		if b.Get([]byte(name)) != nil {
			return errExists
		}
		raw, err := json.Marshal(sec)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), raw)
	})
	return sec, err
}

func newVersion() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

var (
	errExists   = errors.New("exists")
	errNotFound = errors.New("not found")
)

// get finds a secret by name or ARN (full, or without the random suffix).
func (s *Service) get(id string) (secret, error) {
	var out secret
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucket)
		if raw := b.Get([]byte(id)); raw != nil {
			return json.Unmarshal(raw, &out)
		}
		return b.ForEach(func(_, raw []byte) error {
			var sec secret
			if err := json.Unmarshal(raw, &sec); err != nil {
				return err
			}
			if sec.ARN == id || strings.HasPrefix(sec.ARN, id+"-") {
				out = sec
			}
			return nil
		})
	})
	if err == nil && out.ARN == "" {
		err = errNotFound
	}
	return out, err
}

func (s *Service) put(sec secret) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		raw, err := json.Marshal(sec)
		if err != nil {
			return err
		}
		return tx.Bucket(bucket).Put([]byte(sec.Name), raw)
	})
}

func writeErr(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "Message": msg})
}

func writeOK(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP dispatches on X-Amz-Target.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), Target)
	var in struct {
		SecretID     string `json:"SecretId"`
		Name         string `json:"Name"`
		Description  string `json:"Description"`
		SecretString string `json:"SecretString"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeErr(w, 400, "InvalidRequestException", "Malformed request body.")
		return
	}
	switch op {
	case "GetSecretValue":
		sec, err := s.get(in.SecretID)
		if err != nil {
			writeErr(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "SecretString": sec.SecretString,
			"VersionId": sec.VersionID, "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": float64(sec.Created.UnixMilli()) / 1000})
	case "CreateSecret":
		if in.Name == "" {
			writeErr(w, 400, "InvalidParameterException", "Name is required.")
			return
		}
		sec, err := s.create(in.Name, in.Description, in.SecretString)
		if errors.Is(err, errExists) {
			writeErr(w, 400, "ResourceExistsException", "The operation failed because the secret "+in.Name+" already exists.")
			return
		} else if err != nil {
			writeErr(w, 500, "InternalServiceError", err.Error())
			return
		}
		writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.VersionID})
	case "PutSecretValue":
		sec, err := s.get(in.SecretID)
		if err != nil {
			writeErr(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		sec.SecretString, sec.VersionID = in.SecretString, newVersion()
		if err := s.put(sec); err != nil {
			writeErr(w, 500, "InternalServiceError", err.Error())
			return
		}
		writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.VersionID, "VersionStages": []string{"AWSCURRENT"}})
	case "DescribeSecret":
		sec, err := s.get(in.SecretID)
		if err != nil {
			writeErr(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "Description": sec.Description})
	default:
		writeErr(w, 400, "UnknownOperationException", "Unknown operation "+op+".")
	}
}
