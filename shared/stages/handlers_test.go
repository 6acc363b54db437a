package stages

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

const (
	patCreate     = "POST /stages"
	patList       = "GET /stages"
	patGet        = "GET /stages/{stageId}"
	patToken      = "POST /stages/{stageId}/tokens"
	patInvite     = "POST /stages/{stageId}/invites"
	patRevoke     = "DELETE /stages/{stageId}/invites/{username}"
	patDisconnect = "DELETE /stages/{stageId}/participants/{participantId}"
	patDelete     = "DELETE /stages/{stageId}"
)

func decodeErr(t *testing.T, w *httptest.ResponseRecorder) httpapi.ErrorBody {
	t.Helper()
	return decode[httpapi.ErrorBody](t, w)
}

func TestCreateStageRoute(t *testing.T) {
	e := newEnv(t)
	h := e.svc.CreateStageHandler()

	w := e.do(h, caller(e.ann), "POST", "/stages", `{"allowAnonymous":true}`, patCreate)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	raw := decode[map[string]map[string]any](t, w)
	assert.Contains(t, raw["stage"], "activeSessionId")
	assert.Nil(t, raw["stage"]["activeSessionId"], "null while nobody is on the stage")
	res := decode[CreateStageResponse](t, w)
	assert.NotEmpty(t, res.Stage.ID)
	assert.Equal(t, "Ann-stage", res.Stage.Name)
	assert.True(t, res.Stage.AllowAnonymous)
	assert.Equal(t, t0, res.Stage.CreatedAt.Time)
	assert.Equal(t, endpointsFor(res.Stage.ID), res.Stage.Endpoints)
	assert.Equal(t, RoleHost, res.Token.Role)
	assert.Equal(t, []string{"PUBLISH", "SUBSCRIBE"}, res.Token.Capabilities)
	assert.Equal(t, "sub-ann", res.Token.UserID)
	assert.NotEmpty(t, res.Token.Token)
	assert.NotEmpty(t, res.Token.ParticipantID)
	assert.Equal(t, t0.Add(time.Hour), res.Token.ExpirationTime.Time)

	e.ivs.join(res.Stage.Arn, onair.RealTimeParticipant{ParticipantID: "p1", UserID: "sub-ann", Published: true})
	w = e.do(h, caller(e.ann), "POST", "/stages", "", patCreate)
	require.Equal(t, http.StatusOK, w.Code, "an empty body is fine, and the same stage comes back")
	again := decode[CreateStageResponse](t, w)
	assert.Equal(t, res.Stage.ID, again.Stage.ID)
	require.NotNil(t, again.Stage.ActiveSessionID)
	assert.Equal(t, "st-1AbCdEfGhIjKl", *again.Stage.ActiveSessionID)
	assert.NotEqual(t, res.Token.ParticipantID, again.Token.ParticipantID, "a fresh host token each time")

	w = e.do(h, caller(e.bob), "POST", "/stages", `{"allowAnonymous":"yes"}`, patCreate)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	w = e.do(h, caller(e.bob), "POST", "/stages", `{`, patCreate)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	w = e.do(h, nil, "POST", "/stages", "", patCreate)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
}

func TestListStagesRoute(t *testing.T) {
	e := newEnv(t)
	a := e.open(t, e.ann, true)
	e.clock.Advance(time.Minute)
	b := e.open(t, e.bob, false)
	e.store.putStage(onair.Stage{ID: "Ghost0000001", OwnerSub: "sub-gone", CreatedAt: t0.Add(-time.Hour)})
	_, err := e.store.UpdateStage(e.ctx(), b.ID, func(s *onair.Stage) error {
		s.Publishing = map[string]onair.StageParticipant{"p1": {ParticipantID: "p1", Published: true}, "p2": {ParticipantID: "p2"}}
		return nil
	})
	require.NoError(t, err)

	ivsCalls := e.ivs.total()
	w := e.do(e.svc.ListStagesHandler(), nil, "GET", "/stages", "", patList)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, ivsCalls, e.ivs.total(), "listing makes no IVS calls")
	res := decode[ListStagesResponse](t, w)
	require.Len(t, res.Stages, 2, "stages of deleted users are left out")
	assert.Equal(t, b.ID, res.Stages[0].ID, "newest first")
	assert.Equal(t, HostView{Username: "bob", Avatar: "fox"}, res.Stages[0].Host)
	assert.Equal(t, 1, res.Stages[0].PublisherCount)
	assert.Equal(t, a.ID, res.Stages[1].ID)
	assert.Equal(t, HostView{Username: "Ann", Avatar: "bear"}, res.Stages[1].Host)
	assert.True(t, res.Stages[1].AllowAnonymous)

	w = e.do(e.svc.ListStagesHandler(), nil, "GET", "/stages?limit=1", "", patList)
	assert.Len(t, decode[ListStagesResponse](t, w).Stages, 1)
	for _, bad := range []string{"0", "101", "x"} {
		w = e.do(e.svc.ListStagesHandler(), nil, "GET", "/stages?limit="+bad, "", patList)
		assert.Equal(t, http.StatusBadRequest, w.Code, bad)
	}

	empty := newEnv(t)
	w = empty.do(empty.svc.ListStagesHandler(), nil, "GET", "/stages", "", patList)
	assert.JSONEq(t, `{"stages":[]}`, w.Body.String())
}

