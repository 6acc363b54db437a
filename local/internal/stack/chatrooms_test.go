package stack_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	chattypes "github.com/aws/aws-sdk-go-v2/service/ivschat/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/stack"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/onair"
)

// TestScheduledSweepSetsUpRoomsWithoutTheHandler: a room provisioned
// before the review handler existed gets it at SetUpChatRooms' next
// scheduled run, with nobody asking for a chat token; another stack's room
// in the same account is left alone; once done, a run lists no rooms.
func TestScheduledSweepSetsUpRoomsWithoutTheHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	ctx := context.Background()
	s := boot(t, nil, nil)
	assert.Equal(t, 5*time.Minute, s.Schedules()["SetUpChatRooms"], "the stack runs the sweep as the cloud does")
	cfg := awsConfig(s)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(cfg)}
	alice := c.signUp("alice")
	status, out := c.api("POST", "/channel/resources/create", alice.access, map[string]string{"email": alice.email})
	require.Equal(t, http.StatusCreated, status, out)
	u, err := s.Store().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	chat := sdkchat.NewFromConfig(cfg)
	room, err := chat.GetRoom(ctx, &sdkchat.GetRoomInput{Identifier: aws.String(u.ChatRoomArn)})
	require.NoError(t, err)
	require.NotNil(t, room.MessageReviewHandler)
	want := chatreview.Room(aws.ToString(room.MessageReviewHandler.Uri))

	// As provisioned before the handler existed: no handler, IVS's default
	// rate, nothing recorded on the profile.
	_, err = chat.UpdateRoom(ctx, &sdkchat.UpdateRoomInput{Identifier: aws.String(u.ChatRoomArn),
		MessageReviewHandler: &chattypes.MessageReviewHandler{Uri: aws.String("")}, MaximumMessageRatePerSecond: aws.Int32(10)})
	require.NoError(t, err)
	_, err = s.Store().UpdateUser(ctx, u.Sub, func(u *onair.User) error { u.ChatReview = ""; return nil })
	require.NoError(t, err)
	other, err := chat.CreateRoom(ctx, &sdkchat.CreateRoomInput{Name: aws.String("prod-room"),
		Tags: map[string]string{onair.TagProject: "onair-prod", onair.TagOwner: u.Sub}})
	require.NoError(t, err)

	require.NoError(t, s.RunSchedule(ctx, "SetUpChatRooms"))
	room, err = chat.GetRoom(ctx, &sdkchat.GetRoomInput{Identifier: aws.String(u.ChatRoomArn)})
	require.NoError(t, err)
	require.NotNil(t, room.MessageReviewHandler, "the sweep set the room up")
	assert.Equal(t, want.HandlerURI, aws.ToString(room.MessageReviewHandler.Uri))
	assert.Equal(t, want.FallbackResult, string(room.MessageReviewHandler.FallbackResult))
	assert.EqualValues(t, want.MaxMessageRatePerSecond, aws.ToInt32(room.MaximumMessageRatePerSecond))
	u, err = s.Store().GetUser(ctx, u.Sub)
	require.NoError(t, err)
	assert.Equal(t, want.Marker(), u.ChatReview, "recorded, so a chat token does not update the room again")
	got, err := chat.GetRoom(ctx, &sdkchat.GetRoomInput{Identifier: other.Arn})
	require.NoError(t, err)
	assert.Nil(t, got.MessageReviewHandler, "another stack's room is left alone")

	// Done: the next runs read their progress and list no rooms.
	lists := sweepCalls(s, "ListRooms")
	require.NoError(t, s.RunSchedule(ctx, "SetUpChatRooms"))
	require.NoError(t, s.RunSchedule(ctx, "SetUpChatRooms"))
	assert.Equal(t, lists, sweepCalls(s, "ListRooms"))
	assert.Equal(t, 1, sweepCalls(s, "UpdateRoom"))
	assert.Error(t, s.RunSchedule(ctx, "GetChannel"), "not a scheduled function")
}

// sweepCalls counts SetUpChatRooms' calls of op.
func sweepCalls(s *stack.Stack, op string) int {
	n := 0
	for _, c := range s.AWSCalls() {
		if c.Function == "SetUpChatRooms" && c.Operation == op {
			n++
		}
	}
	return n
}
