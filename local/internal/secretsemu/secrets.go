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
	"sort"
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
	// Deleted is set by DeleteSecret with a recovery window: the secret
	// is then "marked for deletion" (its value cannot be read or changed).
	Deleted *time.Time `json:"deleted,omitempty"`
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
	return s.createVersion(name, description, value, "")
}

// createVersion creates a secret whose first version is versionID (the
// request's ClientRequestToken, which AWS uses as the VersionId), or a new
// id when it is empty.
func (s *Service) createVersion(name, description, value, versionID string) (secret, error) {
	if versionID == "" {
		versionID = newVersion()
	}
	sec := secret{
		ARN:          fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", s.region, s.account, name, randomSuffix(6)),
		Name:         name,
		Description:  description,
		SecretString: value,
		VersionID:    versionID,
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

// request is the union of the operations' inputs.
type request struct {
	SecretID     string `json:"SecretId"`
	Name         string `json:"Name"`
	Description  string `json:"Description"`
	SecretString string `json:"SecretString"`
	// ClientRequestToken becomes the new version's VersionId (the SDKs
	// fill it in); a repeated token with the same value is a no-op.
	ClientRequestToken         string `json:"ClientRequestToken"`
	RecoveryWindowInDays       int64  `json:"RecoveryWindowInDays"`
	ForceDeleteWithoutRecovery bool   `json:"ForceDeleteWithoutRecovery"`
}

// handlers is the dispatch table: operation name → handler.
func (s *Service) handlers() map[string]func(http.ResponseWriter, *request) {
	return map[string]func(http.ResponseWriter, *request){
		"GetSecretValue": s.getSecretValue,
		"CreateSecret":   s.createSecret,
		"PutSecretValue": s.putSecretValue,
		"DescribeSecret": s.describeSecret,
		"DeleteSecret": func(w http.ResponseWriter, in *request) {
			s.deleteSecret(w, in.SecretID, in.RecoveryWindowInDays, in.ForceDeleteWithoutRecovery)
		},
	}
}

// Operations lists the API operations ServeHTTP serves, sorted: what the
// conformance suite (local/conformance/secrets) must cover.
func Operations() []string {
	var names []string
	for n := range (*Service)(nil).handlers() { // method values only: nothing is called
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ServeHTTP dispatches on X-Amz-Target.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), Target)
	handle, ok := s.handlers()[op]
	if !ok {
		writeErr(w, 400, "UnknownOperationException", "Unknown operation "+op+".")
		return
	}
	var in request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeErr(w, 400, "InvalidRequestException", "Malformed request body.")
		return
	}
	handle(w, &in)
}

func (s *Service) getSecretValue(w http.ResponseWriter, in *request) {
	sec, ok := s.live(w, in.SecretID)
	if !ok {
		return
	}
	writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "SecretString": sec.SecretString,
		"VersionId": sec.VersionID, "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": float64(sec.Created.UnixMilli()) / 1000})
}

func (s *Service) createSecret(w http.ResponseWriter, in *request) {
	if in.Name == "" {
		writeErr(w, 400, "InvalidParameterException", "Name is required.")
		return
	}
	if old, err := s.get(in.Name); err == nil && old.Deleted != nil {
		writeErr(w, 400, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")
		return
	}
	sec, err := s.createVersion(in.Name, in.Description, in.SecretString, in.ClientRequestToken)
	if errors.Is(err, errExists) {
		writeErr(w, 400, "ResourceExistsException", "The operation failed because the secret "+in.Name+" already exists.")
		return
	} else if err != nil {
		writeErr(w, 500, "InternalServiceError", err.Error())
		return
	}
	writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.VersionID})
}

func (s *Service) putSecretValue(w http.ResponseWriter, in *request) {
	sec, ok := s.live(w, in.SecretID)
	if !ok {
		return
	}
	version := in.ClientRequestToken
	if version == "" {
		version = newVersion()
	}
	if version == sec.VersionID && in.SecretString != sec.SecretString {
		writeErr(w, 400, "ResourceExistsException", "A version with this ClientRequestToken already exists with a different value.")
		return
	}
	sec.SecretString, sec.VersionID = in.SecretString, version
	if err := s.put(sec); err != nil {
		writeErr(w, 500, "InternalServiceError", err.Error())
		return
	}
	writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.VersionID, "VersionStages": []string{"AWSCURRENT"}})
}

func (s *Service) describeSecret(w http.ResponseWriter, in *request) {
	sec, err := s.get(in.SecretID)
	if err != nil {
		writeErr(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	out := map[string]any{"ARN": sec.ARN, "Name": sec.Name, "Description": sec.Description,
		"CreatedDate": float64(sec.Created.UnixMilli()) / 1000}
	if sec.Deleted != nil {
		out["DeletedDate"] = float64(sec.Deleted.UnixMilli()) / 1000
	}
	writeOK(w, out)
}

// live finds a secret that is not marked for deletion, or writes the error
// AWS answers.
func (s *Service) live(w http.ResponseWriter, id string) (secret, bool) {
	sec, err := s.get(id)
	if err != nil {
		writeErr(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return secret{}, false
	}
	if sec.Deleted != nil {
		writeErr(w, 400, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
		return secret{}, false
	}
	return sec, true
}

// deleteSecret removes the secret at once (ForceDeleteWithoutRecovery) or
// marks it for deletion after the recovery window (7 to 30 days, default
// 30); the window itself is not run offline.
func (s *Service) deleteSecret(w http.ResponseWriter, id string, windowDays int64, force bool) {
	if force && windowDays != 0 {
		writeErr(w, 400, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
		return
	}
	if windowDays == 0 {
		windowDays = 30
	}
	if !force && (windowDays < 7 || windowDays > 30) {
		writeErr(w, 400, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		return
	}
	sec, err := s.get(id)
	if err != nil {
		writeErr(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	now := s.now().UTC()
	when := now
	if force {
		err = s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucket).Delete([]byte(sec.Name)) })
	} else {
		when = now.AddDate(0, 0, int(windowDays))
		if sec.Deleted == nil {
			sec.Deleted = &now
			err = s.put(sec)
		}
	}
	if err != nil {
		writeErr(w, 500, "InternalServiceError", err.Error())
		return
	}
	writeOK(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "DeletionDate": float64(when.UnixMilli()) / 1000})
}
