// Package stageconfig reads the stage functions' settings from their
// environment. It imports no AWS client, so every stage function may use it.
package stageconfig

import (
	"fmt"
	"time"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/stages"
)

// Read returns the settings: PROJECT_TAG, STAGE_TOKEN_SIGNING (api|self),
// STAGE_TOKEN_DURATION_MINUTES (default 60, at most 20160) and
// STAGE_IDLE_MINUTES (default 30).
func Read(env app.Env) (stages.Config, error) {
	if err := env.Required("PROJECT_TAG"); err != nil {
		return stages.Config{}, err
	}
	mode := env.String("STAGE_TOKEN_SIGNING")
	if mode == "" {
		mode = stages.SigningAPI
	}
	if mode != stages.SigningAPI && mode != stages.SigningSelf {
		return stages.Config{}, fmt.Errorf("STAGE_TOKEN_SIGNING must be %q or %q, not %q", stages.SigningAPI, stages.SigningSelf, mode)
	}
	return stages.Config{
		Project:        env.String("PROJECT_TAG"),
		TokenDuration:  time.Duration(env.Int("STAGE_TOKEN_DURATION_MINUTES", 60)) * time.Minute,
		IdleAfter:      time.Duration(env.Int("STAGE_IDLE_MINUTES", 30)) * time.Minute,
		SigningMode:    mode,
		Pace:           250 * time.Millisecond, // IVS: 5 stage calls per second
		PublicCacheTTL: 5 * time.Second,
	}, nil
}
