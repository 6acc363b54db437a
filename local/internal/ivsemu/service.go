// Package ivsemu emulates the control planes of Amazon IVS (low-latency
// channels), IVS Chat (rooms, chat tokens) and IVS Real-Time (stages,
// participant tokens, public keys) for the offline stack.
//
// The three services share one rest-json handler (`POST /<OperationName>`,
// plus `GET|POST|DELETE /tags/{resourceArn}` dispatched by the ARN), with the
// field names, ID/ARN formats, ISO-8601 timestamps, status codes and error
// shapes of the real services, so the backend's aws-sdk-go-v2 clients (with
// BaseEndpoint set) and the AWS CLI (--endpoint-url) work unchanged.
//
// Beyond the APIs, Service exposes in-process hooks for the media side: the
// stream lifecycle (StartStream/EndStream, used by streamsim), stage
// participants (VerifyStageToken/Join/Publish/Unpublish/Leave, used by the
// SFU in local/internal/sfu), chat token redemption (used by chatws), timed
// metadata and AWS/IVS metric points.
//
// State lives in a bbolt file (<DataDir>/ivs.db) and survives restarts.
package ivsemu

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/onair/onair/local/internal/eventbus"
)

// DBFile is the name of the emulator's database file in the data directory.
const DBFile = "ivs.db"

// EventSink receives the EventBridge events the services emit (stage
// updates). *eventbus.Bus implements it.
type EventSink interface {
	Publish(ctx context.Context, ev eventbus.Event) (eventbus.Event, error)
}

// IngestHandler is the media side of a channel (today the stream simulation):
// StopStream asks it to disconnect the broadcaster; it then ends the stream
// with EndStream and emits the events IVS would.
type IngestHandler interface {
	StopStream(ctx context.Context, channelArn string) error
}

// KeyRevoker is implemented by ingest handlers that disconnect a broadcaster
// whose stream key was deleted.
type KeyRevoker interface {
	StreamKeyRevoked(ctx context.Context, channelArn string)
}

// Endpoints are the local addresses written into channels and stages.
type Endpoints struct {
	// IngestEndpoint is channel.ingestEndpoint (host[:port], no scheme, as
	// IVS returns it). Default "127.0.0.1:1935".
	IngestEndpoint string
	// SRTEndpoint is channel.srt.endpoint. Default "127.0.0.1:9000".
	SRTEndpoint string
	// PlaybackBaseURL: channel.playbackUrl is <PlaybackBaseURL>/<channelId>.m3u8.
	// Default "http://127.0.0.1:4566/hls".
	PlaybackBaseURL string
	// Stage endpoints (stage.endpoints and the token's events_url/whip_url).
	// Defaults: ws://127.0.0.1:4566/_local/stage-events,
	// http://127.0.0.1:4566/_local/whip, rtmp://127.0.0.1:1935/app/,
	// rtmps://127.0.0.1:1936/app/.
	StageEvents string
	StageWHIP   string
	StageRTMP   string
	StageRTMPS  string
}

// Config configures the emulator.
type Config struct {
	DataDir   string // required: the database file goes here
	Account   string // AWS account id in ARNs and events; default "000000000000"
	Region    string // default "us-east-1"
	Endpoints Endpoints
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger
	// Events receives IVS Stage Update events (Participant Published /
	// Unpublished / Publish Error). Optional.
	Events EventSink
	// Chat is the messaging side of IVS Chat (chatws.Hub): SendEvent,
	// DeleteMessage, DisconnectUser and DeleteRoom act on live connections
	// through it. Optional.
	Chat ChatHub
	// OnParticipantDisconnected is called after DisconnectParticipant
	// removed a connected participant, so a media plane can drop its
	// connections at once. Optional.
	OnParticipantDisconnected func(stageArn, participantID, reason string)
	// OnStageDeleted is called after DeleteStage, so a media plane can end
	// every connection of the stage at once. Optional.
	OnStageDeleted func(stageArn string)
}

// Service is the emulator. Safe for concurrent use.
type Service struct {
	cfg Config
	db  *bolt.DB
	log *slog.Logger

	tokenKey    *ecdsa.PrivateKey // signs API-issued participant tokens
	tokenKeyArn string            // kid of those tokens

	mu       sync.Mutex
	ingest   IngestHandler
	putTimes map[string][]time.Time // PutMetadata calls in the last second, per channel
	acctPuts []time.Time            // and account-wide
	metadata map[string][]TimedMetadata
	metaSeq  int64
}

