package ivsemu

import (
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/ivschat/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func (e *env) createRoom(name string) *ivschat.CreateRoomOutput {
	e.t.Helper()
	out, err := e.chat.CreateRoom(e.ctx, &ivschat.CreateRoomInput{Name: aws.String(name)})
	require.NoError(e.t, err)
	return out
}

func TestRoomCRUD(t *testing.T) {
	e := newEnv(t)
	r := e.createRoom("alice")
	assert.Regexp(t, `^arn:aws:ivschat:us-east-1:111122223333:room/[a-zA-Z0-9]{12}$`, *r.Arn)
	assert.Len(t, *r.Id, 12)
	assert.EqualValues(t, 500, *r.MaximumMessageLength)
	assert.EqualValues(t, 10, *r.MaximumMessageRatePerSecond)
	assert.Equal(t, e.clock.Now(), r.CreateTime.UTC())

	e.clock.Advance(time.Second)
	up, err := e.chat.UpdateRoom(e.ctx, &ivschat.UpdateRoomInput{Identifier: r.Arn, MaximumMessageLength: aws.Int32(100),
		MessageReviewHandler: &types.MessageReviewHandler{Uri: aws.String("arn:aws:lambda:us-east-1:111122223333:function:Review")}})
	require.NoError(t, err)
	assert.EqualValues(t, 100, *up.MaximumMessageLength)
	assert.EqualValues(t, 10, *up.MaximumMessageRatePerSecond)
	assert.Equal(t, types.FallbackResultAllow, up.MessageReviewHandler.FallbackResult)
	assert.True(t, up.UpdateTime.After(*up.CreateTime))

	got, err := e.chat.GetRoom(e.ctx, &ivschat.GetRoomInput{Identifier: r.Arn})
	require.NoError(t, err)
	assert.EqualValues(t, 100, *got.MaximumMessageLength)

	e.clock.Advance(time.Second)
	e.createRoom("bob")
	list, err := e.chat.ListRooms(e.ctx, &ivschat.ListRoomsInput{})
	require.NoError(t, err)
	require.Len(t, list.Rooms, 2)
	assert.Equal(t, "bob", *list.Rooms[0].Name, "most recently updated first")
	assert.Equal(t, "alice", *list.Rooms[1].Name)
	list, err = e.chat.ListRooms(e.ctx, &ivschat.ListRoomsInput{Name: aws.String("bob")})
	require.NoError(t, err)
	require.Len(t, list.Rooms, 1)

	_, err = e.chat.TagResource(e.ctx, &ivschat.TagResourceInput{ResourceArn: r.Arn, Tags: map[string]string{"k": "v"}})
	require.NoError(t, err)
	tags, err := e.chat.ListTagsForResource(e.ctx, &ivschat.ListTagsForResourceInput{ResourceArn: r.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "v"}, tags.Tags)

	_, err = e.chat.DeleteRoom(e.ctx, &ivschat.DeleteRoomInput{Identifier: r.Arn})
	require.NoError(t, err)
	assert.Contains(t, e.hub.Calls(), "close "+*r.Arn)
	_, err = e.chat.GetRoom(e.ctx, &ivschat.GetRoomInput{Identifier: r.Arn})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, *r.Id, *nf.ResourceId)
	assert.Equal(t, types.ResourceTypeRoom, nf.ResourceType)
	assert.Contains(t, nf.ErrorMessage(), *r.Arn)
}

