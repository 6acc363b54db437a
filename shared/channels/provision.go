package channels

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/profiles"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/usernames"
)

// Provisioning runs under a claim stored on the profile, so that two first
// logins at once never create two channels. The timing keeps a taken-over
// claim safe: an attempt works for at most AttemptBudget and cleans up for at
// most CleanupBudget, both well inside ClaimTTL, so by the time another caller
// may take over a stale claim the attempt that held it has finished, one way
// or the other (the function's own timeout is shorter still).
const (
	ClaimTTL      = 2 * time.Minute
	AttemptBudget = 60 * time.Second
	CleanupBudget = 20 * time.Second
	// CleanupReserve is kept free before the request's own deadline (the
	// function's timeout), so a failed attempt still has time to clean up.
	CleanupReserve = 5 * time.Second
)

// ChannelName and RoomName are the IVS resource names of a user, as the
// reference names them ("<clean username>s-channel").
func ChannelName(username string) string { return usernames.Clean(username) + "s-channel" }

// RoomName: see ChannelName.
func RoomName(username string) string { return usernames.Clean(username) + "s-room" }

// TrackingID is the channel id in lower case, suffixed with the product link
// region code when one is set.
func TrackingID(channelArn, regionCode string) string {
	id := strings.ToLower(onair.ResourceID(channelArn))
	if regionCode != "" {
		id += "-" + regionCode
	}
	return id
}

func errProvisioningInProgress() error {
	return onair.Errorf(onair.Conflict, "ConflictException",
		"Your channel is being set up (provisioning in progress); retry in a moment.")
}

// CreateChannelResources serves POST /channel/resources/create: the
// first-login provisioning of the caller's channel. 201 {} when it provisioned
// the channel, 200 {} when the channel already existed, 409 while another
// request is provisioning it. The body is ignored: everything comes from the
// caller's identity and profile.
func (s *service) CreateChannelResources() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		created, err := s.Provision(r.Context(), c)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return httpapi.WriteJSON(w, status, struct{}{})
	})
}

// attempt is what one provisioning attempt found or made.
type attempt struct {
	channel onair.IVSChannel
	key     onair.StreamKey
	room    onair.ChatRoom
	// What this attempt created (and so must delete if it fails) and what it
	// adopted from an earlier attempt (left for the next retry).
	createdChannel, createdRoom string
	adopted                     bool
}

// Provision makes sure the caller has a channel, stream key and chat room,
// and reports whether it created them now. It is idempotent: resources a
// failed earlier attempt left behind (found by name and owner tag) are
// adopted, never duplicated.
func (s *service) Provision(ctx context.Context, c onair.Caller) (bool, error) {
	if err := s.ensureProfile(ctx, c); err != nil {
		return false, err
	}
	token := s.newToken()
	claimedAt := s.now()
	provisioned, tookOver := false, false
	u, err := s.Store.UpdateUser(ctx, c.Sub, func(u *onair.User) error {
		provisioned = u.ChannelArn != ""
		if provisioned {
			return onair.ErrUnchanged
		}
		if p := u.Provisioning; p != nil && !claimStale(*p, claimedAt) {
			return errProvisioningInProgress()
		}
		tookOver = u.Provisioning != nil
		u.Provisioning = &onair.Claim{Token: token, StartedAt: claimedAt}
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		return false, errUserNotFound()
	}
	if err != nil {
		return false, err
	}
	if provisioned {
		return false, nil
	}

	log := telemetry.Logger(ctx)
	budget := AttemptBudget
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)-CleanupReserve)
	}
	work, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	a, err := s.acquire(work, u)
	if err == nil {
		err = s.commit(work, c.Sub, token, a)
	}
	if err != nil && s.committed(ctx, c.Sub, a) {
		// The write landed though its answer was lost (a timeout).
		err = nil
	}
	if err != nil {
		log.Warn("channel provisioning failed", "err", err.Error())
		// A claim taken over from an earlier attempt may have resources of
		// that attempt we never got to see: keep the claim marked.
		s.abandon(ctx, c.Sub, token, a, !tookOver)
		return false, as(err, "CreateChannelResourcesException", "Could not set up your channel; try again.")
	}
	log.Info("channel provisioned", "channelArn", a.channel.Arn, "adopted", a.adopted)
	telemetry.MetricsFrom(ctx).Count(ctx, "ChannelsProvisioned", 1)
	return true, nil
}