func TestGetStageRoute(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	_, _, err := e.svc.Invite(e.ctx(), st.ID, *caller(e.ann), "cat")
	require.NoError(t, err)
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-ann", UserID: "sub-ann", Published: true, FirstJoinTime: t0})
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-bob", UserID: "sub-bob"})
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-anon", UserID: "anonymous-X"})
	_, err = e.store.UpdateStage(e.ctx(), st.ID, func(s *onair.Stage) error {
		s.Publishing = map[string]onair.StageParticipant{"p-ann": {ParticipantID: "p-ann", UserID: "sub-ann", Published: true, EventTime: t0}}
		return nil
	})
	require.NoError(t, err)
	h := e.svc.GetStageHandler()

	// The public sees the stage, its host and who publishes; not the participants.
	listed := e.ivs.count("ListParticipants")
	w := e.do(h, nil, "GET", "/stages/"+st.ID, "", patGet)
	assert.Equal(t, listed, e.ivs.count("ListParticipants"), "only the host's view lists participants")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	pub := decode[GetStageResponse](t, w).Stage
	assert.Equal(t, st.ID, pub.ID)
	require.NotNil(t, pub.ActiveSessionID)
	assert.Equal(t, "st-1AbCdEfGhIjKl", *pub.ActiveSessionID)
	assert.Equal(t, &HostView{Username: "Ann", Avatar: "bear"}, pub.Host)
	assert.Equal(t, []PublisherView{{ParticipantID: "p-ann", Username: "Ann", Since: httpapi.TimeOf(t0)}}, pub.Publishing)
	assert.Equal(t, RoleViewer, pub.Role)
	assert.Nil(t, pub.Participants)
	assert.Nil(t, pub.Endpoints)
	assert.Nil(t, pub.Invited)

	w = e.do(h, caller(e.cat), "GET", "/stages/"+st.ID, "", patGet)
	assert.Equal(t, RolePublisher, decode[GetStageResponse](t, w).Stage.Role, "an invited user learns they may publish")
	assert.Nil(t, decode[GetStageResponse](t, w).Stage.Participants)

	// The host also sees who is connected, who publishes, and the invitations.
	w = e.do(h, caller(e.ann), "GET", "/stages/"+st.ID, "", patGet)
	require.Equal(t, http.StatusOK, w.Code)
	host := decode[GetStageResponse](t, w).Stage
	assert.Equal(t, RoleHost, host.Role)
	require.Len(t, host.Participants, 3)
	assert.Equal(t, ParticipantView{ParticipantID: "p-ann", UserID: "sub-ann", Username: "Ann", State: "CONNECTED", Published: true, Publishing: true, FirstJoinTime: httpapi.TimeOf(t0)}, host.Participants[0])
	assert.Equal(t, ParticipantView{ParticipantID: "p-bob", UserID: "sub-bob", Username: "bob", State: "CONNECTED"}, host.Participants[1])
	assert.Equal(t, "", host.Participants[2].Username)
	assert.Equal(t, []InviteView{{Username: "cat", InvitedAt: httpapi.TimeOf(t0)}}, host.Invited)
	require.NotNil(t, host.Endpoints)
	assert.Equal(t, endpointsFor(st.ID), *host.Endpoints)

	w = e.do(h, nil, "GET", "/stages/NoSuchStage1", "", patGet)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, StageNotFoundType, decodeErr(t, w).Type)
	w = e.do(h, nil, "GET", "/stages/bad.id", "", patGet)
	assert.Equal(t, http.StatusBadRequest, w.Code)

	// A stage gone from IVS is not found.
	delete(e.ivs.stages, st.Arn)
	w = e.do(h, caller(e.ann), "GET", "/stages/"+st.ID, "", patGet)
	assert.Equal(t, http.StatusNotFound, w.Code)
}

