package channels

import (
	"context"
	"errors"
	"net/http"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// resetAttempts bounds the retries of a reset that raced another reset.
const resetAttempts = 3

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

// errKeyRaced: another reset stored its key while this one worked.
var errKeyRaced = onair.Errorf(onair.Conflict, "ConflictException", "The stream key is being reset by another request; try again.")

// ResetKey replaces the channel's stream key and stores the new one. It
// finishes what a half-done earlier reset left (the stored key already
// deleted, or a new key created but never stored): every key the channel has
// is deleted before one is created. The new key is stored only if the stored
// key is still the one this reset started from, so of two concurrent resets
// the one that stores last also holds the key IVS has; the other starts over.
func (s *service) ResetKey(ctx context.Context, sub string) (onair.StreamKey, error) {
	for range resetAttempts {
		key, err := s.resetOnce(ctx, sub)
		if errors.Is(err, errKeyRaced) {
			continue
		}
		if err != nil {
			return onair.StreamKey{}, err
		}
		telemetry.MetricsFrom(ctx).Count(ctx, "StreamKeysReset", 1)
		return key, nil
	}
	return onair.StreamKey{}, errKeyRaced
}

func (s *service) resetOnce(ctx context.Context, sub string) (onair.StreamKey, error) {
	u, err := s.getChannel(ctx, sub)
	if err != nil {
		return onair.StreamKey{}, err
	}
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
	_, err = s.Store.UpdateUser(ctx, sub, func(cur *onair.User) error {
		if cur.ChannelArn != u.ChannelArn {
			return errNotProvisioned()
		}
		if cur.StreamKeyArn != u.StreamKeyArn {
			return errKeyRaced
		}
		cur.StreamKeyArn, cur.StreamKeyValue = key.Arn, key.Value
		return nil
	})
	if err != nil {
		return onair.StreamKey{}, err
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
