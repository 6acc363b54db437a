package ivschat

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// roomsAPI answers IVS Chat's rest-json operations (POST /<Operation>) from
// scripted replies per operation, consumed in order (the last one repeats).
type roomsAPI struct {
	mu      sync.Mutex
	replies map[string][]roomsReply
	ops     []string
	bodies  []map[string]any
}

type roomsReply struct {
	status  int
	errType string
	body    string
}

func (f *roomsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	op := r.URL.Path[1:]
	f.ops = append(f.ops, op)
	f.bodies = append(f.bodies, body)
	w.Header().Set("Content-Type", "application/json")
	rs := f.replies[op]
	if len(rs) == 0 {
		w.Header().Set("X-Amzn-ErrorType", "ValidationException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"message":"unexpected call","reason":"UNKNOWN_OPERATION"}`)
		return
	}
	rp := rs[0]
	if len(rs) > 1 {
		f.replies[op] = rs[1:]
	}
	if rp.errType != "" {
		w.Header().Set("X-Amzn-ErrorType", rp.errType)
	}
	if rp.status != 0 {
		w.WriteHeader(rp.status)
	}
	_, _ = io.WriteString(w, rp.body)
}

func roomsTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return New(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

const roomArn = "arn:aws:ivschat:us-east-1:111122223333:room/RoOm12345678"

var roomTags = map[string]string{"project": "onair", "onair:owner": "sub-1"}

func TestCreateRoom(t *testing.T) {
	api := &roomsAPI{replies: map[string][]roomsReply{
		"CreateRoom": {{body: `{"arn":"` + roomArn + `","id":"RoOm12345678","name":"alices-room","maximumMessageLength":500,
			"maximumMessageRatePerSecond":10,"tags":{"project":"onair","onair:owner":"sub-1"}}`}},
	}}
	c := roomsTestClient(t, api)
	room, err := c.CreateRoom(context.Background(), onair.ChatRoomSpec{Name: "alices-room", Tags: roomTags})
	require.NoError(t, err)
	assert.Equal(t, onair.ChatRoom{Arn: roomArn, Name: "alices-room", Tags: roomTags}, room)
	assert.Equal(t, map[string]any{"name": "alices-room", "tags": map[string]any{"project": "onair", "onair:owner": "sub-1"}}, api.bodies[0])
}

func TestCreateRoomErrors(t *testing.T) {
	cases := []struct {
		name  string
		reply roomsReply
		code  onair.Code
	}{
		{"throttled", roomsReply{429, "ThrottlingException", `{"message":"slow","resourceId":"x","resourceType":"ROOM","limit":5}`}, onair.Throttled},
		{"quota", roomsReply{402, "ServiceQuotaExceededException", `{"message":"rooms","resourceId":"x","resourceType":"ROOM","limit":50000}`}, onair.Throttled},
		{"invalid", roomsReply{400, "ValidationException", `{"message":"bad","reason":"FIELD_VALIDATION_FAILED"}`}, onair.Invalid},
		{"no room in reply", roomsReply{200, "", `{}`}, onair.Internal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := roomsTestClient(t, &roomsAPI{replies: map[string][]roomsReply{"CreateRoom": {tc.reply}}})
			_, err := c.CreateRoom(context.Background(), onair.ChatRoomSpec{Name: "x"})
			assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
		})
	}
}

func TestFindRooms(t *testing.T) {
	api := &roomsAPI{replies: map[string][]roomsReply{
		"ListRooms": {
			{body: `{"rooms":[
				{"arn":"` + roomArn + `","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-1"}},
				{"arn":"r2","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-2"}},
				{"arn":"r3","name":"alices-room-x","tags":{"project":"onair","onair:owner":"sub-1"}}
			],"nextToken":"t2"}`},
			{body: `{"rooms":[{"arn":"r4","name":"alices-room"},{"arn":"r5","name":"alices-room"}]}`},
		},
		"GetRoom": {
			{body: `{"arn":"r4","name":"alices-room","tags":{"project":"onair","onair:owner":"sub-1"}}`},
			{status: 404, errType: "ResourceNotFoundException", body: `{"message":"gone","resourceId":"r5","resourceType":"ROOM"}`},
		},
	}}
	c := roomsTestClient(t, api)
	got, err := c.FindRooms(context.Background(), "alices-room", roomTags)
	require.NoError(t, err)
	assert.Equal(t, []onair.ChatRoom{
		{Arn: roomArn, Name: "alices-room", Tags: roomTags},
		{Arn: "r4", Name: "alices-room", Tags: roomTags},
	}, got)
	assert.Equal(t, []string{"ListRooms", "ListRooms", "GetRoom", "GetRoom"}, api.ops)
	assert.Equal(t, "alices-room", api.bodies[0]["name"])
	assert.Equal(t, "t2", api.bodies[1]["nextToken"])
	assert.Equal(t, "r4", api.bodies[2]["identifier"])
}

func TestFindRoomsThrottled(t *testing.T) {
	c := roomsTestClient(t, &roomsAPI{replies: map[string][]roomsReply{
		"ListRooms": {{429, "ThrottlingException", `{"message":"slow","resourceId":"","resourceType":"ROOM","limit":5}`}},
	}})
	_, err := c.FindRooms(context.Background(), "alices-room", roomTags)
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}

func TestDeleteRoom(t *testing.T) {
	cases := []struct {
		name  string
		reply roomsReply
		code  onair.Code
	}{
		{"deleted", roomsReply{status: 204}, ""},
		{"already gone", roomsReply{404, "ResourceNotFoundException", `{"message":"no","resourceId":"x","resourceType":"ROOM"}`}, ""},
		{"throttled", roomsReply{429, "ThrottlingException", `{"message":"slow","resourceId":"x","resourceType":"ROOM","limit":5}`}, onair.Throttled},
		{"denied", roomsReply{403, "AccessDeniedException", `{"message":"no"}`}, onair.Internal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &roomsAPI{replies: map[string][]roomsReply{"DeleteRoom": {tc.reply}}}
			err := roomsTestClient(t, api).DeleteRoom(context.Background(), roomArn)
			if tc.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err))
			}
			assert.Equal(t, map[string]any{"identifier": roomArn}, api.bodies[0])
		})
	}
}
