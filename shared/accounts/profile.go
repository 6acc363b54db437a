package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/profiles"
	"github.com/onair/onair/shared/telemetry"
)

// ProfileStore is where profiles are created.
type ProfileStore interface {
	CreateUser(ctx context.Context, u onair.User) error
}

// Profiles creates the profile of a confirmed user (the PostConfirmation
// trigger).
type Profiles struct {
	Store ProfileStore
	Now   func() time.Time
}

// PostConfirmation writes the profile record of a user who just confirmed
// their sign-up: their public name, email, and the avatar and colour the
// sign-up form chose (ClientMetadata avatar/color of ConfirmSignUp; a random
// preset when missing or not one of the presets). Cognito may run a trigger
// more than once, so a profile that already exists is success. Confirming a
// forgotten password also runs this trigger; it changes nothing.
func (p *Profiles) PostConfirmation(ctx context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
	if ev.TriggerSource != "PostConfirmation_ConfirmSignUp" {
		return ev, nil
	}
	log := telemetry.Logger(ctx)
	attrs := ev.Request.UserAttributes
	u := onair.User{
		Sub:       attrs["sub"],
		Username:  attrs["preferred_username"],
		Email:     attrs["email"],
		Avatar:    ev.Request.ClientMetadata["avatar"],
		Color:     ev.Request.ClientMetadata["color"],
		CreatedAt: nowOr(p.Now)().UTC(),
	}
	if u.Username == "" {
		u.Username = ev.UserName
	}
	if u.Sub == "" {
		log.Error("post confirmation: event has no sub", "user", ev.UserName)
		return ev, errUnavailable
	}
	if !profiles.IsPresetAvatar(u.Avatar) {
		u.Avatar = profiles.RandomAvatar()
	}
	if !profiles.IsColor(u.Color) {
		u.Color = profiles.RandomColor()
	}
	err := p.Store.CreateUser(ctx, u)
	switch {
	case errors.Is(err, onair.ErrConflict):
		log.Info("post confirmation: profile already exists", "user", u.Sub)
		return ev, nil
	case err != nil:
		log.Error("post confirmation: create profile", "user", u.Sub, "err", err.Error())
		return ev, errUnavailable
	}
	log.Info("profile created", "user", u.Sub)
	telemetry.MetricsFrom(ctx).Count(ctx, "SignUps", 1)
	return ev, nil
}
