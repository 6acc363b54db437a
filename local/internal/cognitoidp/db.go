package cognitoidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// The database (cognito.db) has one bucket per kind of record. Keys:
//
//	users     userKey (the username, lowercased in case-insensitive pools) → userRecord
//	subs      sub → userKey
//	aliases   "<attribute>\x00<normalized value>" → userKey (active aliases only)
//	sessions  "<sub>/<origin_jti>" → sessionRecord (one per sign-in)
//	refresh   SHA-256 of a refresh token → session key
//	mail      sequence → Mail
//	meta      "signing-key" → PKCS#8 RSA key
const (
	bucketUsers    = "users"
	bucketSubs     = "subs"
	bucketAliases  = "aliases"
	bucketSessions = "sessions"
	bucketRefresh  = "refresh"
	bucketMail     = "mail"
	bucketMeta     = "meta"
)

func allBuckets() []string {
	return []string{bucketUsers, bucketSubs, bucketAliases, bucketSessions, bucketRefresh, bucketMail, bucketMeta}
}

// User statuses the emulator uses.
const (
	statusUnconfirmed = "UNCONFIRMED"
	statusConfirmed   = "CONFIRMED"
)

// Code purposes.
const (
	purposeSignUp = "signup"
	purposeReset  = "reset"
)

func purposeVerify(attr string) string { return "verify:" + attr }

type userRecord struct {
	Username      string                `json:"username"`
	Sub           string                `json:"sub"`
	Attributes    map[string]string     `json:"attributes"` // without sub
	Status        string                `json:"status"`
	Enabled       bool                  `json:"enabled"`
	Password      string                `json:"password"` // PBKDF2 hash, see password.go
	Created       time.Time             `json:"created"`
	Modified      time.Time             `json:"modified"`
	Codes         map[string]codeRecord `json:"codes,omitempty"`
	FailedSignIns int                   `json:"failedSignIns,omitempty"`
	LockedUntil   time.Time             `json:"lockedUntil,omitzero"`
}

type codeRecord struct {
	Hash      string    `json:"hash"`
	Attribute string    `json:"attribute"`
	Expires   time.Time `json:"expires"`
}

type sessionRecord struct {
	Sub         string    `json:"sub"`
	ClientID    string    `json:"clientId"`
	AuthTime    time.Time `json:"authTime"`
	EventID     string    `json:"eventId"`
	RefreshHash string    `json:"refreshHash"`
	Expires     time.Time `json:"expires"`
	Revoked     bool      `json:"revoked,omitempty"`
}

// txn wraps a bbolt transaction with the pool's rules for keys and aliases.
type txn struct {
	tx  *bbolt.Tx
	cfg *Config
}

func (s *Service) view(fn func(t *txn) error) error {
	return s.db.View(func(tx *bbolt.Tx) error { return fn(&txn{tx: tx, cfg: &s.cfg}) })
}

func (s *Service) update(fn func(t *txn) error) error {
	return s.db.Update(func(tx *bbolt.Tx) error { return fn(&txn{tx: tx, cfg: &s.cfg}) })
}

func (t *txn) bucket(name string) *bbolt.Bucket { return t.tx.Bucket([]byte(name)) }

func getJSON[T any](b *bbolt.Bucket, key string) (*T, error) {
	v := b.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	out := new(T)
	if err := json.Unmarshal(v, out); err != nil {
		return nil, fmt.Errorf("decode record %q: %w", key, err)
	}
	return out, nil
}

func putJSON(b *bbolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}

// userKey is the key of a username: usernames differing only in case are
// the same user in a case-insensitive pool.
func (c *Config) userKey(username string) string {
	if c.CaseSensitive {
		return username
	}
	return strings.ToLower(username)
}

func (c *Config) aliasKey(attr, value string) string {
	if !c.CaseSensitive || attr == "email" {
		value = strings.ToLower(value)
	}
	return attr + "\x00" + value
}

func (t *txn) user(key string) (*userRecord, error) {
	return getJSON[userRecord](t.bucket(bucketUsers), key)
}

func (t *txn) userBySub(sub string) (*userRecord, error) {
	key := t.bucket(bucketSubs).Get([]byte(sub))
	if key == nil {
		return nil, nil
	}
	return t.user(string(key))
}

func (t *txn) aliasOwner(attr, value string) string {
	return string(t.bucket(bucketAliases).Get([]byte(t.cfg.aliasKey(attr, value))))
}

// activeAliases are the alias attributes of u that sign-in resolves: a
// verified email or phone number, and preferred_username once confirmed.
func (c *Config) activeAliases(u *userRecord) map[string]string {
	out := map[string]string{}
	for _, attr := range c.AliasAttributes {
		v := u.Attributes[attr]
		if v == "" {
			continue
		}
		switch attr {
		case "email", "phone_number":
			if u.Attributes[attr+"_verified"] == "true" {
				out[attr] = v
			}
		case "preferred_username":
			if u.Status == statusConfirmed {
				out[attr] = v
			}
		}
	}
	return out
}

// aliasConflict returns the first alias of u that another user holds (as an
// alias, or for preferred_username also as a username), or "".
func (t *txn) aliasConflict(u *userRecord) (string, error) {
	me := t.cfg.userKey(u.Username)
	for attr, v := range t.cfg.activeAliases(u) {
		if owner := t.aliasOwner(attr, v); owner != "" && owner != me {
			return attr, nil
		}
		if attr == "preferred_username" {
			other, err := t.user(t.cfg.userKey(v))
			if err != nil {
				return "", err
			}
			if other != nil && other.Sub != u.Sub {
				return attr, nil
			}
		}
	}
	return "", nil
}

