package stages

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

func TestRoleRules(t *testing.T) {
	e := newEnv(t)
	open := e.open(t, e.ann, true)
	closed := e.open(t, e.bob, false)
	_, _, err := e.svc.Invite(e.ctx(), open.ID, *caller(e.ann), "bob")
	require.NoError(t, err)

	pubsub := []string{onair.StagePublish, onair.StageSubscribe}
	sub := []string{onair.StageSubscribe}
	cases := []struct {
		name      string
		stage     string
		caller    *onair.Caller
		requested Role
		role      Role
		caps      []string
		errType   string
	}{
		{"owner is host", open.ID, caller(e.ann), "", RoleHost, pubsub, ""},
		{"invited user publishes", open.ID, caller(e.bob), "", RolePublisher, pubsub, ""},
		{"other user views", open.ID, caller(e.cat), "", RoleViewer, sub, ""},
		{"anonymous views when allowed", open.ID, nil, "", RoleViewer, sub, ""},
		{"anonymous refused on a members-only stage", closed.ID, nil, "", "", nil, UnauthorizedType},
		{"host may ask for viewer", open.ID, caller(e.ann), RoleViewer, RoleViewer, sub, ""},
		{"host may ask for publisher", open.ID, caller(e.ann), RolePublisher, RolePublisher, pubsub, ""},
		{"invited may ask for viewer", open.ID, caller(e.bob), RoleViewer, RoleViewer, sub, ""},
		{"invited may not ask for host", open.ID, caller(e.bob), RoleHost, "", nil, ForbiddenType},
		{"not invited may not publish", open.ID, caller(e.cat), RolePublisher, "", nil, ForbiddenType},
		{"not invited may not host", open.ID, caller(e.cat), RoleHost, "", nil, ForbiddenType},
		{"anonymous may not publish", open.ID, nil, RolePublisher, "", nil, ForbiddenType},
		{"invitations are per stage", closed.ID, caller(e.ann), RolePublisher, "", nil, ForbiddenType},
		{"unknown stage", "NoSuchStage1", caller(e.ann), "", "", nil, StageNotFoundType},
		{"malformed stage id", "bad/id", caller(e.ann), "", "", nil, BadRequestType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.tokens.reqs)
			iss, _, err := e.svc.IssueToken(e.ctx(), tc.stage, tc.caller, tc.requested)
			if tc.errType != "" {
				require.Error(t, err)
				assert.Equal(t, tc.errType, onair.ErrorType(err))
				assert.Len(t, e.tokens.reqs, before, "no token is minted")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.role, iss.Role)
			req := e.tokens.last()
			assert.Equal(t, tc.caps, req.Capabilities)
			assert.Equal(t, open.Arn, req.StageArn)
			assert.Equal(t, 60*time.Minute, req.Duration)
			assert.Equal(t, string(tc.role), req.Attributes["role"])
			if tc.caller == nil {
				assert.True(t, strings.HasPrefix(req.UserID, "anonymous-"), req.UserID)
				assert.NotContains(t, req.Attributes, "username")
			} else {
				assert.Equal(t, tc.caller.Sub, req.UserID)
				assert.Equal(t, tc.caller.Username, req.Attributes["username"])
			}
		})
	}
}

func TestAnonymousUserIDsAreUnique(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	a, _, err := e.svc.IssueToken(e.ctx(), st.ID, nil, "")
	require.NoError(t, err)
	b, _, err := e.svc.IssueToken(e.ctx(), st.ID, nil, "")
	require.NoError(t, err)
	assert.NotEqual(t, a.Token.UserID, b.Token.UserID)
}

func TestTokenAttributes(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	_, err := e.store.UpdateUser(e.ctx(), "sub-bob", func(u *onair.User) error {
		u.Avatar = "custom"
		u.ChannelAssets = map[string]onair.Asset{"avatar": {URL: "https://cdn.example/bob/avatar?v=2"}}
		return nil
	})
	require.NoError(t, err)
	_, _, err = e.svc.IssueToken(e.ctx(), st.ID, caller(e.bob), "")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"username": "bob", "role": "viewer", "avatar": "custom", "avatarUrl": "https://cdn.example/bob/avatar?v=2"}, e.tokens.last().Attributes)
}

