package chatreview

import (
	"context"
	"errors"

	"github.com/onair/onair/shared/onair"
)

// Room is the moderation every room is set up with: this handler (the
// ChatReview function's ARN), FallbackResult and RoomMessageRate. An
// empty handlerARN is no handler.
func Room(handlerARN string) onair.ChatRoomReview {
	if handlerARN == "" {
		return onair.ChatRoomReview{}
	}
	return onair.ChatRoomReview{HandlerURI: handlerARN, FallbackResult: FallbackResult, MaxMessageRatePerSecond: RoomMessageRate}
}

// Rooms sets a room's moderation (IVS Chat UpdateRoom, shared/ivschat).
type Rooms interface {
	SetReview(ctx context.Context, roomArn string, r onair.ChatRoomReview) error
}

// Profiles records on the owner's profile what their room is set up with.
type Profiles interface {
	UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error)
}

// Ensure sets the owner's room up with want, unless their profile records
// that it already is (User.ChatReview): rooms provisioned before the review
// handler existed, or set up with another handler, get it the first time
// anyone asks for a token to the room or the owner bans someone, and only
// then — one UpdateRoom per room and setting (two requests at once may both
// update; setting the same twice is harmless). A room that no longer exists
// is not an error.
func Ensure(ctx context.Context, users Profiles, rooms Rooms, owner onair.User, want onair.ChatRoomReview) error {
	marker := want.Marker()
	if owner.ChatRoomArn == "" || marker == "" || owner.ChatReview == marker {
		return nil
	}
	err := rooms.SetReview(ctx, owner.ChatRoomArn, want)
	if errors.Is(err, onair.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return record(ctx, users, owner.Sub, owner.ChatRoomArn, marker)
}

// record notes on sub's profile that their room roomArn is set up with
// marker, unless the profile holds another room by now (or is gone).
func record(ctx context.Context, users Profiles, sub, roomArn, marker string) error {
	_, err := users.UpdateUser(ctx, sub, func(u *onair.User) error {
		if u.ChatRoomArn != roomArn || u.ChatReview == marker {
			return onair.ErrUnchanged
		}
		u.ChatReview = marker
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		return nil
	}
	return err
}

// Setup puts the deployment's moderation on owners' rooms: Ensure with
// its profiles, rooms and setting. The routes that mint chat tokens and ban
// take it.
type Setup struct {
	profiles Profiles
	rooms    Rooms
	want     onair.ChatRoomReview
}

// NewSetup returns the setup of rooms with the handler handlerARN (Room).
func NewSetup(profiles Profiles, rooms Rooms, handlerARN string) *Setup {
	return &Setup{profiles: profiles, rooms: rooms, want: Room(handlerARN)}
}

// Ensure is Ensure for the owner's room.
func (s *Setup) Ensure(ctx context.Context, owner onair.User) error {
	return Ensure(ctx, s.profiles, s.rooms, owner, s.want)
}