func TestPublicStagePageCachesIVS(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *env) { c.PublicCacheTTL = 5 * time.Second })
	st := e.open(t, e.ann, true)
	h := e.svc.GetStageHandler()
	before := e.ivs.count("GetStage")
	for range 5 {
		require.Equal(t, http.StatusOK, e.do(h, nil, "GET", "/stages/"+st.ID, "", patGet).Code)
	}
	assert.Equal(t, before+1, e.ivs.count("GetStage"))
	e.clock.Advance(6 * time.Second)
	e.do(h, nil, "GET", "/stages/"+st.ID, "", patGet)
	assert.Equal(t, before+2, e.ivs.count("GetStage"))
	e.do(h, caller(e.ann), "GET", "/stages/"+st.ID, "", patGet)
	assert.Equal(t, before+3, e.ivs.count("GetStage"), "the host always gets a fresh view")
}

func TestCreateTokenRoute(t *testing.T) {
	e := newEnv(t)
	open := e.open(t, e.ann, true)
	closed := e.open(t, e.bob, false)
	h := e.svc.CreateTokenHandler()

	w := e.do(h, nil, "POST", "/stages/"+open.ID+"/tokens", "", patToken)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	res := decode[CreateTokenResponse](t, w)
	assert.Equal(t, open.ID, res.StageID)
	assert.Equal(t, RoleViewer, res.Token.Role)
	assert.Equal(t, []string{"SUBSCRIBE"}, res.Token.Capabilities)

	w = e.do(h, nil, "POST", "/stages/"+closed.ID+"/tokens", "", patToken)
	assert.Equal(t, http.StatusUnauthorized, w.Code)

	w = e.do(h, caller(e.ann), "POST", "/stages/"+open.ID+"/tokens", `{"role":"viewer"}`, patToken)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, RoleViewer, decode[CreateTokenResponse](t, w).Token.Role)

	w = e.do(h, caller(e.cat), "POST", "/stages/"+open.ID+"/tokens", `{"role":"publisher"}`, patToken)
	assert.Equal(t, http.StatusForbidden, w.Code)
	w = e.do(h, caller(e.cat), "POST", "/stages/"+open.ID+"/tokens", `{"role":"admin"}`, patToken)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	w = e.do(h, caller(e.cat), "POST", "/stages/NoSuchStage1/tokens", ``, patToken)
	assert.Equal(t, http.StatusNotFound, w.Code)

	fillPublishers(e, open, 11, true)
	_, _, err := e.svc.Invite(e.ctx(), open.ID, *caller(e.ann), "cat")
	require.NoError(t, err)
	w = e.do(h, caller(e.cat), "POST", "/stages/"+open.ID+"/tokens", ``, patToken)
	assert.Equal(t, http.StatusConflict, w.Code)
	body := decodeErr(t, w)
	assert.Equal(t, StageFullType, body.Type)
	assert.Contains(t, body.Message, "12 publishers")
}