func TestFitAttributesKeepsWithinOneKilobyte(t *testing.T) {
	size := func(a map[string]string) int {
		n := 0
		for k, v := range a {
			n += len(k) + len(v)
		}
		return n
	}
	a := FitAttributes(map[string]string{"username": "bob", "role": "viewer", "avatar": "custom", "avatarUrl": "https://x/" + strings.Repeat("a", 2000)})
	assert.Equal(t, map[string]string{"username": "bob", "role": "viewer", "avatar": "custom"}, a)

	a = FitAttributes(map[string]string{"username": strings.Repeat("u", 1100), "role": "viewer"})
	assert.LessOrEqual(t, size(a), MaxAttributesBytes)
	assert.Equal(t, "viewer", a["role"])

	small := map[string]string{"username": "ann", "role": "host", "avatar": "bear"}
	assert.Equal(t, small, FitAttributes(map[string]string{"username": "ann", "role": "host", "avatar": "bear"}))
}

func TestBannedUsersGetNoToken(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	_, err := e.store.PutBan(e.ctx(), onair.Ban{OwnerSub: "sub-ann", BannedSub: "sub-cat", At: t0})
	require.NoError(t, err)
	_, _, err = e.svc.IssueToken(e.ctx(), st.ID, caller(e.cat), "")
	assert.Equal(t, onair.Forbidden, onair.ErrorCode(err))
	_, _, err = e.svc.IssueToken(e.ctx(), st.ID, caller(e.bob), "")
	assert.NoError(t, err)
}

// fillPublishers connects n publishing participants (guests g1..gn) and, if
// host, the host too.
func fillPublishers(e *env, st onair.Stage, n int, host bool) {
	for i := range n {
		e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: fmt.Sprintf("g%d", i+1), UserID: fmt.Sprintf("sub-guest-%d", i+1), Published: true})
	}
	if host {
		e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: "h1", UserID: st.OwnerSub, Published: true})
	}
}

func TestPublisherLimit(t *testing.T) {
	cases := []struct {
		name       string
		guests     int
		hostIn     bool
		extra      func(e *env, st onair.Stage)
		guestOK    bool
		hostOK     bool
		viewerOK   bool
		guestQuery bool
	}{
		{name: "empty stage", guests: 0, guestOK: true, hostOK: true, viewerOK: true},
		{name: "host and 10 guests: the 12th fits", guests: 10, hostIn: true, guestOK: true, hostOK: true, viewerOK: true},
		{name: "host and 11 guests: the 13th is refused", guests: 11, hostIn: true, guestOK: false, hostOK: false, viewerOK: true},
		{name: "11 guests without host: the last place is the host's", guests: 11, guestOK: false, hostOK: true, viewerOK: true},
		{name: "10 guests without host", guests: 10, guestOK: true, hostOK: true, viewerOK: true},
		{name: "disconnected publishers do not count", guests: 11, hostIn: true, guestOK: true, hostOK: true, viewerOK: true,
			extra: func(e *env, st onair.Stage) {
				require.NoError(t, e.ivs.DisconnectParticipant(context.Background(), st.Arn, "g1", "bye"))
			}},
		{name: "participants events show unpublished do not count", guests: 11, hostIn: true, guestOK: true, hostOK: true, viewerOK: true,
			extra: func(e *env, st onair.Stage) {
				_, err := e.store.UpdateStage(context.Background(), st.ID, func(s *onair.Stage) error {
					s.Publishing = map[string]onair.StageParticipant{"g2": {ParticipantID: "g2", Published: false, EventTime: t0}}
					return nil
				})
				require.NoError(t, err)
			}},
		{name: "subscribers never count", guests: 0, guestOK: true, hostOK: true, viewerOK: true,
			extra: func(e *env, st onair.Stage) {
				for i := range 30 {
					e.ivs.join(st.Arn, onair.RealTimeParticipant{ParticipantID: fmt.Sprintf("v%d", i), UserID: "x"})
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			st := e.open(t, e.ann, true)
			_, _, err := e.svc.Invite(e.ctx(), st.ID, *caller(e.ann), "bob")
			require.NoError(t, err)
			fillPublishers(e, st, tc.guests, tc.hostIn)
			if tc.extra != nil {
				tc.extra(e, st)
			}
			check := func(ok bool, c *onair.Caller) {
				t.Helper()
				_, _, err := e.svc.IssueToken(e.ctx(), st.ID, c, "")
				if ok {
					assert.NoError(t, err)
					return
				}
				require.Error(t, err)
				assert.Equal(t, StageFullType, onair.ErrorType(err))
				assert.Equal(t, onair.Conflict, onair.ErrorCode(err))
				assert.Contains(t, onair.ErrorMessage(err), "publishers")
			}
			check(tc.guestOK, caller(e.bob))
			check(tc.hostOK, caller(e.ann))
			check(tc.viewerOK, caller(e.cat))
			check(tc.viewerOK, nil)
		})
	}
}

func TestViewerTokensNeedNoIVSCall(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	before := e.ivs.count("GetStage") + e.ivs.count("ListParticipants")
	_, _, err := e.svc.IssueToken(e.ctx(), st.ID, caller(e.cat), "")
	require.NoError(t, err)
	assert.Equal(t, before, e.ivs.count("GetStage")+e.ivs.count("ListParticipants"), "viewers do not use IVS's 5 TPS stage calls")
}

func TestTokenIssueIsLoggedWithoutTheToken(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	var metrics bytes.Buffer
	ctx := telemetry.WithMetrics(e.ctx(), telemetry.NewMetrics(&metrics, "CreateStageToken", e.clock.Now))
	iss, _, err := e.svc.IssueToken(ctx, st.ID, caller(e.ann), "")
	require.NoError(t, err)
	_, _, err = e.svc.IssueToken(ctx, st.ID, nil, "")
	require.NoError(t, err)

	logs := e.logs.String()
	assert.NotContains(t, logs, "SECRET", "tokens never reach the log")
	assert.NotContains(t, logs, iss.Token.Token)
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		if m["msg"] == "stage token issued" {
			lines = append(lines, m)
		}
	}
	require.Len(t, lines, 2)
	assert.Equal(t, "sub-ann", lines[0]["userId"])
	assert.Equal(t, "Ann", lines[0]["username"])
	assert.Equal(t, "host", lines[0]["role"])
	assert.Equal(t, st.ID, lines[0]["stageId"])
	assert.Equal(t, iss.Token.ParticipantID, lines[0]["participantId"])
	assert.Equal(t, t0.Add(time.Hour).Format(time.RFC3339), lines[0]["expirationTime"])
	assert.Equal(t, []any{"PUBLISH", "SUBSCRIBE"}, lines[0]["capabilities"])
	assert.Equal(t, true, lines[1]["anonymous"])
	assert.Equal(t, "viewer", lines[1]["role"])

	m := metrics.String()
	assert.Contains(t, m, `"StageTokensIssued":1`)
	assert.Contains(t, m, `"Role":"host"`)
	assert.Contains(t, m, `"Role":"viewer"`)
}