// New opens (or creates) the database in cfg.DataDir and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("ivsemu: DataDir is required")
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &cfg.Endpoints
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&e.IngestEndpoint, "127.0.0.1:1935")
	def(&e.SRTEndpoint, "127.0.0.1:9000")
	def(&e.PlaybackBaseURL, "http://127.0.0.1:4566/hls")
	def(&e.StageEvents, "ws://127.0.0.1:4566/_local/stage-events")
	def(&e.StageWHIP, "http://127.0.0.1:4566/_local/whip")
	def(&e.StageRTMP, "rtmp://127.0.0.1:1935/app/")
	def(&e.StageRTMPS, "rtmps://127.0.0.1:1936/app/")

	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("ivsemu: create data dir: %w", err)
	}
	db, err := bolt.Open(filepath.Join(cfg.DataDir, DBFile), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("ivsemu: open database: %w", err)
	}
	s := &Service{cfg: cfg, db: db, log: cfg.Logger,
		putTimes: map[string][]time.Time{}, metadata: map[string][]TimedMetadata{}}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("ivsemu: init database: %w", err)
	}
	if err := s.loadTokenKey(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Service) Close() error { return s.db.Close() }

// Account and Region are the configured identity.
func (s *Service) Account() string { return s.cfg.Account }
func (s *Service) Region() string  { return s.cfg.Region }

// SetIngestHandler installs the media side of channels (streamsim calls it).
func (s *Service) SetIngestHandler(h IngestHandler) {
	s.mu.Lock()
	s.ingest = h
	s.mu.Unlock()
}

// now is the clock, in UTC, at millisecond precision (what the APIs return).
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) arn(service, resource, id string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, s.cfg.Region, s.cfg.Account, resource, id)
}

// Bucket names.
const (
	bMeta          = "meta"
	bChannels      = "channels"        // channel ARN -> channelRecord
	bStreamKeys    = "stream-keys"     // stream key ARN -> StreamKey
	bStreams       = "stream-sessions" // channelArn|startNanos|streamId -> streamRecord
	bRooms         = "rooms"           // room ARN -> Room
	bChatTokens    = "chat-tokens"     // token -> chatTokenRecord
	bChatTokenExp  = "chat-token-exp"  // tokenExpirationNanos|token -> "" (oldest first)
	bStages        = "stages"          // stage ARN -> stageRecord
	bStageSessions = "stage-sessions"  // stageArn|startNanos|sessionId -> StageSession
	bParticipants  = "participants"    // sessionId|participantId -> participantRecord
	bRevoked       = "revoked"         // stageArn|participantId -> time
	bPublicKeys    = "public-keys"     // public key ARN -> PublicKey
	bMetrics       = "metrics"         // channelId|metric|nanos -> float64
)

var allBuckets = []string{bMeta, bChannels, bStreamKeys, bStreams, bRooms, bChatTokens, bChatTokenExp,
	bStages, bStageSessions, bParticipants, bRevoked, bPublicKeys, bMetrics}

// errMissing is returned by get for absent keys.
var errMissing = errors.New("missing")

func get(tx *bolt.Tx, bucket, key string, v any) error {
	raw := tx.Bucket([]byte(bucket)).Get([]byte(key))
	if raw == nil {
		return errMissing
	}
	return json.Unmarshal(raw, v)
}

func put(tx *bolt.Tx, bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket([]byte(bucket)).Put([]byte(key), raw)
}

func del(tx *bolt.Tx, bucket, key string) error {
	return tx.Bucket([]byte(bucket)).Delete([]byte(key))
}

// each calls fn for every record whose key starts with prefix.
func each[T any](tx *bolt.Tx, bucket, prefix string, fn func(key string, v *T) error) error {
	c := tx.Bucket([]byte(bucket)).Cursor()
	p := []byte(prefix)
	for k, raw := c.Seek(p); k != nil && hasPrefix(k, p); k, raw = c.Next() {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("ivsemu: corrupt record %s/%s: %w", bucket, k, err)
		}
		if err := fn(string(k), &v); err != nil {
			return err
		}
	}
	return nil
}

func hasPrefix(k, p []byte) bool {
	return len(k) >= len(p) && string(k[:len(p)]) == string(p)
}

// sortKey renders t so that keys sort chronologically.
func sortKey(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n random alphanumeric characters (IVS resource ids).
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// Time is a timestamp rendered as ISO-8601 with milliseconds, in UTC, the way
// the IVS APIs return them (and the SDKs parse them).
type Time struct{ time.Time }

const isoLayout = "2006-01-02T15:04:05.000Z"

// MarshalJSON renders the ISO-8601 form.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(isoLayout) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 timestamp.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v.UTC()
	return nil
}

func ts(t time.Time) *Time { return &Time{t} }
