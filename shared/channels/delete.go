package channels

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/wait"
)

// DeleteChannel serves DELETE /channel: the caller's whole account goes, with
// its IVS resources, uploaded images, stream history, follows, bans and
// sign-in. 204 when done. Every step treats "already gone" as done, so a
// request that failed half-way is finished by the next one.
func (s *service) DeleteChannel() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		if err := s.DeleteAccount(r.Context(), c); err != nil {
			return as(err, "AccountDeletionException", "Could not delete your account; try again.")
		}
		return httpapi.WriteJSON(w, http.StatusNoContent, nil)
	})
}

// IVS refuses to delete a live channel (ConflictException) until the stream
// has ended, which takes a moment after StopStream: DeleteChannel is retried
// deleteChannelRetries times, waiting 0.5 s, 1 s, 2 s, 4 s.
const (
	deleteChannelRetries = 4
	deleteChannelWait    = 500 * time.Millisecond
)

// profileRounds bounds how often the cascade re-reads the profile because a
// concurrent request (provisioning, a stage) added resources meanwhile.
const profileRounds = 3

// DeleteAccount deletes everything of the caller, in an order that keeps the
// profile (which names the resources) until the resources are gone, and the
// Cognito user (the only way to call again) until last.
func (s *service) DeleteAccount(ctx context.Context, c onair.Caller) error {
	log := telemetry.Logger(ctx)
	var done resourcesOf
	for round := 0; ; round++ {
		u, err := s.Store.GetUser(ctx, c.Sub)
		switch {
		case errors.Is(err, onair.ErrNotFound):
			// An earlier attempt already deleted the profile, and so, before
			// it, every resource the profile named.
			u = onair.User{Sub: c.Sub}
		case err != nil:
			return err
		}
		cur := resourcesOf{u.ChannelArn, u.ChatRoomArn, u.StageID, u.Username}
		if round > 0 && cur == done {
			break
		}
		if round == profileRounds {
			return onair.Errorf(onair.Conflict, "ConflictException", "Your channel changed while it was being deleted; try again.")
		}
		if err := s.deleteResources(ctx, u); err != nil {
			return err
		}
		done = cur
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"documents", func() error { return s.Store.DeleteDocuments(ctx, c.Sub) }},
		{"follows and bans", func() error { return s.Store.DeleteUserEdges(ctx, c.Sub) }},
		{"profile", func() error { return s.Store.DeleteUser(ctx, c.Sub) }},
		{"cognito user", func() error { return s.Accounts.AdminDeleteUser(ctx, c.Username) }},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			return fmt.Errorf("delete account: %s: %w", st.name, err)
		}
	}
	log.Info("account deleted")
	telemetry.MetricsFrom(ctx).Count(ctx, "AccountsDeleted", 1)
	return nil
}

// resourcesOf is what of a profile the cascade acts on, to notice changes.
type resourcesOf struct {
	channelArn, roomArn, stageID, username string
}

// deleteResources deletes the IVS resources, stage, images and stream
// sessions of u.
func (s *service) deleteResources(ctx context.Context, u onair.User) error {
	if u.ChannelArn != "" {
		if err := s.Video.StopStream(ctx, u.ChannelArn); err != nil && !errors.Is(err, onair.ErrNotFound) {
			return fmt.Errorf("delete account: stop stream: %w", err)
		}
		if err := s.deleteIVSChannel(ctx, u.ChannelArn); err != nil {
			return err
		}
	}
	if u.ChatRoomArn != "" {
		if err := s.Chat.DeleteRoom(ctx, u.ChatRoomArn); err != nil {
			return fmt.Errorf("delete account: chat room: %w", err)
		}
	}
	if u.Username != "" {
		if err := s.sweep(ctx, u); err != nil {
			return err
		}
	}
	if u.StageID != "" {
		if err := s.deleteStage(ctx, u.StageID); err != nil {
			return err
		}
	}
	if s.Assets != nil {
		// The asset id is derived from the sub, so images are found even when
		// the profile that recorded the id is gone.
		if _, err := s.Assets.DeletePrefix(ctx, ChannelAssetID(u.Sub)+"/"); err != nil {
			return fmt.Errorf("delete account: images: %w", err)
		}
	}
	if u.ChannelArn != "" {
		if err := s.Store.DeleteSessions(ctx, u.ChannelArn); err != nil {
			return fmt.Errorf("delete account: stream sessions: %w", err)
		}
	}
	return nil
}

// sweep deletes resources tagged as the user's under their current names that
// the profile does not name: leftovers of a provisioning that failed.
func (s *service) sweep(ctx context.Context, u onair.User) error {
	tags := s.ownerTags(u.Sub)
	chans, err := s.Video.FindChannels(ctx, ChannelName(u.Username), tags)
	if err != nil {
		return fmt.Errorf("delete account: find channels: %w", err)
	}
	for _, ch := range chans {
		if ch.Arn == u.ChannelArn {
			continue
		}
		if err := s.Video.StopStream(ctx, ch.Arn); err != nil && !errors.Is(err, onair.ErrNotFound) {
			return fmt.Errorf("delete account: stop stream: %w", err)
		}
		if err := s.deleteIVSChannel(ctx, ch.Arn); err != nil {
			return err
		}
	}
	rooms, err := s.Chat.FindRooms(ctx, RoomName(u.Username), tags)
	if err != nil {
		return fmt.Errorf("delete account: find rooms: %w", err)
	}
	for _, r := range rooms {
		if r.Arn == u.ChatRoomArn {
			continue
		}
		if err := s.Chat.DeleteRoom(ctx, r.Arn); err != nil {
			return fmt.Errorf("delete account: chat room: %w", err)
		}
	}
	return nil
}

// deleteIVSChannel deletes a channel, waiting out the moment after StopStream
// during which IVS still sees it live.
func (s *service) deleteIVSChannel(ctx context.Context, arn string) error {
	for i := 0; ; i++ {
		err := s.Video.DeleteChannel(ctx, arn)
		if err == nil {
			return nil
		}
		if onair.ErrorCode(err) != onair.Conflict || i == deleteChannelRetries {
			return fmt.Errorf("delete account: channel: %w", err)
		}
		if err := s.sleep(ctx, deleteChannelWait<<i); err != nil {
			return err
		}
	}
}

// deleteStage deletes the user's stage in IVS Real-Time and its record.
func (s *service) deleteStage(ctx context.Context, id string) error {
	arn := ""
	st, err := s.Store.GetStage(ctx, id)
	switch {
	case err == nil:
		arn = st.Arn
	case !errors.Is(err, onair.ErrNotFound):
		return fmt.Errorf("delete account: stage: %w", err)
	}
	if arn == "" && s.Config.Region != "" && s.Config.AccountID != "" {
		arn = fmt.Sprintf("arn:aws:ivs:%s:%s:stage/%s", s.Config.Region, s.Config.AccountID, id)
	}
	if arn != "" {
		if err := s.RealTime.DeleteStage(ctx, arn); err != nil {
			return fmt.Errorf("delete account: stage: %w", err)
		}
	}
	if err := s.Store.DeleteStage(ctx, id); err != nil {
		return fmt.Errorf("delete account: stage record: %w", err)
	}
	return nil
}

func (s *service) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return wait.Sleep(ctx, d)
}
