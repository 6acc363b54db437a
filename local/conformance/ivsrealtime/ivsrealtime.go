// Package ivsrealtime is the conformance suite of Amazon IVS Real-Time
// (stages, participant tokens, participants and sessions, public keys,
// tags): checked against local/internal/ivsemu in `make test` and against
// AWS with -tags awsconformance.
package ivsrealtime

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

var (
	stageArn     = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:\d{12}:stage/[a-zA-Z0-9-]+$`)
	publicKeyArn = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:\d{12}:public-key/[a-zA-Z0-9-]+$`)
	sessionID    = regexp.MustCompile(`^st-[a-zA-Z0-9]{13}$`)
)

// Joiner joins a stage with a participant token, as a client's media
// connection does (no API call does it). nil on AWS: the cases that need a
// connected participant then skip, saying so.
type Joiner interface {
	Join(ctx context.Context, stageArn, token string) error
}

type suite struct {
	target conformance.Target
	c      *rt.Client
	join   Joiner
}

// Run runs every case against target. Each case creates its own stages and
// public keys (named target.Prefix-…, deleted at the end).
func Run(t *testing.T, target conformance.Target, join Joiner) {
	s := &suite{target: target, c: rt.NewFromConfig(target.Config), join: join}
	conformance.RunCases(t, []conformance.Case{
		{Name: "StageLifecycle", Run: s.stageLifecycle},
		{Name: "ListStages", Run: s.listStages},
		{Name: "ParticipantTokens", Run: s.participantTokens},
		{Name: "Validation", Run: s.validation},
		{Name: "Tags", Run: s.tags},
		{Name: "PublicKeys", Run: s.publicKeys},
		{Name: "Participants", Run: s.participants},
	})
}

func (s *suite) stage(t *testing.T, in *rt.CreateStageInput) *rt.CreateStageOutput {
	t.Helper()
	if in == nil {
		in = &rt.CreateStageInput{}
	}
	if in.Name == nil {
		in.Name = aws.String(s.target.Unique("stage"))
	}
	out, err := s.c.CreateStage(t.Context(), in)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = s.c.DeleteStage(context.WithoutCancel(t.Context()), &rt.DeleteStageInput{Arn: out.Stage.Arn})
	})
	return out
}

