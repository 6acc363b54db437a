package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/stages"
)

// addStages registers the functions of the stages capability: IVS Real-Time
// stages and their participant tokens (docs/stages.md).
func addStages(m map[string]Builder) {
	m["CreateStage"] = CreateStage
	m["ListStages"] = ListStages
	m["GetStage"] = GetStage
	m["CreateStageToken"] = CreateStageToken
	m["InviteToStage"] = InviteToStage
	m["RevokeStageInvite"] = RevokeStageInvite
	m["DisconnectStageParticipant"] = DisconnectStageParticipant
	m["DeleteStage"] = DeleteStage
	m["StageEvents"] = StageEvents
	m["CleanupStages"] = CleanupStages
}

// stagesConfig reads the capability's settings: PROJECT_TAG,
// STAGE_TOKEN_SIGNING (api|self), STAGE_TOKEN_DURATION_MINUTES (default 60,
// at most 20160) and STAGE_IDLE_MINUTES (default 30).
func stagesConfig(d *Deps) (stages.Config, error) {
	if err := d.Env.Required("PROJECT_TAG"); err != nil {
		return stages.Config{}, err
	}
	mode := d.Env.String("STAGE_TOKEN_SIGNING")
	if mode == "" {
		mode = stages.SigningAPI
	}
	if mode != stages.SigningAPI && mode != stages.SigningSelf {
		return stages.Config{}, fmt.Errorf("STAGE_TOKEN_SIGNING must be %q or %q, not %q", stages.SigningAPI, stages.SigningSelf, mode)
	}
	return stages.Config{
		Project:        d.Env.String("PROJECT_TAG"),
		TokenDuration:  time.Duration(d.Env.Int("STAGE_TOKEN_DURATION_MINUTES", 60)) * time.Minute,
		IdleAfter:      time.Duration(d.Env.Int("STAGE_IDLE_MINUTES", 30)) * time.Minute,
		SigningMode:    mode,
		Pace:           250 * time.Millisecond, // IVS: 5 stage calls per second
		PublicCacheTTL: 5 * time.Second,
	}, nil
}

// stageMinter builds the token minter of the configured mode: IVS
// CreateParticipantToken, or self-signing with the private key in Secrets
// Manager (STAGE_SIGNING_KEY_SECRET_ARN) whose public half IVS holds
// (STAGE_PUBLIC_KEY_ARN, unless the secret names it).
func stageMinter(d *Deps, cfg stages.Config) (stages.Minter, error) {
	if cfg.SigningMode == stages.SigningAPI {
		return stages.APIMinter{API: d.RealTime()}, nil
	}
	if err := d.Env.Required("STAGE_SIGNING_KEY_SECRET_ARN"); err != nil {
		return nil, fmt.Errorf("self-signed stage tokens: %w", err)
	}
	keys := &stages.SecretKeySource{
		Secrets:       d.Secrets(),
		SecretID:      d.Env.String("STAGE_SIGNING_KEY_SECRET_ARN"),
		DefaultKeyArn: d.Env.String("STAGE_PUBLIC_KEY_ARN"),
		Now:           d.Clock(),
	}
	return stages.SelfSigner{Keys: keys, Now: d.Clock()}, nil
}

// stagesService builds the service; minting says whether the function
// mints tokens (and so needs a minter).
func stagesService(d *Deps, minting bool) (*stages.Service, error) {
	cfg, err := stagesConfig(d)
	if err != nil {
		return nil, err
	}
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	var minter stages.Minter
	if minting {
		if minter, err = stageMinter(d, cfg); err != nil {
			return nil, err
		}
	}
	return stages.New(db, d.RealTime(), minter, cfg, d.Clock())
}

// CreateStage serves POST /stages: opens the caller's stage and returns a
// host token.
func CreateStage(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, true)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.CreateStageHandler(), "POST /stages")
}

// ListStages serves GET /stages, the public list of open stages.
func ListStages(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Public, s.ListStagesHandler(), "GET /stages")
}

// GetStage serves GET /stages/{stageId}; login is optional (the host also
// sees the participants).
func GetStage(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Optional, s.GetStageHandler(), "GET /stages/{stageId}")
}

// CreateStageToken serves POST /stages/{stageId}/tokens; login is optional
// (anonymous viewers, where the stage allows them).
func CreateStageToken(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, true)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Optional, s.CreateTokenHandler(), "POST /stages/{stageId}/tokens")
}

// InviteToStage serves POST /stages/{stageId}/invites (host only).
func InviteToStage(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.InviteHandler(), "POST /stages/{stageId}/invites")
}

// RevokeStageInvite serves DELETE /stages/{stageId}/invites/{username}
// (host only).
func RevokeStageInvite(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.RevokeInviteHandler(), "DELETE /stages/{stageId}/invites/{username}")
}

// DisconnectStageParticipant serves
// DELETE /stages/{stageId}/participants/{participantId} (host only).
func DisconnectStageParticipant(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.DisconnectHandler(), "DELETE /stages/{stageId}/participants/{participantId}")
}

// DeleteStage serves DELETE /stages/{stageId} (host only).
func DeleteStage(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return HTTP(d, Required, s.DeleteStageHandler(), "DELETE /stages/{stageId}")
}

// StageEvents handles IVS Stage Update events (EventBridge) to keep who is
// publishing current.
func StageEvents(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return Event(s.HandleEvent), nil
}

// CleanupStages deletes idle stages (scheduled).
func CleanupStages(ctx context.Context, d *Deps) (lambda.Handler, error) {
	s, err := stagesService(d, false)
	if err != nil {
		return nil, err
	}
	return Event(func(ctx context.Context) (stages.CleanupReport, error) {
		return s.Cleanup(ctx)
	}), nil
}