// claimStale reports whether another caller may take the claim over. A claim
// with no start time was abandoned by a failed attempt and is free at once.
func claimStale(c onair.Claim, now time.Time) bool {
	return c.StartedAt.IsZero() || now.Sub(c.StartedAt) > ClaimTTL
}

func (s *service) newToken() string {
	if s.NewToken != nil {
		return s.NewToken()
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ensureProfile creates the caller's profile from Cognito when it is missing
// (for example when the post-confirmation trigger failed), so that a user who
// can sign in can always get a channel.
func (s *service) ensureProfile(ctx context.Context, c onair.Caller) error {
	_, err := s.Store.GetUser(ctx, c.Sub)
	if err == nil || !errors.Is(err, onair.ErrNotFound) {
		return err
	}
	attrs, err := s.Accounts.AdminGetUser(ctx, c.Username)
	if errors.Is(err, onair.ErrNotFound) {
		// Neither a profile nor a Cognito user: a deleted account's token
		// (the function is exempt from the gateway-side check, see
		// app.RebuildsMissingProfile).
		return onair.Errorf(onair.Unauthorized, httpapi.AccountDeletedType, "This account no longer exists.")
	}
	if err != nil {
		return err
	}
	if sub := attrs["sub"]; sub != "" && sub != c.Sub {
		// The token's username names someone else: never build a profile
		// from another user's attributes.
		return onair.Wrap(onair.Internal, "", "", fmt.Errorf("cognito user %q has sub %q, token has %q", c.Username, sub, c.Sub))
	}
	name := attrs["preferred_username"]
	if name == "" {
		name = c.Username
	}
	u := onair.User{
		Sub:       c.Sub,
		Username:  name,
		Email:     attrs["email"],
		Avatar:    profiles.RandomAvatar(),
		Color:     profiles.RandomColor(),
		CreatedAt: s.now().UTC(),
	}
	err = s.Store.CreateUser(ctx, u)
	if errors.Is(err, onair.ErrConflict) {
		return nil // a concurrent request created it first
	}
	if err == nil {
		telemetry.Logger(ctx).Warn("profile was missing; recreated it from Cognito")
	}
	return err
}

// acquire finds or creates the user's channel, stream key and room.
func (s *service) acquire(ctx context.Context, u onair.User) (attempt, error) {
	var a attempt
	tags := s.ownerTags(u.Sub)

	chName := ChannelName(u.Username)
	found, err := s.Video.FindChannels(ctx, chName, tags)
	if err != nil {
		return a, err
	}
	if len(found) > 0 {
		a.channel, a.adopted = found[0], true
		// More than one can only be left by failures in the past; keep one.
		for _, extra := range found[1:] {
			if err := s.Video.DeleteChannel(ctx, extra.Arn); err != nil {
				return a, err
			}
		}
		if a.key, err = s.currentKey(ctx, a.channel.Arn); err != nil {
			return a, err
		}
	} else {
		spec := onair.IVSChannelSpec{Name: chName, Type: s.Config.ChannelType, Tags: tags}
		if strings.HasPrefix(s.Config.ChannelType, "ADVANCED") {
			spec.Preset = s.Config.TranscodePreset
		}
		if a.channel, a.key, err = s.Video.CreateChannel(ctx, spec); err != nil {
			return a, err
		}
		a.createdChannel = a.channel.Arn
		if a.key.Arn == "" || a.key.Value == "" {
			// CreateChannel normally returns the key; fetch or make one if not.
			if a.key, err = s.currentKey(ctx, a.channel.Arn); err != nil {
				return a, err
			}
		}
	}

	roomName := RoomName(u.Username)
	rooms, err := s.Chat.FindRooms(ctx, roomName, tags)
	if err != nil {
		return a, err
	}
	if len(rooms) > 0 {
		a.room, a.adopted = rooms[0], true
		for _, extra := range rooms[1:] {
			if err := s.Chat.DeleteRoom(ctx, extra.Arn); err != nil {
				return a, err
			}
		}
		// The failed attempt that made it may have been before the room
		// got its review handler, or may have died before setting it.
		if s.Config.Review.HandlerURI != "" {
			if err := s.Chat.SetReview(ctx, a.room.Arn, s.Config.Review); err != nil {
				return a, err
			}
		}
	} else {
		spec := onair.ChatRoomSpec{Name: roomName, Tags: tags, Review: s.Config.Review}
		if a.room, err = s.Chat.CreateRoom(ctx, spec); err != nil {
			return a, err
		}
		a.createdRoom = a.room.Arn
	}

	if a.channel.Arn == "" || a.channel.IngestEndpoint == "" || a.channel.PlaybackURL == "" ||
		a.key.Arn == "" || a.key.Value == "" || a.room.Arn == "" {
		return a, onair.Wrap(onair.Internal, "", "", fmt.Errorf("incomplete IVS resources: channel %q, key %q, room %q", a.channel.Arn, a.key.Arn, a.room.Arn))
	}
	return a, nil
}

// currentKey returns the channel's stream key, creating one if it has none.
// A channel holds at most one key, so a create that fails because another
// request made one meanwhile falls back to that key.
func (s *service) currentKey(ctx context.Context, channelArn string) (onair.StreamKey, error) {
	arns, err := s.Video.ListStreamKeys(ctx, channelArn)
	if err != nil {
		return onair.StreamKey{}, err
	}
	if len(arns) > 0 {
		return s.Video.GetStreamKey(ctx, arns[0])
	}
	key, err := s.Video.CreateStreamKey(ctx, channelArn)
	if err == nil {
		return key, nil
	}
	if arns, lerr := s.Video.ListStreamKeys(ctx, channelArn); lerr == nil && len(arns) > 0 {
		return s.Video.GetStreamKey(ctx, arns[0])
	}
	return onair.StreamKey{}, err
}

// commit stores the resources, only if this attempt still holds the claim.
func (s *service) commit(ctx context.Context, sub, token string, a attempt) error {
	_, err := s.Store.UpdateUser(ctx, sub, func(u *onair.User) error {
		if u.ChannelArn != "" || u.Provisioning == nil || u.Provisioning.Token != token {
			return errProvisioningInProgress()
		}
		u.ChannelArn = a.channel.Arn
		u.ChannelType = a.channel.Type
		u.IngestEndpoint = a.channel.IngestEndpoint
		u.PlaybackURL = a.channel.PlaybackURL
		u.StreamKeyArn = a.key.Arn
		u.StreamKeyValue = a.key.Value
		u.ChatRoomArn = a.room.Arn
		u.ChatReview = s.Config.Review.Marker()
		u.TrackingID = TrackingID(a.channel.Arn, s.Config.ProductLinkRegionCode)
		u.ChannelAssetID = ChannelAssetID(u.Sub)
		u.Provisioning = nil
		return nil
	})
	return err
}

// committed reports whether the profile holds a's channel: a commit whose
// reply was lost may still have been written.
func (s *service) committed(ctx context.Context, sub string, a attempt) bool {
	if a.channel.Arn == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupBudget)
	defer cancel()
	u, err := s.Store.GetUser(ctx, sub)
	return err == nil && u.ChannelArn == a.channel.Arn
}

// abandon undoes a failed attempt: it deletes what the attempt created, then
// gives the claim up. When nothing can be left behind the claim is removed;
// otherwise (an adopted resource, or a delete that failed) it stays, marked
// abandoned so the next attempt may take it over at once, and so renames wait
// until a retry has adopted what is left under the current name. fresh says
// the attempt did not take over an earlier claim, so nothing an earlier
// attempt made can be lying around unseen.
func (s *service) abandon(ctx context.Context, sub, token string, a attempt, fresh bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupBudget)
	defer cancel()
	log := telemetry.Logger(ctx)
	clean := fresh && !a.adopted
	if a.createdRoom != "" {
		if err := s.Chat.DeleteRoom(ctx, a.createdRoom); err != nil {
			log.Error("could not delete the chat room of a failed provisioning", "roomArn", a.createdRoom, "err", err.Error())
			clean = false
		}
	}
	if a.createdChannel != "" {
		if err := s.Video.DeleteChannel(ctx, a.createdChannel); err != nil {
			log.Error("could not delete the channel of a failed provisioning", "channelArn", a.createdChannel, "err", err.Error())
			clean = false
		}
	}
	_, err := s.Store.UpdateUser(ctx, sub, func(u *onair.User) error {
		if u.Provisioning == nil || u.Provisioning.Token != token {
			return onair.ErrUnchanged
		}
		if clean {
			u.Provisioning = nil
		} else {
			u.Provisioning.StartedAt = time.Time{}
		}
		return nil
	})
	if err != nil && !errors.Is(err, onair.ErrNotFound) {
		log.Error("could not release the provisioning claim", "err", err.Error())
	}
}