func TestTokenIssueMarksTheStageActive(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	e.clock.Advance(20 * time.Minute)
	_, _, err := e.svc.IssueToken(e.ctx(), st.ID, nil, "")
	require.NoError(t, err)
	got, _ := e.store.stage(st.ID)
	assert.Equal(t, t0.Add(20*time.Minute), got.LastActivity)
	v := got.Version
	e.clock.Advance(10 * time.Second)
	_, _, err = e.svc.IssueToken(e.ctx(), st.ID, nil, "")
	require.NoError(t, err)
	got, _ = e.store.stage(st.ID)
	assert.Equal(t, v, got.Version, "no write for every viewer within a minute")
}

func TestConfigValidate(t *testing.T) {
	c := Config{Project: "p"}
	require.NoError(t, c.Validate())
	assert.Equal(t, 60*time.Minute, c.TokenDuration)
	assert.Equal(t, 30*time.Minute, c.IdleAfter)
	assert.Error(t, (&Config{}).Validate(), "project tag required")
	assert.Error(t, (&Config{Project: "p", TokenDuration: 20161 * time.Minute}).Validate())
	assert.Error(t, (&Config{Project: "p", TokenDuration: 30 * time.Second}).Validate())
	assert.NoError(t, (&Config{Project: "p", TokenDuration: 20160 * time.Minute}).Validate())
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"": "", "host": RoleHost, " Publisher ": RolePublisher, "VIEWER": RoleViewer} {
		got, err := ParseRole(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseRole("admin")
	assert.Equal(t, onair.Invalid, onair.ErrorCode(err))
}

func TestEndedSessionHasNobody(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, true)
	_, _, err := e.svc.Invite(e.ctx(), st.ID, *caller(e.ann), "bob")
	require.NoError(t, err)
	fillPublishers(e, st, 11, true)
	// GetStage still names the session, but it ended before ListParticipants.
	e.ivs.fail["ListParticipants"] = onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", nil)
	_, _, err = e.svc.IssueToken(e.ctx(), st.ID, caller(e.bob), "")
	assert.NoError(t, err)
	v, err := e.svc.DescribeStage(e.ctx(), st.ID, caller(e.ann))
	require.NoError(t, err)
	assert.Empty(t, v.Participants)
}
