package channels

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// KeyResetClaimTTL is how long a reset's claim keeps other resets out. It
// outlives any reset (the function's timeout is 15 s), so a claim older than
// this belongs to a reset that crashed or timed out: the next call takes it
// over and finishes the job.
const KeyResetClaimTTL = 20 * time.Second

// ResetStreamKey serves GET and POST /channel/streamKey/reset (GET is the
// reference's; POST is the honest method for a change): it stops the live
// stream, replaces the stream key and answers 200 {streamKeyValue}.
func (s *service) ResetStreamKey() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		key, err := s.ResetKey(r.Context(), c.Sub)
		if err != nil {
			return as(err, "ResetStreamKeyException", "Could not reset the stream key; try again.")
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"streamKeyValue": key.Value})
	})
}

// errKeyResetInProgress: another reset holds the claim.
var errKeyResetInProgress = onair.Errorf(onair.Conflict, "ConflictException", "The stream key is being reset by another request; try again in a moment.")

// ResetKey replaces the channel's stream key and stores the new one. One
// reset at a time: it first takes the channel's reset claim (a concurrent
// reset answers 409), then stops the stream, deletes every key the channel
// has, creates one and stores it while releasing the claim. So whatever the
// interleaving, the stored key is the single key IVS holds, and a key handed
// out is never deleted by another reset. A reset that crashed midway leaves
// its claim; once the claim is older than KeyResetClaimTTL the next call
// takes it over and repairs (deleting whatever keys exist first).
func (s *service) ResetKey(ctx context.Context, sub string) (onair.StreamKey, error) {
	token, now := s.newToken(), s.now()
	u, err := s.Store.UpdateUser(ctx, sub, func(cur *onair.User) error {
		if cur.ChannelArn == "" {
			return errNotProvisioned()
		}
		if c := cur.KeyReset; c != nil && now.Sub(c.StartedAt) < KeyResetClaimTTL {
			return errKeyResetInProgress
		}
		cur.KeyReset = &onair.Claim{Token: token, StartedAt: now}
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) && onair.ErrorType(err) != ChannelNotProvisionedType {
		return onair.StreamKey{}, errUserNotFound()
	}
	if err != nil {
		return onair.StreamKey{}, err
	}
	key, err := s.replaceKey(ctx, u)
	_, serr := s.Store.UpdateUser(ctx, sub, func(cur *onair.User) error {
		if cur.KeyReset == nil || cur.KeyReset.Token != token {
			return errKeyResetInProgress // taken over: this reset ran past its claim
		}
		cur.KeyReset = nil // released on failure too, so a retry need not wait
		if err == nil {
			cur.StreamKeyArn, cur.StreamKeyValue = key.Arn, key.Value
		}
		return nil
	})
	if err != nil {
		return onair.StreamKey{}, err
	}
	if serr != nil {
		return onair.StreamKey{}, serr
	}
	telemetry.MetricsFrom(ctx).Count(ctx, "StreamKeysReset", 1)
	return key, nil
}

// replaceKey stops the stream and leaves the channel with one new key.
func (s *service) replaceKey(ctx context.Context, u onair.User) (onair.StreamKey, error) {
	if err := s.Video.StopStream(ctx, u.ChannelArn); err != nil {
		return onair.StreamKey{}, err
	}
	arns, err := s.Video.ListStreamKeys(ctx, u.ChannelArn)
	if err != nil {
		return onair.StreamKey{}, err
	}
	if u.StreamKeyArn != "" && !contains(arns, u.StreamKeyArn) {
		arns = append(arns, u.StreamKeyArn) // deleting a missing key is fine
	}
	for _, arn := range arns {
		if err := s.Video.DeleteStreamKey(ctx, arn); err != nil {
			return onair.StreamKey{}, err
		}
	}
	key, err := s.currentKey(ctx, u.ChannelArn)
	if err != nil {
		return onair.StreamKey{}, err
	}
	if key.Arn == "" || key.Value == "" {
		return onair.StreamKey{}, onair.Errorf(onair.Internal, "", "IVS returned an empty stream key")
	}
	return key, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