func TestChatValidation(t *testing.T) {
	e := newEnv(t)
	r := e.createRoom("alice")
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"message length too long", func() error {
			_, err := e.chat.CreateRoom(e.ctx, &ivschat.CreateRoomInput{MaximumMessageLength: aws.Int32(501)})
			return err
		}, "maximumMessageLength"},
		{"rate too high", func() error {
			_, err := e.chat.CreateRoom(e.ctx, &ivschat.CreateRoomInput{MaximumMessageRatePerSecond: aws.Int32(101)})
			return err
		}, "maximumMessageRatePerSecond"},
		{"session too long", func() error {
			_, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"), SessionDurationInMinutes: aws.Int32(181)})
			return err
		}, "sessionDurationInMinutes"},
		{"bad capability", func() error {
			_, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"), Capabilities: []types.ChatTokenCapability{"SHOUT"}})
			return err
		}, "capabilities.1.member"},
		{"attributes too big", func() error {
			_, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"),
				Attributes: map[string]string{"a": string(make([]byte, 1024))}})
			return err
		}, "attributes"},
		{"empty user id", func() error {
			_, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("")})
			return err
		}, "userId"},
		{"room identifier not an ARN", func() error {
			_, err := e.chat.GetRoom(e.ctx, &ivschat.GetRoomInput{Identifier: r.Id})
			return err
		}, "identifier"},
		{"delete message bad id", func() error {
			_, err := e.chat.DeleteMessage(e.ctx, &ivschat.DeleteMessageInput{RoomIdentifier: r.Arn, Id: aws.String("short")})
			return err
		}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *types.ValidationException
			require.ErrorAs(t, tt.call(), &ve)
			assert.Equal(t, types.ValidationExceptionReasonFieldValidationFailed, ve.Reason)
			require.NotEmpty(t, ve.FieldList)
			assert.Equal(t, tt.field, *ve.FieldList[0].Name)
			assert.NotEmpty(t, ve.ErrorMessage())
		})
	}
}

func TestChatTokens(t *testing.T) {
	e := newEnv(t)
	r := e.createRoom("alice")
	out, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u-1"),
		Capabilities: []types.ChatTokenCapability{types.ChatTokenCapabilitySendMessage}, SessionDurationInMinutes: aws.Int32(180),
		Attributes: map[string]string{"username": "ann"}})
	require.NoError(t, err)
	// Opaque, URL-safe and valid as a WebSocket sub-protocol (RFC 7230 token).
	assert.Regexp(t, regexp.MustCompile(`^AQICAH[A-Za-z0-9_-]+$`), *out.Token)
	assert.Equal(t, e.clock.Now().Add(180*time.Minute), out.SessionExpirationTime.UTC())
	assert.Equal(t, e.clock.Now().Add(time.Hour), out.TokenExpirationTime.UTC())

	def, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u-2")})
	require.NoError(t, err)
	assert.Equal(t, e.clock.Now().Add(60*time.Minute), def.SessionExpirationTime.UTC(), "default session is 60 minutes")

	sess, err := e.svc.RedeemChatToken(e.ctx, *out.Token)
	require.NoError(t, err)
	assert.Equal(t, *r.Arn, sess.RoomArn)
	assert.Equal(t, "u-1", sess.UserID)
	assert.Equal(t, map[string]string{"username": "ann"}, sess.Attributes)
	assert.True(t, sess.Can(CapSendMessage))
	assert.False(t, sess.Can(CapDeleteMessage))

	_, err = e.svc.RedeemChatToken(e.ctx, *out.Token)
	assert.True(t, errors.Is(err, ErrChatTokenInvalid), "tokens are single-use")

	e.clock.Advance(61 * time.Minute)
	_, err = e.svc.RedeemChatToken(e.ctx, *def.Token)
	assert.True(t, errors.Is(err, ErrChatTokenExpired))

	late, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u-3")})
	require.NoError(t, err)
	_, err = e.chat.DeleteRoom(e.ctx, &ivschat.DeleteRoomInput{Identifier: r.Arn})
	require.NoError(t, err)
	_, err = e.svc.RedeemChatToken(e.ctx, *late.Token)
	assert.True(t, errors.Is(err, ErrChatRoomNotFound))

	_, err = e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
}

