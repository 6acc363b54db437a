package ivschat

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

// newTestClient returns a client whose IVS Chat endpoint is api
// (usually an *awstest.Fake).
func newTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	return New(awstest.Server(t, api))
}

const roomArn = "arn:aws:ivschat:us-east-1:111122223333:room/RoOm12345678"

var roomTags = map[string]string{"project": "onair", "onair:owner": "sub-1"}

func TestCreateRoom(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateRoom": {{Body: `{"arn":"` + roomArn + `","id":"RoOm12345678","name":"alices-room","maximumMessageLength":500,
			"maximumMessageRatePerSecond":10,"tags":{"project":"onair","onair:owner":"sub-1"}}`}},
	}}
	c := newTestClient(t, api)
	room, err := c.CreateRoom(context.Background(), onair.ChatRoomSpec{Name: "alices-room", Tags: roomTags})
	require.NoError(t, err)
	assert.Equal(t, onair.ChatRoom{Arn: roomArn, Name: "alices-room", Tags: roomTags}, room)
	assert.Equal(t, map[string]any{"name": "alices-room", "tags": map[string]any{"project": "onair", "onair:owner": "sub-1"}}, api.Body(0))
}

func TestCreateRoomErrors(t *testing.T) {
	cases := []struct {
		name  string
		reply awstest.Reply
		code  onair.Code
	}{
		{"throttled", awstest.Reply{Status: 429, ErrType: "ThrottlingException", Body: `{"message":"slow","resourceId":"x","resourceType":"ROOM","limit":5}`}, onair.Throttled},
		{"quota", awstest.Reply{Status: 402, ErrType: "ServiceQuotaExceededException", Body: `{"message":"rooms","resourceId":"x","resourceType":"ROOM","limit":50000}`}, onair.Throttled},
		{"invalid", awstest.Reply{Status: 400, ErrType: "ValidationException", Body: `{"message":"bad","reason":"FIELD_VALIDATION_FAILED"}`}, onair.Invalid},
		{"no room in reply", awstest.Reply{Status: 200, Body: `{}`}, onair.Internal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, &awstest.Fake{Replies: map[string][]awstest.Reply{"CreateRoom": {tc.reply}}})
			_, err := c.CreateRoom(context.Background(), onair.ChatRoomSpec{Name: "x"})
			assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
		})
	}
}

func TestFindRooms(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListRooms": {
			{Body: `{"rooms":[
				{"arn":"` + roomArn + `","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-1"}},
				{"arn":"r2","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-2"}},
				{"arn":"r3","name":"alices-room-x","tags":{"project":"onair","onair:owner":"sub-1"}}
			],"nextToken":"t2"}`},
			{Body: `{"rooms":[{"arn":"r4","name":"alices-room"},{"arn":"r5","name":"alices-room"}]}`},
		},
		"GetRoom": {
			{Body: `{"arn":"r4","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-1"}}`},
			{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"message":"gone","resourceId":"r5","resourceType":"ROOM"}`},
		},
	}}
	c := newTestClient(t, api)
	got, err := c.FindRooms(context.Background(), "alices-room", roomTags)
	require.NoError(t, err)
	assert.Equal(t, []onair.ChatRoom{
		{Arn: roomArn, Name: "alices-room", Tags: roomTags},
		{Arn: "r4", Name: "alices-room", Tags: roomTags},
	}, got)
	assert.Equal(t, []string{"ListRooms", "ListRooms", "GetRoom", "GetRoom"}, api.Ops())
	assert.Equal(t, "alices-room", api.Body(0)["name"])
	assert.Equal(t, "t2", api.Body(1)["nextToken"])
	assert.Equal(t, "r4", api.Body(2)["identifier"])
}

func TestFindRoomsThrottled(t *testing.T) {
	c := newTestClient(t, &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListRooms": {{Status: 429, ErrType: "ThrottlingException", Body: `{"message":"slow","resourceId":"","resourceType":"ROOM","limit":5}`}},
	}})
	_, err := c.FindRooms(context.Background(), "alices-room", roomTags)
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}

