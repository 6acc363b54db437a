package ivsrealtime

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

// newTestClient returns a client whose IVS Real-Time endpoint is api
// (usually an *awstest.Fake).
func newTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	return New(awstest.Server(t, api))
}

const stageJSON = `{"stage":{"arn":"arn:aws:ivs:us-east-1:111122223333:stage/AbCdEf123456","name":"ann-stage",
 "activeSessionId":"st-1AbCdEfGhIjKl","tags":{"project":"p"},
 "endpoints":{"events":"wss://global.events.live-video.net","whip":"https://abc.global-bm.whip.live-video.net",
 "rtmp":"rtmp://x/app/","rtmps":"rtmps://x:443/app/"}}}`

func TestCreateAndGetStage(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateStage": {{Body: stageJSON}},
		"GetStage":    {{Body: stageJSON}, {Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"no"}`}},
	}}
	c := newTestClient(t, api)

	st, err := c.CreateStage(t.Context(), "ann-stage", map[string]string{"project": "p", "onair:owner": "sub-1"})
	require.NoError(t, err)
	want := onair.RealTimeStage{
		Arn: "arn:aws:ivs:us-east-1:111122223333:stage/AbCdEf123456", Name: "ann-stage",
		ActiveSessionID: "st-1AbCdEfGhIjKl", Tags: map[string]string{"project": "p"},
		Endpoints: onair.StageEndpoints{Events: "wss://global.events.live-video.net",
			Whip: "https://abc.global-bm.whip.live-video.net", RTMP: "rtmp://x/app/", RTMPS: "rtmps://x:443/app/"},
	}
	assert.Equal(t, want, st)
	assert.Equal(t, "AbCdEf123456", st.ID())
	assert.Equal(t, "ann-stage", api.Body(0)["name"])
	assert.Equal(t, map[string]any{"project": "p", "onair:owner": "sub-1"}, api.Body(0)["tags"])

	got, err := c.GetStage(t.Context(), want.Arn)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, want.Arn, api.Body(1)["arn"])

	_, err = c.GetStage(t.Context(), want.Arn)
	assert.ErrorIs(t, err, onair.ErrNotFound)
}

func TestListStagesTaggedPagesAndFilters(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListStages": {
			{Body: `{"stages":[{"arn":"arn:a:stage/1","tags":{"project":"p","onair:owner":"u1"}},
			                   {"arn":"arn:a:stage/2","tags":{"project":"other","onair:owner":"u1"}}],"nextToken":"n1"}`},
			{Body: `{"stages":[{"arn":"arn:a:stage/3","activeSessionId":"st-x","tags":{"project":"p","onair:owner":"u1","createdAt":"t"}},
			                   {"arn":"arn:a:stage/4"}]}`},
		},
	}}
	c := newTestClient(t, api)
	got, err := c.ListStagesTagged(t.Context(), map[string]string{"project": "p", "onair:owner": "u1"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "arn:a:stage/1", got[0].Arn)
	assert.Equal(t, "arn:a:stage/3", got[1].Arn)
	assert.Equal(t, "st-x", got[1].ActiveSessionID)
	require.Len(t, api.Calls(), 2)
	assert.Equal(t, "n1", api.Body(1)["nextToken"])
}

func TestCreateParticipantToken(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"CreateParticipantToken": {{Body: `{"participantToken":{"token":"eyJ.x.y","participantId":"Xy12Ab34Cd56","userId":"sub-1",
		  "capabilities":["SUBSCRIBE"],"attributes":{"username":"ann"},"duration":60,"expirationTime":"2026-01-10T19:00:00Z"}}`}},
	}}
	c := newTestClient(t, api)
	tok, err := c.CreateParticipantToken(t.Context(), onair.ParticipantTokenRequest{
		StageArn: "arn:a:stage/1", UserID: "sub-1", Capabilities: []string{onair.StageSubscribe},
		Attributes: map[string]string{"username": "ann"}, Duration: 59*time.Minute + time.Second,
	})
	require.NoError(t, err)
	assert.Equal(t, onair.ParticipantToken{Token: "eyJ.x.y", ParticipantID: "Xy12Ab34Cd56", UserID: "sub-1",
		Capabilities: []string{"SUBSCRIBE"}, Attributes: map[string]string{"username": "ann"},
		ExpirationTime: time.Date(2026, 1, 10, 19, 0, 0, 0, time.UTC)}, onair.ParticipantToken{
		Token: tok.Token, ParticipantID: tok.ParticipantID, UserID: tok.UserID, Capabilities: tok.Capabilities,
		Attributes: tok.Attributes, ExpirationTime: tok.ExpirationTime.UTC()})
	b := api.Body(0)
	assert.Equal(t, "arn:a:stage/1", b["stageArn"])
	assert.Equal(t, "sub-1", b["userId"])
	assert.Equal(t, []any{"SUBSCRIBE"}, b["capabilities"])
	assert.EqualValues(t, 60, b["duration"], "durations round up to whole minutes")
}

func TestListParticipants(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListParticipants": {
			{Body: `{"participants":[{"participantId":"p1","userId":"u1","state":"CONNECTED","published":true,"firstJoinTime":"2026-01-10T18:00:00Z"}],"nextToken":"n"}`},
			{Body: `{"participants":[{"participantId":"p2","userId":"u2","state":"DISCONNECTED","published":false}]}`},
			{Body: `{"participants":[{"participantId":"p3"},{"participantId":"p4"}],"nextToken":"more"}`},
		},
	}}
	c := newTestClient(t, api)
	got, err := c.ListParticipants(t.Context(), onair.ParticipantQuery{StageArn: "arn:a:stage/1", SessionID: "st-1", Published: true})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, onair.RealTimeParticipant{ParticipantID: "p1", UserID: "u1", State: "CONNECTED", Published: true,
		FirstJoinTime: time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)}, onair.RealTimeParticipant{
		ParticipantID: got[0].ParticipantID, UserID: got[0].UserID, State: got[0].State, Published: got[0].Published,
		FirstJoinTime: got[0].FirstJoinTime.UTC()})
	assert.Equal(t, "p2", got[1].ParticipantID)
	assert.Equal(t, true, api.Body(0)["filterByPublished"])
	assert.Equal(t, "st-1", api.Body(0)["sessionId"])
	assert.Equal(t, "n", api.Body(1)["nextToken"])

	got, err = c.ListParticipants(t.Context(), onair.ParticipantQuery{StageArn: "arn:a:stage/1", SessionID: "st-1", State: onair.ParticipantConnected, Max: 1})
	require.NoError(t, err)
	assert.Len(t, got, 1, "stops at Max without reading further pages")
	assert.Len(t, api.Calls(), 3)
	assert.Equal(t, "CONNECTED", api.Body(2)["filterByState"])
	assert.NotContains(t, api.Body(2), "filterByPublished")
}

func TestDisconnectParticipant(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"DisconnectParticipant": {{Body: `{}`}, {Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"no"}`}},
	}}
	c := newTestClient(t, api)
	require.NoError(t, c.DisconnectParticipant(t.Context(), "arn:a:stage/1", "p1", "Removed by the host"))
	assert.Equal(t, map[string]any{"stageArn": "arn:a:stage/1", "participantId": "p1", "reason": "Removed by the host"}, api.Body(0))
	assert.ErrorIs(t, c.DisconnectParticipant(t.Context(), "arn:a:stage/1", "p1", ""), onair.ErrNotFound)
}
