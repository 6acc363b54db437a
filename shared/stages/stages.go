// Package stages is the backend token service for IVS Real-Time stages: a
// signed-in user opens their stage, the server decides each caller's role
// (host, invited publisher, viewer, anonymous viewer) and mints participant
// tokens for it, the host moderates, IVS Stage Update events keep who is
// publishing current, and a scheduled cleanup deletes idle stages.
//
// The rules live here; IVS, the store and the token signer are ports, so the
// same code runs in Lambda, offline and under test. See docs/stages.md.
package stages

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/onair/onair/shared/onair"
)

// Store is the storage this capability uses (a subset of store.Store).
type Store interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetUsers(ctx context.Context, subs []string) ([]onair.User, error)
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
	UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error)
	GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error)

	PutStage(ctx context.Context, s onair.Stage) error
	GetStage(ctx context.Context, id string) (onair.Stage, error)
	UpdateStage(ctx context.Context, id string, fn func(*onair.Stage) error) (onair.Stage, error)
	DeleteStage(ctx context.Context, id string) error
	ListStages(ctx context.Context, limit int) ([]onair.Stage, error)
}

// RealTime is the part of IVS Real-Time this capability calls
// (shared/ivsrealtime). Errors are onair errors (ErrNotFound, ...).
type RealTime interface {
	CreateStage(ctx context.Context, name string, tags map[string]string) (onair.RealTimeStage, error)
	GetStage(ctx context.Context, arn string) (onair.RealTimeStage, error)
	// ListStagesTagged returns the stages carrying every tag given.
	ListStagesTagged(ctx context.Context, tags map[string]string) ([]onair.RealTimeStage, error)
	DeleteStage(ctx context.Context, arn string) error
	ListParticipants(ctx context.Context, q onair.ParticipantQuery) ([]onair.RealTimeParticipant, error)
	DisconnectParticipant(ctx context.Context, stageArn, participantID, reason string) error
}

// Minter makes participant tokens for a stage: through the IVS API
// (APIMinter) or signed by the backend (SelfSigner).
type Minter interface {
	Mint(ctx context.Context, st onair.Stage, req onair.ParticipantTokenRequest) (onair.ParticipantToken, error)
}

// Limits of IVS Real-Time that the service enforces or respects.
const (
	// MaxPublishers is IVS's hard limit of publishers per stage at once.
	MaxPublishers = 12
	// MaxTokenDuration is the longest participant token IVS accepts.
	MaxTokenDuration = 20160 * time.Minute
	// MaxAttributesBytes bounds a token's attributes (keys and values).
	MaxAttributesBytes = 1024
	// MaxInvites bounds the invitations of one stage, so the record stays small.
	MaxInvites = 50
	// MaxReasonLength bounds a disconnect reason (IVS's limit).
	MaxReasonLength = 128
)

// Tag keys put on IVS stages. TagProject and TagOwner are how make destroy and
// the adoption of orphaned stages find them.
const (
	TagProject   = "project"
	TagOwner     = "onair:owner"
	TagCreatedAt = "createdAt"
)

// Config holds the service's settings (from the function's environment).
type Config struct {
	// Project is PROJECT_TAG: the value of the "project" tag on IVS stages.
	Project string
	// TokenDuration is the lifetime of minted tokens (1 minute to 14 days).
	TokenDuration time.Duration
	// IdleAfter is how long a stage may stay without participants before the
	// cleanup deletes it.
	IdleAfter time.Duration
	// SigningMode is "api" or "self"; it is only logged.
	SigningMode string
	// ClaimTTL is how long a stage-creation claim protects an attempt; a
	// claim older than this is taken over. It must exceed the function's
	// timeout. Default one minute.
	ClaimTTL time.Duration
	// Pace spaces the cleanup's IVS calls (IVS allows 5 stage calls per
	// second). Zero in tests.
	Pace time.Duration
	// PublicCacheTTL is how long public GET /stages/{id} reuses IVS GetStage
	// answers, so a popular stage page does not exhaust IVS's 5 TPS. Zero
	// disables the cache.
	PublicCacheTTL time.Duration
}

// Validate checks the settings and fills defaults.
func (c *Config) Validate() error {
	if c.Project == "" {
		return fmt.Errorf("stages: PROJECT_TAG is required")
	}
	if c.TokenDuration == 0 {
		c.TokenDuration = 60 * time.Minute
	}
	if c.TokenDuration < time.Minute || c.TokenDuration > MaxTokenDuration {
		return fmt.Errorf("stages: token duration %v is outside IVS's 1 minute to 14 days", c.TokenDuration)
	}
	if c.IdleAfter == 0 {
		c.IdleAfter = 30 * time.Minute
	}
	if c.IdleAfter < 0 {
		return fmt.Errorf("stages: idle limit %v is negative", c.IdleAfter)
	}
	if c.ClaimTTL == 0 {
		c.ClaimTTL = time.Minute
	}
	return nil
}

// service is the stages capability. The constructors of routes.go give
// it the adapters their route uses: ivs is nil for the routes that only read
// the store, minter for the routes that mint no token.
type service struct {
	store  Store
	ivs    RealTime
	minter Minter
	cfg    Config
	now    func() time.Time

	cacheMu sync.Mutex
	cache   map[string]cachedStage
}

type cachedStage struct {
	stage onair.RealTimeStage
	at    time.Time
}

// newService returns the service; now may be nil (time.Now).
func newService(store Store, ivs RealTime, minter Minter, cfg Config, now func() time.Time) (*service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &service{store: store, ivs: ivs, minter: minter, cfg: cfg, now: now, cache: map[string]cachedStage{}}, nil
}

func (s *service) clock() time.Time { return s.now().UTC() }

// Exception names clients see in "__type".
const (
	StageNotFoundType   = "StageNotFoundException"
	UserNotFoundType    = "UserNotFoundException"
	StageFullType       = "StageFullException"
	StageBusyType       = "StageCreationInProgressException"
	TokensUnavailable   = "StageTokensUnavailableException"
	ForbiddenType       = "ForbiddenException"
	UnauthorizedType    = "UnauthorizedException"
	BadRequestType      = "BadRequestException"
	InviteNotFoundType  = "InviteNotFoundException"
	ParticipantNotFound = "ParticipantNotFoundException"
)

func stageNotFound(id string) error {
	return onair.Errorf(onair.NotFound, StageNotFoundType, "No stage %q.", id)
}

func forbidden(msg string) error {
	return onair.Errorf(onair.Forbidden, ForbiddenType, "%s", msg)
}