func TestInviteRoutes(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	invite := e.svc.InviteHandler()
	revoke := e.svc.RevokeInviteHandler()

	w := e.do(invite, caller(e.ann), "POST", "/stages/"+st.ID+"/invites", `{"username":"BOB"}`, patInvite)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, InviteResponse{StageID: st.ID, Invited: InviteView{Username: "bob", InvitedAt: httpapi.TimeOf(t0)}}, decode[InviteResponse](t, w))
	got, _ := e.store.stage(st.ID)
	assert.Contains(t, got.Invited, "sub-bob")

	w = e.do(invite, caller(e.ann), "POST", "/stages/"+st.ID+"/invites", `{"username":"bob"}`, patInvite)
	assert.Equal(t, http.StatusOK, w.Code, "inviting again is harmless")

	for name, tc := range map[string]struct {
		c    *onair.Caller
		body string
		code int
	}{
		"another user cannot invite": {caller(e.bob), `{"username":"cat"}`, http.StatusForbidden},
		"unknown user":               {caller(e.ann), `{"username":"nobody"}`, http.StatusNotFound},
		"no username":                {caller(e.ann), `{}`, http.StatusBadRequest},
		"no body":                    {caller(e.ann), ``, http.StatusBadRequest},
		"self":                       {caller(e.ann), `{"username":"ann"}`, http.StatusBadRequest},
	} {
		w := e.do(invite, tc.c, "POST", "/stages/"+st.ID+"/invites", tc.body, patInvite)
		assert.Equal(t, tc.code, w.Code, name)
	}
	got, _ = e.store.stage(st.ID)
	assert.NotContains(t, got.Invited, "sub-cat")

	// Revoking withdraws the invitation and disconnects bob's participants.
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-bob", UserID: "sub-bob", Published: true})
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-cat", UserID: "sub-cat"})
	w = e.do(revoke, caller(e.bob), "DELETE", "/stages/"+st.ID+"/invites/bob", ``, patRevoke)
	assert.Equal(t, http.StatusForbidden, w.Code, "another user cannot revoke")
	w = e.do(revoke, caller(e.ann), "DELETE", "/stages/"+st.ID+"/invites/bob", ``, patRevoke)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	got, _ = e.store.stage(st.ID)
	assert.NotContains(t, got.Invited, "sub-bob")
	assert.Equal(t, []string{st.Arn + "|p-bob|The host withdrew your invitation to publish."}, e.ivs.disconnected)
	_, _, err := e.svc.IssueToken(e.ctx(), st.ID, caller(e.bob), RolePublisher)
	assert.Equal(t, onair.Forbidden, onair.ErrorCode(err), "bob can no longer publish")

	w = e.do(revoke, caller(e.ann), "DELETE", "/stages/"+st.ID+"/invites/bob", ``, patRevoke)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, InviteNotFoundType, decodeErr(t, w).Type)
}

func TestDisconnectRoute(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-bob", UserID: "sub-bob"})
	e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "p-cat", UserID: "sub-cat"})
	h := e.svc.DisconnectHandler()

	w := e.do(h, caller(e.bob), "DELETE", "/stages/"+st.ID+"/participants/p-cat", ``, patDisconnect)
	assert.Equal(t, http.StatusForbidden, w.Code, "another user cannot moderate")
	assert.Empty(t, e.ivs.disconnected)

	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID+"/participants/p-bob", ``, patDisconnect)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID+"/participants/p-cat", `{"reason":"Spam"}`, patDisconnect)
	require.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, []string{st.Arn + "|p-bob|Removed by the host", st.Arn + "|p-cat|Spam"}, e.ivs.disconnected)

	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID+"/participants/nobody", ``, patDisconnect)
	assert.Equal(t, http.StatusNotFound, w.Code)
	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID+"/participants/bad.id", ``, patDisconnect)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	long := `{"reason":"` + strings.Repeat("x", 129) + `"}`
	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID+"/participants/p-bob", long, patDisconnect)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	w = e.do(h, caller(e.ann), "DELETE", "/stages/NoSuchStage1/participants/p-bob", ``, patDisconnect)
	assert.Equal(t, http.StatusNotFound, w.Code)
}

func TestDeleteStageRoute(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	h := e.svc.DeleteStageHandler()

	w := e.do(h, caller(e.bob), "DELETE", "/stages/"+st.ID, ``, patDelete)
	assert.Equal(t, http.StatusForbidden, w.Code, "another user cannot end the stage")
	assert.Contains(t, e.ivs.stages, st.Arn)
	_, ok := e.store.stage(st.ID)
	assert.True(t, ok)

	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID, ``, patDelete)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.NotContains(t, e.ivs.stages, st.Arn)
	_, ok = e.store.stage(st.ID)
	assert.False(t, ok)
	assert.Empty(t, e.store.user("sub-ann").StageID)

	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st.ID, ``, patDelete)
	assert.Equal(t, http.StatusNotFound, w.Code)

	// A stage already gone from IVS is still cleaned up.
	st2 := e.open(t, e.ann, false)
	delete(e.ivs.stages, st2.Arn)
	w = e.do(h, caller(e.ann), "DELETE", "/stages/"+st2.ID, ``, patDelete)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Empty(t, e.store.user("sub-ann").StageID)
}