func TestDeleteRoom(t *testing.T) {
	cases := []struct {
		name  string
		reply awstest.Reply
		code  onair.Code
	}{
		{"deleted", awstest.Reply{Status: 204}, ""},
		{"already gone", awstest.Reply{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"message":"no","resourceId":"x","resourceType":"ROOM"}`}, ""},
		{"throttled", awstest.Reply{Status: 429, ErrType: "ThrottlingException", Body: `{"message":"slow","resourceId":"x","resourceType":"ROOM","limit":5}`}, onair.Throttled},
		{"denied", awstest.Reply{Status: 403, ErrType: "AccessDeniedException", Body: `{"message":"no"}`}, onair.Internal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &awstest.Fake{Replies: map[string][]awstest.Reply{"DeleteRoom": {tc.reply}}}
			err := newTestClient(t, api).DeleteRoom(context.Background(), roomArn)
			if tc.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err))
			}
			assert.Equal(t, map[string]any{"identifier": roomArn}, api.Body(0))
		})
	}
}

func TestRoomReview(t *testing.T) {
	review := onair.ChatRoomReview{HandlerURI: "arn:aws:lambda:us-east-1:111122223333:function:onair-ChatReview", FallbackResult: "DENY", MaxMessageRatePerSecond: 100}
	handler := map[string]any{"uri": review.HandlerURI, "fallbackResult": "DENY"}

	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateRoom": {{Body: `{"arn":"` + roomArn + `","name":"alices-room"}`}},
		"UpdateRoom": {{Body: `{"arn":"` + roomArn + `"}`}, {Body: `{"arn":"` + roomArn + `"}`},
			{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"message":"gone","resourceId":"x","resourceType":"ROOM"}`}},
	}}
	c := newTestClient(t, api)
	_, err := c.CreateRoom(t.Context(), onair.ChatRoomSpec{Name: "alices-room", Review: review})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "alices-room", "messageReviewHandler": handler, "maximumMessageRatePerSecond": float64(100)}, api.Body(0))

	require.NoError(t, c.SetReview(t.Context(), roomArn, review))
	assert.Equal(t, map[string]any{"identifier": roomArn, "messageReviewHandler": handler, "maximumMessageRatePerSecond": float64(100)}, api.Body(1))

	require.NoError(t, c.SetReview(t.Context(), roomArn, onair.ChatRoomReview{}))
	assert.Equal(t, map[string]any{"identifier": roomArn, "messageReviewHandler": map[string]any{"uri": ""}}, api.Body(2), "an empty uri removes the handler")

	err = c.SetReview(t.Context(), roomArn, review)
	assert.ErrorIs(t, err, onair.ErrNotFound)
}

func TestListRooms(t *testing.T) {
	handler := "arn:aws:lambda:us-east-1:111122223333:function:onair-ChatReview"
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListRooms": {
			{Body: `{"rooms":[
				{"arn":"` + roomArn + `","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-1"},
				 "messageReviewHandler":{"uri":"` + handler + `","fallbackResult":"DENY"}},
				{"arn":"r2","name":"old-room","tags":{"project":"onair"}},
				{"arn":"r3","name":"other"}
			],"nextToken":"t2"}`},
			{Body: `{"rooms":[]}`},
			{Status: 400, ErrType: "ValidationException", Body: `{"message":"bad token","reason":"FIELD_VALIDATION_FAILED"}`},
			{Status: 429, ErrType: "ThrottlingException", Body: `{"message":"slow","resourceId":"","resourceType":"ROOM","limit":5}`},
		},
	}}
	c := newTestClient(t, api)
	rooms, next, err := c.ListRooms(t.Context(), "")
	require.NoError(t, err)
	assert.Equal(t, []onair.ChatRoomSummary{
		{Arn: roomArn, Tags: roomTags, HandlerURI: handler, FallbackResult: "DENY"},
		{Arn: "r2", Tags: map[string]string{"project": "onair"}},
		{Arn: "r3"},
	}, rooms)
	assert.Equal(t, "t2", next)
	assert.Equal(t, map[string]any{"maxResults": float64(50)}, api.Body(0))

	rooms, next, err = c.ListRooms(t.Context(), "t2")
	require.NoError(t, err)
	assert.Empty(t, rooms)
	assert.Empty(t, next)
	assert.Equal(t, map[string]any{"maxResults": float64(50), "nextToken": "t2"}, api.Body(1))

	_, _, err = c.ListRooms(t.Context(), "stale")
	assert.Equal(t, onair.Invalid, onair.ErrorCode(err), "a cursor IVS no longer takes: %v", err)
	_, _, err = c.ListRooms(t.Context(), "")
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}