// putUser stores u and keeps the sub and alias indexes in step. Callers check
// alias conflicts first (aliasConflict); putUser takes over any alias u holds.
func (t *txn) putUser(u *userRecord) error {
	key := t.cfg.userKey(u.Username)
	old, err := t.user(key)
	if err != nil {
		return err
	}
	aliases := t.bucket(bucketAliases)
	if old != nil {
		for attr, v := range t.cfg.activeAliases(old) {
			ak := []byte(t.cfg.aliasKey(attr, v))
			if string(aliases.Get(ak)) == key {
				if err := aliases.Delete(ak); err != nil {
					return err
				}
			}
		}
	}
	for attr, v := range t.cfg.activeAliases(u) {
		if err := aliases.Put([]byte(t.cfg.aliasKey(attr, v)), []byte(key)); err != nil {
			return err
		}
	}
	if err := t.bucket(bucketSubs).Put([]byte(u.Sub), []byte(key)); err != nil {
		return err
	}
	return putJSON(t.bucket(bucketUsers), key, u)
}

// releaseAlias takes alias attr away from the user holding it (ForceAliasCreation):
// a verified email or phone number becomes unverified.
func (t *txn) releaseAlias(attr, value string) error {
	owner := t.aliasOwner(attr, value)
	if owner == "" {
		return nil
	}
	u, err := t.user(owner)
	if err != nil || u == nil {
		return err
	}
	switch attr {
	case "email", "phone_number":
		u.Attributes[attr+"_verified"] = "false"
	default:
		delete(u.Attributes, attr)
	}
	return t.putUser(u)
}

func (t *txn) deleteUser(u *userRecord) error {
	key := t.cfg.userKey(u.Username)
	aliases := t.bucket(bucketAliases)
	for attr, v := range t.cfg.activeAliases(u) {
		ak := []byte(t.cfg.aliasKey(attr, v))
		if string(aliases.Get(ak)) == key {
			if err := aliases.Delete(ak); err != nil {
				return err
			}
		}
	}
	if err := t.revokeSessions(u.Sub, ""); err != nil {
		return err
	}
	if err := t.bucket(bucketSubs).Delete([]byte(u.Sub)); err != nil {
		return err
	}
	return t.bucket(bucketUsers).Delete([]byte(key))
}

// resolve finds the user a login name refers to: the username, then an
// active alias, then (for admin calls) the sub.
func (t *txn) resolve(login string, allowSub bool) (*userRecord, error) {
	if login == "" {
		return nil, nil
	}
	u, err := t.user(t.cfg.userKey(login))
	if u != nil || err != nil {
		return u, err
	}
	for _, attr := range t.cfg.AliasAttributes {
		if key := t.aliasOwner(attr, login); key != "" {
			return t.user(key)
		}
	}
	if allowSub {
		return t.userBySub(login)
	}
	return nil, nil
}

func sessionKey(sub, originJTI string) string { return sub + "/" + originJTI }

func (t *txn) session(sub, originJTI string) (*sessionRecord, error) {
	return getJSON[sessionRecord](t.bucket(bucketSessions), sessionKey(sub, originJTI))
}

func (t *txn) putSession(originJTI string, s *sessionRecord) error {
	key := sessionKey(s.Sub, originJTI)
	if err := t.bucket(bucketRefresh).Put([]byte(s.RefreshHash), []byte(key)); err != nil {
		return err
	}
	return putJSON(t.bucket(bucketSessions), key, s)
}

// sessionByRefresh returns the session a refresh token belongs to.
func (t *txn) sessionByRefresh(hash string) (string, *sessionRecord, error) {
	key := t.bucket(bucketRefresh).Get([]byte(hash))
	if key == nil {
		return "", nil, nil
	}
	s, err := getJSON[sessionRecord](t.bucket(bucketSessions), string(key))
	return string(key), s, err
}

// revokeSessions marks the user's sessions revoked (all of them, or only
// originJTI). Revoked sessions stay until they expire so that their tokens
// are reported as revoked rather than unknown.
func (t *txn) revokeSessions(sub, originJTI string) error {
	b := t.bucket(bucketSessions)
	prefix := []byte(sub + "/")
	if originJTI != "" {
		prefix = []byte(sessionKey(sub, originJTI))
	}
	type kv struct {
		k []byte
		s *sessionRecord
	}
	var todo []kv
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		s := new(sessionRecord)
		if err := json.Unmarshal(v, s); err != nil {
			return err
		}
		if !s.Revoked {
			s.Revoked = true
			todo = append(todo, kv{bytes.Clone(k), s})
		}
	}
	for _, e := range todo {
		if err := putJSON(b, string(e.k), e.s); err != nil {
			return err
		}
	}
	return nil
}

// purgeSessions deletes the user's sessions whose refresh token has expired.
func (t *txn) purgeSessions(sub string, now time.Time) error {
	b := t.bucket(bucketSessions)
	prefix := []byte(sub + "/")
	var expired []*sessionRecord
	var keys [][]byte
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		s := new(sessionRecord)
		if err := json.Unmarshal(v, s); err != nil {
			return err
		}
		if now.After(s.Expires) {
			expired = append(expired, s)
			keys = append(keys, bytes.Clone(k))
		}
	}
	for i, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
		if err := t.bucket(bucketRefresh).Delete([]byte(expired[i].RefreshHash)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) openDB(path string) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets() {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return errors.Join(err, db.Close())
	}
	s.db = db
	return nil
}
