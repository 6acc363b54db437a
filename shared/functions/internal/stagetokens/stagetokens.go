// Package stagetokens builds the participant-token minter of the functions
// that mint (CreateStage, CreateStageToken). The signing mode is chosen at
// deploy time, so these binaries link both IVS Real-Time and Secrets
// Manager.
package stagetokens

import (
	"fmt"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/secrets"
	"github.com/onair/onair/shared/stages"
)

// Minter returns the minter of cfg's mode: IVS CreateParticipantToken
// through rt, or self-signing with the private key in Secrets Manager
// (STAGE_SIGNING_KEY_SECRET_ARN) whose public half IVS holds
// (STAGE_PUBLIC_KEY_ARN, unless the secret names it).
func Minter(p *app.Platform, rt *ivsrealtime.Client, cfg stages.Config) (stages.Minter, error) {
	if cfg.SigningMode == stages.SigningAPI {
		return stages.APIMinter{API: rt}, nil
	}
	if err := p.Env.Required("STAGE_SIGNING_KEY_SECRET_ARN"); err != nil {
		return nil, fmt.Errorf("self-signed stage tokens: %w", err)
	}
	keys := &stages.SecretKeySource{
		Secrets:       secrets.New(p.AWS),
		SecretID:      p.Env.String("STAGE_SIGNING_KEY_SECRET_ARN"),
		DefaultKeyArn: p.Env.String("STAGE_PUBLIC_KEY_ARN"),
		Now:           p.Clock,
	}
	return stages.SelfSigner{Keys: keys, Now: p.Clock}, nil
}