func TestChatActionsReachTheHub(t *testing.T) {
	e := newEnv(t)
	r := e.createRoom("alice")
	ev, err := e.chat.SendEvent(e.ctx, &ivschat.SendEventInput{RoomIdentifier: r.Arn, EventName: aws.String("stage:JOIN"),
		Attributes: map[string]string{"userId": "u"}})
	require.NoError(t, err)
	assert.Regexp(t, `^[a-zA-Z0-9]{12}$`, *ev.Id)
	del, err := e.chat.DeleteMessage(e.ctx, &ivschat.DeleteMessageInput{RoomIdentifier: r.Arn, Id: aws.String("AbCdEf123456"), Reason: aws.String("spam")})
	require.NoError(t, err)
	assert.Len(t, *del.Id, 12)
	_, err = e.chat.DisconnectUser(e.ctx, &ivschat.DisconnectUserInput{RoomIdentifier: r.Arn, UserId: aws.String("u-9"), Reason: aws.String("banned")})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"event " + *r.Arn + " stage:JOIN " + *ev.Id,
		"delete " + *r.Arn + " AbCdEf123456 spam",
		"disconnect " + *r.Arn + " u-9 banned",
	}, e.hub.Calls())

	_, err = e.chat.SendEvent(e.ctx, &ivschat.SendEventInput{RoomIdentifier: aws.String("arn:aws:ivschat:us-east-1:111122223333:room/missing"), EventName: aws.String("x")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
}

// chatTokenCounts returns how many tokens are stored and indexed by expiry.
func (e *env) chatTokenCounts() (tokens, indexed int) {
	e.t.Helper()
	require.NoError(e.t, e.svc.db.View(func(tx *bolt.Tx) error {
		tokens = tx.Bucket([]byte(bChatTokens)).Stats().KeyN
		indexed = tx.Bucket([]byte(bChatTokenExp)).Stats().KeyN
		return nil
	}))
	return tokens, indexed
}

// TestChatTokensAreIndexedByExpiry: minting forgets expired tokens through
// an expiry index (no scan of every outstanding token); redeemed tokens
// leave the index too.
func TestChatTokensAreIndexedByExpiry(t *testing.T) {
	e := newEnv(t)
	r := e.createRoom("alice")
	mint := func(minutes int32) string {
		out, err := e.chat.CreateChatToken(e.ctx, &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u"),
			SessionDurationInMinutes: aws.Int32(minutes)})
		require.NoError(t, err)
		return *out.Token
	}
	for i := 0; i < 5; i++ {
		mint(10)
	}
	long := mint(120)
	redeemed := mint(120)
	_, err := e.svc.RedeemChatToken(e.ctx, redeemed)
	require.NoError(t, err)
	tokens, indexed := e.chatTokenCounts()
	assert.Equal(t, 6, tokens)
	assert.Equal(t, 6, indexed, "every outstanding token is indexed by expiry")

	e.clock.Advance(11 * time.Minute)
	mint(120)
	tokens, indexed = e.chatTokenCounts()
	assert.Equal(t, 2, tokens, "the five expired tokens are forgotten")
	assert.Equal(t, 2, indexed)
	_, err = e.svc.RedeemChatToken(e.ctx, long)
	assert.NoError(t, err, "a live token survives the purge")
}

// BenchmarkCreateChatTokenWith3000Outstanding: minting cost does not grow
// with the number of outstanding tokens (2.1 ms/op with the expiry index,
// 24 ms/op when every mint scanned every token; 2 cores).
func BenchmarkCreateChatTokenWith3000Outstanding(b *testing.B) {
	e := newEnv(b)
	r := e.createRoom("alice")
	in := &ivschat.CreateChatTokenInput{RoomIdentifier: r.Arn, UserId: aws.String("u")}
	for i := 0; i < 3000; i++ {
		in.UserId = aws.String("u" + strconv.Itoa(i))
		if _, err := e.chat.CreateChatToken(e.ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.chat.CreateChatToken(e.ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
