package ivsemu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (e *env) createStage(name string, configs ...types.ParticipantTokenConfiguration) *ivsrealtime.CreateStageOutput {
	e.t.Helper()
	out, err := e.rt.CreateStage(e.ctx, &ivsrealtime.CreateStageInput{Name: aws.String(name), ParticipantTokenConfigurations: configs})
	require.NoError(e.t, err)
	return out
}

func (e *env) token(stageArn, userID string, caps ...types.ParticipantTokenCapability) *types.ParticipantToken {
	e.t.Helper()
	out, err := e.rt.CreateParticipantToken(e.ctx, &ivsrealtime.CreateParticipantTokenInput{StageArn: aws.String(stageArn),
		UserId: aws.String(userID), Capabilities: caps, Attributes: map[string]string{"username": userID}})
	require.NoError(e.t, err)
	return out.ParticipantToken
}

func decodeJWT(t *testing.T, tok string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	var h, c map[string]any
	for i, dst := range []*map[string]any{&h, &c} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, dst))
	}
	return h, c
}

func TestCreateStageAndTokens(t *testing.T) {
	e := newEnv(t)
	out := e.createStage("party",
		types.ParticipantTokenConfiguration{UserId: aws.String("host"), Duration: aws.Int32(20160), Attributes: map[string]string{"role": "host"}},
		types.ParticipantTokenConfiguration{Capabilities: []types.ParticipantTokenCapability{types.ParticipantTokenCapabilitySubscribe}})
	st := out.Stage
	assert.Regexp(t, `^arn:aws:ivs:us-east-1:111122223333:stage/[a-zA-Z0-9]{12}$`, *st.Arn)
	assert.Nil(t, st.ActiveSessionId)
	assert.Equal(t, "ws://127.0.0.1:4566/_local/stage-events", *st.Endpoints.Events)
	assert.Equal(t, "http://127.0.0.1:4566/_local/whip", *st.Endpoints.Whip)
	assert.NotEmpty(t, *st.Endpoints.Rtmp)
	assert.NotEmpty(t, *st.Endpoints.Rtmps)
	require.Len(t, out.ParticipantTokens, 2)

	host := out.ParticipantTokens[0]
	assert.Regexp(t, `^[a-zA-Z0-9]{12}$`, *host.ParticipantId)
	assert.Equal(t, "host", *host.UserId)
	assert.EqualValues(t, 20160, *host.Duration)
	assert.ElementsMatch(t, []types.ParticipantTokenCapability{"PUBLISH", "SUBSCRIBE"}, host.Capabilities)
	assert.Equal(t, e.clock.Now().Add(20160*time.Minute), host.ExpirationTime.UTC())

	h, c := decodeJWT(t, *host.Token)
	assert.Equal(t, map[string]any{"alg": "ES384", "typ": "JWT", "kid": e.svc.TokenKeyArn()}, h)
	assert.Regexp(t, `^arn:aws:ivs:us-east-1:111122223333:public-key/[a-zA-Z0-9]{12}$`, h["kid"])
	id := (*st.Arn)[strings.LastIndex(*st.Arn, "/")+1:]
	assert.Equal(t, map[string]any{
		"exp": float64(e.clock.Now().Add(20160 * time.Minute).Unix()), "iat": float64(e.clock.Now().Unix()),
		"jti": *host.ParticipantId, "user_id": "host", "resource": *st.Arn, "topic": id,
		"events_url": *st.Endpoints.Events, "whip_url": *st.Endpoints.Whip,
		"capabilities": map[string]any{"allow_publish": true, "allow_subscribe": true},
		"attributes":   map[string]any{"role": "host"}, "version": "1.0",
	}, c)

	viewer := out.ParticipantTokens[1]
	assert.EqualValues(t, 720, *viewer.Duration, "default duration is 12 hours")
	_, c = decodeJWT(t, *viewer.Token)
	assert.Equal(t, map[string]any{"allow_subscribe": true}, c["capabilities"])
	_, hasUser := c["user_id"]
	assert.False(t, hasUser)

	claims, err := e.svc.VerifyStageToken(e.ctx, *host.Token)
	require.NoError(t, err)
	assert.Equal(t, *host.ParticipantId, claims.Jti)

	// A tampered token fails verification.
	parts := strings.Split(*host.Token, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"jti":"x"}`)) + "." + parts[2]
	_, err = e.svc.VerifyStageToken(e.ctx, forged)
	assert.True(t, errors.Is(err, ErrStageTokenInvalid))

	// Expired tokens are refused at join time.
	e.clock.Advance(721 * time.Minute)
	_, err = e.svc.VerifyStageToken(e.ctx, *viewer.Token)
	assert.True(t, errors.Is(err, ErrStageTokenExpired))
}

func TestStageValidation(t *testing.T) {
	e := newEnv(t)
	st := e.createStage("s").Stage
	tests := []struct {
		name string
		call func() error
	}{
		{"duration 0", func() error {
			_, err := e.rt.CreateParticipantToken(e.ctx, &ivsrealtime.CreateParticipantTokenInput{StageArn: st.Arn, Duration: aws.Int32(0)})
			return err
		}},
		{"duration 20161", func() error {
			_, err := e.rt.CreateParticipantToken(e.ctx, &ivsrealtime.CreateParticipantTokenInput{StageArn: st.Arn, Duration: aws.Int32(20161)})
			return err
		}},
		{"attributes over 1 KB", func() error {
			_, err := e.rt.CreateParticipantToken(e.ctx, &ivsrealtime.CreateParticipantTokenInput{StageArn: st.Arn,
				Attributes: map[string]string{"a": strings.Repeat("x", 1024)}})
			return err
		}},
		{"bad capability", func() error {
			_, err := e.rt.CreateParticipantToken(e.ctx, &ivsrealtime.CreateParticipantTokenInput{StageArn: st.Arn,
				Capabilities: []types.ParticipantTokenCapability{"SHOUT"}})
			return err
		}},
		{"too many token configurations", func() error {
			_, err := e.rt.CreateStage(e.ctx, &ivsrealtime.CreateStageInput{ParticipantTokenConfigurations: make([]types.ParticipantTokenConfiguration, 13)})
			return err
		}},
		{"bad stage name", func() error {
			_, err := e.rt.CreateStage(e.ctx, &ivsrealtime.CreateStageInput{Name: aws.String("a/b")})
			return err
		}},
		{"maxResults 0", func() error {
			_, err := e.rt.ListStages(e.ctx, &ivsrealtime.ListStagesInput{MaxResults: aws.Int32(0)})
			return err
		}},
		{"two participant filters", func() error {
			_, err := e.rt.ListParticipants(e.ctx, &ivsrealtime.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String("st-AAAAAAAAAAAAA"),
				FilterByUserId: aws.String("u"), FilterByPublished: true})
			return err
		}},
		{"bad session id", func() error {
			_, err := e.rt.GetStageSession(e.ctx, &ivsrealtime.GetStageSessionInput{StageArn: st.Arn, SessionId: aws.String("st-short")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *types.ValidationException
			require.ErrorAs(t, tt.call(), &ve)
			require.NotNil(t, ve.ExceptionMessage)
		})
	}
	_, err := e.rt.GetStage(e.ctx, &ivsrealtime.GetStageInput{Arn: aws.String("arn:aws:ivs:us-east-1:111122223333:stage/missing")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	_, err = e.rt.CreateParticipantToken(e.ctx, &ivsrealtime.CreateParticipantTokenInput{StageArn: aws.String("arn:aws:ivs:us-east-1:111122223333:stage/missing")})
	require.ErrorAs(t, err, &nf)
}

func TestParticipantsLifecycle(t *testing.T) {
	e := newEnv(t)
	st := e.createStage("s").Stage
	arn := *st.Arn
	host := e.token(arn, "host")
	guest := e.token(arn, "guest")
	viewer := e.token(arn, "viewer", types.ParticipantTokenCapabilitySubscribe)

	p, err := e.svc.Join(e.ctx, arn, *host.Token)
	require.NoError(t, err)
	assert.Equal(t, "CONNECTED", p.State)
	got, err := e.rt.GetStage(e.ctx, &ivsrealtime.GetStageInput{Arn: st.Arn})
	require.NoError(t, err)
	require.NotNil(t, got.Stage.ActiveSessionId)
	session := *got.Stage.ActiveSessionId
	assert.Regexp(t, `^st-[a-zA-Z0-9]{13}$`, session)

	e.clock.Advance(time.Second)
	_, err = e.svc.Join(e.ctx, arn, *guest.Token)
	require.NoError(t, err)
	_, err = e.svc.Join(e.ctx, arn, *viewer.Token)
	require.NoError(t, err)
	_, err = e.svc.Join(e.ctx, arn, *host.Token)
	require.NoError(t, err, "joining again is a no-op")

	require.NoError(t, e.svc.Publish(e.ctx, arn, *host.ParticipantId))
	require.NoError(t, e.svc.Publish(e.ctx, arn, *guest.ParticipantId))
	err = e.svc.Publish(e.ctx, arn, *viewer.ParticipantId)
	assert.True(t, errors.Is(err, ErrInsufficientCapabilities))

	list, err := e.rt.ListParticipants(e.ctx, &ivsrealtime.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String(session)})
	require.NoError(t, err)
	require.Len(t, list.Participants, 3)
	assert.Equal(t, "host", *list.Participants[0].UserId, "ordered by first join")

	pub, err := e.rt.ListParticipants(e.ctx, &ivsrealtime.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String(session), FilterByPublished: true})
	require.NoError(t, err)
	assert.Len(t, pub.Participants, 2)
	byUser, err := e.rt.ListParticipants(e.ctx, &ivsrealtime.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String(session), FilterByUserId: aws.String("viewer")})
	require.NoError(t, err)
	require.Len(t, byUser.Participants, 1)
	assert.False(t, byUser.Participants[0].Published)

	gp, err := e.rt.GetParticipant(e.ctx, &ivsrealtime.GetParticipantInput{StageArn: st.Arn, SessionId: aws.String(session), ParticipantId: guest.ParticipantId})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"username": "guest"}, gp.Participant.Attributes)
	assert.True(t, gp.Participant.Published)
	assert.Equal(t, types.ParticipantStateConnected, gp.Participant.State)

	require.NoError(t, e.svc.Unpublish(e.ctx, arn, *guest.ParticipantId))
	require.NoError(t, e.svc.Leave(e.ctx, arn, *guest.ParticipantId))
	gp, err = e.rt.GetParticipant(e.ctx, &ivsrealtime.GetParticipantInput{StageArn: st.Arn, SessionId: aws.String(session), ParticipantId: guest.ParticipantId})
	require.NoError(t, err)
	assert.Equal(t, types.ParticipantStateDisconnected, gp.Participant.State)
	assert.True(t, gp.Participant.Published, "published means 'ever published in this session'")
	connected, err := e.rt.ListParticipants(e.ctx, &ivsrealtime.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String(session), FilterByState: types.ParticipantStateConnected})
	require.NoError(t, err)
	assert.Len(t, connected.Participants, 2)

	events, err := e.rt.ListParticipantEvents(e.ctx, &ivsrealtime.ListParticipantEventsInput{StageArn: st.Arn, SessionId: aws.String(session), ParticipantId: guest.ParticipantId})
	require.NoError(t, err)
	var names []types.EventName
	for _, ev := range events.Events {
		names = append(names, ev.Name)
	}
	assert.Equal(t, []types.EventName{"JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"}, names)

	// DisconnectParticipant: unpublishes, disconnects and revokes the token.
	_, err = e.rt.DisconnectParticipant(e.ctx, &ivsrealtime.DisconnectParticipantInput{StageArn: st.Arn, ParticipantId: host.ParticipantId, Reason: aws.String("bye")})
	require.NoError(t, err)
	_, err = e.svc.Join(e.ctx, arn, *host.Token)
	assert.True(t, errors.Is(err, ErrStageTokenRevoked))
	_, err = e.rt.DisconnectParticipant(e.ctx, &ivsrealtime.DisconnectParticipantInput{StageArn: st.Arn, ParticipantId: host.ParticipantId})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)

	// The last one leaving ends the session.
	require.NoError(t, e.svc.Leave(e.ctx, arn, *viewer.ParticipantId))
	got, err = e.rt.GetStage(e.ctx, &ivsrealtime.GetStageInput{Arn: st.Arn})
	require.NoError(t, err)
	assert.Nil(t, got.Stage.ActiveSessionId)
	sessions, err := e.rt.ListStageSessions(e.ctx, &ivsrealtime.ListStageSessionsInput{StageArn: st.Arn})
	require.NoError(t, err)
	require.Len(t, sessions.StageSessions, 1)
	assert.Equal(t, session, *sessions.StageSessions[0].SessionId)
	require.NotNil(t, sessions.StageSessions[0].EndTime)
	one, err := e.rt.GetStageSession(e.ctx, &ivsrealtime.GetStageSessionInput{StageArn: st.Arn, SessionId: aws.String(session)})
	require.NoError(t, err)
	assert.Equal(t, e.clock.Now().Add(-time.Second), one.StageSession.StartTime.UTC())

	// Events: Published x2, Publish Error, Unpublished (guest), Unpublished (host on disconnect).
	var got2 []string
	for _, ev := range e.sink.Events() {
		assert.Equal(t, "IVS Stage Update", ev.DetailType)
		assert.Equal(t, "aws.ivs", ev.Source)
		assert.Equal(t, []string{arn}, ev.Resources)
		var d map[string]string
		require.NoError(t, json.Unmarshal(ev.Detail, &d))
		assert.Equal(t, session, d["session_id"])
		assert.Equal(t, ev.Time.Format(time.RFC3339), d["event_time"])
		got2 = append(got2, d["event_name"]+" "+d["user_id"]+" "+d["participant_id"])
	}
	assert.Equal(t, []string{
		"Participant Published host " + *host.ParticipantId,
		"Participant Published guest " + *guest.ParticipantId,
		"Participant Publish Error viewer " + *viewer.ParticipantId,
		"Participant Unpublished guest " + *guest.ParticipantId,
		"Participant Unpublished host " + *host.ParticipantId,
	}, got2)

	// A new join starts a new session.
	again := e.token(arn, "late")
	_, err = e.svc.Join(e.ctx, arn, *again.Token)
	require.NoError(t, err)
	got, err = e.rt.GetStage(e.ctx, &ivsrealtime.GetStageInput{Arn: st.Arn})
	require.NoError(t, err)
	require.NotNil(t, got.Stage.ActiveSessionId)
	assert.NotEqual(t, session, *got.Stage.ActiveSessionId)
}

func TestPublisherLimitAndDeleteStage(t *testing.T) {
	e := newEnv(t)
	st := e.createStage("s").Stage
	arn := *st.Arn
	var ids []string
	for i := 0; i < 13; i++ {
		tok := e.token(arn, fmt.Sprintf("u%d", i))
		_, err := e.svc.Join(e.ctx, arn, *tok.Token)
		require.NoError(t, err)
		ids = append(ids, *tok.ParticipantId)
	}
	for i := 0; i < 12; i++ {
		require.NoError(t, e.svc.Publish(e.ctx, arn, ids[i]))
	}
	assert.True(t, errors.Is(e.svc.Publish(e.ctx, arn, ids[12]), ErrPublisherLimit))

	other := e.createStage("other").Stage
	tok := e.token(*other.Arn, "x")
	_, err := e.svc.Join(e.ctx, arn, *tok.Token)
	assert.True(t, errors.Is(err, ErrStageTokenInvalid), "a token only joins its own stage")

	before := len(e.sink.Events())
	out, err := e.rt.DeleteStage(e.ctx, &ivsrealtime.DeleteStageInput{Arn: st.Arn})
	require.NoError(t, err)
	assert.NotNil(t, out)
	assert.Equal(t, 12, len(e.sink.Events())-before, "every publisher is unpublished")
	_, err = e.rt.GetStage(e.ctx, &ivsrealtime.GetStageInput{Arn: st.Arn})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	assert.True(t, errors.Is(e.svc.Publish(e.ctx, arn, ids[0]), ErrStageNotFound))

	stages, err := e.rt.ListStages(e.ctx, &ivsrealtime.ListStagesInput{})
	require.NoError(t, err)
	require.Len(t, stages.Stages, 1)
	assert.Equal(t, *other.Arn, *stages.Stages[0].Arn)

	_, err = e.rt.TagResource(e.ctx, &ivsrealtime.TagResourceInput{ResourceArn: other.Arn, Tags: map[string]string{"project": "onair"}})
	require.NoError(t, err)
	tags, err := e.rt.ListTagsForResource(e.ctx, &ivsrealtime.ListTagsForResourceInput{ResourceArn: other.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"project": "onair"}, tags.Tags)
	up, err := e.rt.UpdateStage(e.ctx, &ivsrealtime.UpdateStageInput{Arn: other.Arn, Name: aws.String("renamed")})
	require.NoError(t, err)
	assert.Equal(t, "renamed", *up.Stage.Name)
	assert.Equal(t, map[string]string{"project": "onair"}, up.Stage.Tags)
}

func pemKey(t *testing.T, curve elliptic.Curve) (*ecdsa.PrivateKey, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestPublicKeysAndSelfSignedTokens(t *testing.T) {
	e := newEnv(t)
	st := e.createStage("s").Stage
	priv, material := pemKey(t, elliptic.P384())

	imp, err := e.rt.ImportPublicKey(e.ctx, &ivsrealtime.ImportPublicKeyInput{PublicKeyMaterial: aws.String(material), Name: aws.String("k1")})
	require.NoError(t, err)
	pk := imp.PublicKey
	assert.Regexp(t, `^arn:aws:ivs:us-east-1:111122223333:public-key/[a-zA-Z0-9]{12}$`, *pk.Arn)
	assert.Regexp(t, `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`, *pk.Fingerprint)
	assert.Equal(t, material, *pk.PublicKeyMaterial)

	_, err = e.rt.ImportPublicKey(e.ctx, &ivsrealtime.ImportPublicKeyInput{PublicKeyMaterial: aws.String(material)})
	var ce *types.ConflictException
	require.ErrorAs(t, err, &ce, "the same key twice")

	_, p256 := pemKey(t, elliptic.P256())
	_, err = e.rt.ImportPublicKey(e.ctx, &ivsrealtime.ImportPublicKeyInput{PublicKeyMaterial: aws.String(p256)})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve, "only P-384 keys")
	_, err = e.rt.ImportPublicKey(e.ctx, &ivsrealtime.ImportPublicKeyInput{PublicKeyMaterial: aws.String("not a pem")})
	require.ErrorAs(t, err, &ve)

	for i := 0; i < 2; i++ {
		_, m := pemKey(t, elliptic.P384())
		_, err = e.rt.ImportPublicKey(e.ctx, &ivsrealtime.ImportPublicKeyInput{PublicKeyMaterial: aws.String(m)})
		require.NoError(t, err)
	}
	_, m := pemKey(t, elliptic.P384())
	_, err = e.rt.ImportPublicKey(e.ctx, &ivsrealtime.ImportPublicKeyInput{PublicKeyMaterial: aws.String(m)})
	var q *types.ServiceQuotaExceededException
	require.ErrorAs(t, err, &q, "at most 3 public keys")

	keys, err := e.rt.ListPublicKeys(e.ctx, &ivsrealtime.ListPublicKeysInput{})
	require.NoError(t, err)
	assert.Len(t, keys.PublicKeys, 3)
	g, err := e.rt.GetPublicKey(e.ctx, &ivsrealtime.GetPublicKeyInput{Arn: pk.Arn})
	require.NoError(t, err)
	assert.Equal(t, "k1", *g.PublicKey.Name)

	// A token signed with the imported key's private half (as the backend's
	// STAGE_TOKEN_SIGNING=self mode does) joins the stage.
	now := e.clock.Now()
	id := (*st.Arn)[strings.LastIndex(*st.Arn, "/")+1:]
	claims := StageTokenClaims{Exp: now.Add(time.Hour).Unix(), Iat: now.Unix(), Jti: "self_signed-1", UserID: "u",
		Resource: *st.Arn, Topic: id, EventsURL: *st.Endpoints.Events, WhipURL: *st.Endpoints.Whip,
		Capabilities: TokenCapabilities{AllowPublish: true, AllowSubscribe: true}, Version: "1.0"}
	tok, err := SignStageToken(priv, *pk.Arn, claims)
	require.NoError(t, err)
	p, err := e.svc.Join(e.ctx, *st.Arn, tok)
	require.NoError(t, err)
	assert.Equal(t, "self_signed-1", p.ParticipantID)

	bad := claims
	bad.Exp = now.Add(15 * 24 * time.Hour).Unix()
	tok2, _ := SignStageToken(priv, *pk.Arn, bad)
	_, err = e.svc.VerifyStageToken(e.ctx, tok2)
	assert.True(t, errors.Is(err, ErrStageTokenInvalid), "exp at most 14 days after iat")
	bad = claims
	bad.Version = "2.0"
	tok3, _ := SignStageToken(priv, *pk.Arn, bad)
	_, err = e.svc.VerifyStageToken(e.ctx, tok3)
	assert.True(t, errors.Is(err, ErrStageTokenInvalid))

	// Deleting the key invalidates tokens signed with it.
	_, err = e.rt.DeletePublicKey(e.ctx, &ivsrealtime.DeletePublicKeyInput{Arn: pk.Arn})
	require.NoError(t, err)
	_, err = e.svc.VerifyStageToken(e.ctx, tok)
	assert.True(t, errors.Is(err, ErrStageTokenInvalid))
	_, err = e.rt.GetPublicKey(e.ctx, &ivsrealtime.GetPublicKeyInput{Arn: pk.Arn})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
}

// TestLeaveAll: a media plane that starts disconnects whoever the database
// still shows connected (its connections did not survive a restart).
func TestLeaveAll(t *testing.T) {
	e := newEnv(t)
	a, b := *e.createStage("a").Stage.Arn, *e.createStage("b").Stage.Arn
	host, viewer, other := e.token(a, "host"), e.token(a, "viewer", types.ParticipantTokenCapabilitySubscribe), e.token(b, "other")
	for _, j := range []struct{ arn, tok string }{{a, *host.Token}, {a, *viewer.Token}, {b, *other.Token}} {
		_, err := e.svc.Join(e.ctx, j.arn, j.tok)
		require.NoError(t, err)
	}
	require.NoError(t, e.svc.Publish(e.ctx, a, *host.ParticipantId))
	before := len(e.sink.Events())

	e.restart()
	n, err := e.svc.LeaveAll(e.ctx, "media plane restarted")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	for _, arn := range []string{a, b} {
		got, err := e.rt.GetStage(e.ctx, &ivsrealtime.GetStageInput{Arn: aws.String(arn)})
		require.NoError(t, err)
		assert.Nil(t, got.Stage.ActiveSessionId, "the session ended")
	}
	evs := e.sink.Events()[before:]
	require.Len(t, evs, 1)
	assert.Contains(t, string(evs[0].Detail), `"event_name":"Participant Unpublished"`)
	assert.Contains(t, string(evs[0].Detail), *host.ParticipantId)

	n, err = e.svc.LeaveAll(e.ctx, "again")
	require.NoError(t, err)
	assert.Zero(t, n)
}