func (s *suite) stageLifecycle(t *testing.T) {
	name := s.target.Unique("stage")
	out := s.stage(t, &rt.CreateStageInput{Name: aws.String(name), Tags: map[string]string{"app": "onair"},
		ParticipantTokenConfigurations: []types.ParticipantTokenConfiguration{
			{UserId: aws.String("host"), Capabilities: []types.ParticipantTokenCapability{types.ParticipantTokenCapabilityPublish, types.ParticipantTokenCapabilitySubscribe}},
			{UserId: aws.String("guest"), Capabilities: []types.ParticipantTokenCapability{types.ParticipantTokenCapabilitySubscribe}},
		}})
	st := out.Stage
	assert.Regexp(t, stageArn, aws.ToString(st.Arn))
	assert.Equal(t, name, aws.ToString(st.Name))
	assert.Nil(t, st.ActiveSessionId, "no session before anyone joins")
	assert.Equal(t, map[string]string{"app": "onair"}, st.Tags)
	require.NotNil(t, st.Endpoints)
	assert.True(t, strings.HasPrefix(aws.ToString(st.Endpoints.Events), "ws"), "events endpoint %q", aws.ToString(st.Endpoints.Events))
	assert.True(t, strings.HasPrefix(aws.ToString(st.Endpoints.Whip), "http"), "whip endpoint %q", aws.ToString(st.Endpoints.Whip))
	require.Len(t, out.ParticipantTokens, 2, "one token per configuration, in order")
	assert.Equal(t, "host", aws.ToString(out.ParticipantTokens[0].UserId))
	assert.Equal(t, "guest", aws.ToString(out.ParticipantTokens[1].UserId))
	assert.Equal(t, []types.ParticipantTokenCapability{types.ParticipantTokenCapabilitySubscribe}, out.ParticipantTokens[1].Capabilities)

	got, err := s.c.GetStage(t.Context(), &rt.GetStageInput{Arn: st.Arn})
	require.NoError(t, err)
	assert.Equal(t, name, aws.ToString(got.Stage.Name))

	upd, err := s.c.UpdateStage(t.Context(), &rt.UpdateStageInput{Arn: st.Arn, Name: aws.String(name + "-2")})
	require.NoError(t, err)
	assert.Equal(t, name+"-2", aws.ToString(upd.Stage.Name))

	sessions, err := s.c.ListStageSessions(t.Context(), &rt.ListStageSessionsInput{StageArn: st.Arn})
	require.NoError(t, err)
	assert.NotNil(t, sessions.StageSessions, "the list is present even when empty")
	assert.Empty(t, sessions.StageSessions)

	_, err = s.c.DeleteStage(t.Context(), &rt.DeleteStageInput{Arn: st.Arn})
	require.NoError(t, err)
	_, err = s.c.GetStage(t.Context(), &rt.GetStageInput{Arn: st.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = s.c.DeleteStage(t.Context(), &rt.DeleteStageInput{Arn: st.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = s.c.CreateParticipantToken(t.Context(), &rt.CreateParticipantTokenInput{StageArn: st.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

func (s *suite) listStages(t *testing.T) {
	var arns []string
	for range 3 {
		arns = append(arns, aws.ToString(s.stage(t, nil).Stage.Arn))
	}
	// No server-side filter: page through everything with pages of 2.
	var seen []string
	in := &rt.ListStagesInput{MaxResults: aws.Int32(2)}
	for page := 0; ; page++ {
		out, err := s.c.ListStages(t.Context(), in)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(out.Stages), 2)
		for _, st := range out.Stages {
			seen = append(seen, aws.ToString(st.Arn))
		}
		if out.NextToken == nil {
			break
		}
		require.Less(t, page, 1000, "pagination does not end")
		in.NextToken = out.NextToken
	}
	assert.Subset(t, seen, arns)
}

// claims decodes a participant token's payload (a JWT, ES384).
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a participant token is a JWT")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

func (s *suite) participantTokens(t *testing.T) {
	st := s.stage(t, nil).Stage
	before := time.Now()
	out, err := s.c.CreateParticipantToken(t.Context(), &rt.CreateParticipantTokenInput{StageArn: st.Arn, UserId: aws.String("alice"),
		Duration: aws.Int32(60), Attributes: map[string]string{"username": "alice"}})
	require.NoError(t, err)
	pt := out.ParticipantToken
	assert.Equal(t, "alice", aws.ToString(pt.UserId))
	assert.Equal(t, map[string]string{"username": "alice"}, pt.Attributes)
	assert.NotEmpty(t, aws.ToString(pt.ParticipantId))
	assert.ElementsMatch(t, []types.ParticipantTokenCapability{types.ParticipantTokenCapabilityPublish, types.ParticipantTokenCapabilitySubscribe},
		pt.Capabilities, "default: both")
	require.NotNil(t, pt.ExpirationTime)
	assert.WithinDuration(t, before.Add(time.Hour), *pt.ExpirationTime, 2*time.Minute)
	c := claims(t, aws.ToString(pt.Token))
	assert.Equal(t, aws.ToString(st.Arn), c["resource"])
	assert.Equal(t, aws.ToString(pt.ParticipantId), c["jti"])

	def, err := s.c.CreateParticipantToken(t.Context(), &rt.CreateParticipantTokenInput{StageArn: st.Arn})
	require.NoError(t, err)
	assert.WithinDuration(t, before.Add(12*time.Hour), *def.ParticipantToken.ExpirationTime, 2*time.Minute, "default: 720 minutes")
}

func (s *suite) validation(t *testing.T) {
	st := s.stage(t, nil).Stage
	_, err := s.c.CreateParticipantToken(t.Context(), &rt.CreateParticipantTokenInput{StageArn: st.Arn, Duration: aws.Int32(20161)})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateParticipantToken(t.Context(), &rt.CreateParticipantTokenInput{StageArn: st.Arn,
		Attributes: map[string]string{"big": strings.Repeat("x", 1100)}})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.CreateStage(t.Context(), &rt.CreateStageInput{Name: aws.String("spaces are not allowed")})
	conformance.RequireCode(t, err, "ValidationException")
	configs := make([]types.ParticipantTokenConfiguration, 13)
	_, err = s.c.CreateStage(t.Context(), &rt.CreateStageInput{Name: aws.String(s.target.Unique("bad")), ParticipantTokenConfigurations: configs})
	conformance.RequireCode(t, err, "ValidationException")
	_, err = s.c.GetStage(t.Context(), &rt.GetStageInput{Arn: aws.String("not-an-arn")})
	conformance.RequireCode(t, err, "ValidationException")
}

func (s *suite) tags(t *testing.T) {
	st := s.stage(t, &rt.CreateStageInput{Tags: map[string]string{"a": "1"}}).Stage
	_, err := s.c.TagResource(t.Context(), &rt.TagResourceInput{ResourceArn: st.Arn, Tags: map[string]string{"b": "2"}})
	require.NoError(t, err)
	got, err := s.c.ListTagsForResource(t.Context(), &rt.ListTagsForResourceInput{ResourceArn: st.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1", "b": "2"}, got.Tags)
	_, err = s.c.UntagResource(t.Context(), &rt.UntagResourceInput{ResourceArn: st.Arn, TagKeys: []string{"a"}})
	require.NoError(t, err)
	got, err = s.c.ListTagsForResource(t.Context(), &rt.ListTagsForResourceInput{ResourceArn: st.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, got.Tags)
}

func (s *suite) publicKeys(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	material := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	name := s.target.Unique("key")
	imported, err := s.c.ImportPublicKey(t.Context(), &rt.ImportPublicKeyInput{Name: aws.String(name), PublicKeyMaterial: aws.String(material)})
	require.NoError(t, err)
	pk := imported.PublicKey
	t.Cleanup(func() {
		_, _ = s.c.DeletePublicKey(context.WithoutCancel(t.Context()), &rt.DeletePublicKeyInput{Arn: pk.Arn})
	})
	assert.Regexp(t, publicKeyArn, aws.ToString(pk.Arn))
	assert.Equal(t, name, aws.ToString(pk.Name))
	assert.Regexp(t, `^[0-9a-f]{2}(:[0-9a-f]{2})+$`, aws.ToString(pk.Fingerprint))
	assert.Equal(t, strings.TrimSpace(material), strings.TrimSpace(aws.ToString(pk.PublicKeyMaterial)))

	got, err := s.c.GetPublicKey(t.Context(), &rt.GetPublicKeyInput{Arn: pk.Arn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(pk.Fingerprint), aws.ToString(got.PublicKey.Fingerprint))

	list, err := s.c.ListPublicKeys(t.Context(), &rt.ListPublicKeysInput{})
	require.NoError(t, err)
	var listed bool
	for _, k := range list.PublicKeys {
		listed = listed || aws.ToString(k.Arn) == aws.ToString(pk.Arn)
	}
	assert.True(t, listed, "ListPublicKeys lists the key")

	_, err = s.c.ImportPublicKey(t.Context(), &rt.ImportPublicKeyInput{Name: aws.String(s.target.Unique("bad")), PublicKeyMaterial: aws.String("not a key")})
	conformance.RequireCode(t, err, "ValidationException")

	_, err = s.c.DeletePublicKey(t.Context(), &rt.DeletePublicKeyInput{Arn: pk.Arn})
	require.NoError(t, err)
	_, err = s.c.GetPublicKey(t.Context(), &rt.GetPublicKeyInput{Arn: pk.Arn})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

func (s *suite) participants(t *testing.T) {
	st := s.stage(t, nil).Stage
	_, err := s.c.DisconnectParticipant(t.Context(), &rt.DisconnectParticipantInput{StageArn: st.Arn, ParticipantId: aws.String("AAAAAAAAAAAA")})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = s.c.GetStageSession(t.Context(), &rt.GetStageSessionInput{StageArn: st.Arn, SessionId: aws.String("st-AAAAAAAAAAAAA")})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	if s.join == nil {
		t.Skip("needs a participant connected to a stage; this target has no Joiner (on AWS: a client publishing with the token)")
	}
	tok, err := s.c.CreateParticipantToken(t.Context(), &rt.CreateParticipantTokenInput{StageArn: st.Arn, UserId: aws.String("alice"),
		Attributes: map[string]string{"username": "alice"}})
	require.NoError(t, err)
	require.NoError(t, s.join.Join(t.Context(), aws.ToString(st.Arn), aws.ToString(tok.ParticipantToken.Token)))
	pid := tok.ParticipantToken.ParticipantId

	var session string
	require.Eventually(t, func() bool {
		got, err := s.c.GetStage(t.Context(), &rt.GetStageInput{Arn: st.Arn})
		if err == nil && got.Stage.ActiveSessionId != nil {
			session = *got.Stage.ActiveSessionId
		}
		return session != ""
	}, 30*time.Second, 100*time.Millisecond, "a session starts when the first participant joins")
	assert.Regexp(t, sessionID, session)

	sessions, err := s.c.ListStageSessions(t.Context(), &rt.ListStageSessionsInput{StageArn: st.Arn})
	require.NoError(t, err)
	require.Len(t, sessions.StageSessions, 1)
	assert.Equal(t, session, aws.ToString(sessions.StageSessions[0].SessionId))
	assert.Nil(t, sessions.StageSessions[0].EndTime, "no endTime while active")
	sess, err := s.c.GetStageSession(t.Context(), &rt.GetStageSessionInput{StageArn: st.Arn, SessionId: aws.String(session)})
	require.NoError(t, err)
	assert.NotNil(t, sess.StageSession.StartTime)

	parts, err := s.c.ListParticipants(t.Context(), &rt.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String(session)})
	require.NoError(t, err)
	require.Len(t, parts.Participants, 1)
	assert.Equal(t, aws.ToString(pid), aws.ToString(parts.Participants[0].ParticipantId))
	assert.Equal(t, "alice", aws.ToString(parts.Participants[0].UserId))
	assert.Equal(t, types.ParticipantStateConnected, parts.Participants[0].State)
	_, err = s.c.ListParticipants(t.Context(), &rt.ListParticipantsInput{StageArn: st.Arn, SessionId: aws.String(session),
		FilterByUserId: aws.String("alice"), FilterByPublished: true})
	conformance.RequireCode(t, err, "ValidationException")

	p, err := s.c.GetParticipant(t.Context(), &rt.GetParticipantInput{StageArn: st.Arn, SessionId: aws.String(session), ParticipantId: pid})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"username": "alice"}, p.Participant.Attributes)
	assert.NotNil(t, p.Participant.FirstJoinTime)

	events, err := s.c.ListParticipantEvents(t.Context(), &rt.ListParticipantEventsInput{StageArn: st.Arn, SessionId: aws.String(session), ParticipantId: pid})
	require.NoError(t, err)
	require.NotEmpty(t, events.Events)
	assert.Equal(t, types.EventNameJoined, events.Events[0].Name)

	_, err = s.c.DisconnectParticipant(t.Context(), &rt.DisconnectParticipantInput{StageArn: st.Arn, ParticipantId: pid, Reason: aws.String("bye")})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		p, err := s.c.GetParticipant(t.Context(), &rt.GetParticipantInput{StageArn: st.Arn, SessionId: aws.String(session), ParticipantId: pid})
		return err == nil && p.Participant.State == types.ParticipantStateDisconnected
	}, 30*time.Second, 100*time.Millisecond, "DisconnectParticipant disconnects")
}
