package functions

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
)

// The stage of the sample events (events/*Stage*.json).
const (
	sampleStageID  = "AbCdEf123456"
	sampleStageArn = "arn:aws:ivs:us-east-1:111122223333:stage/" + sampleStageID
	sampleKeyArn   = "arn:aws:ivs:us-east-1:111122223333:public-key/sample"
)

// fakeRealTime answers the IVS Real-Time and Secrets Manager operations the
// stage functions call, and records them.
type fakeRealTime struct {
	mu     sync.Mutex
	ops    []string
	bodies []map[string]any
	secret string
}

func (f *fakeRealTime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	op := strings.TrimPrefix(r.URL.Path, "/")
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		op = t[strings.LastIndexByte(t, '.')+1:]
	}
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.bodies = append(f.bodies, body)
	secret := f.secret
	f.mu.Unlock()
	stage := `{"arn":"` + sampleStageArn + `","name":"viewer42-stage","activeSessionId":"st-1AbCdEfGhIjKl",
	  "endpoints":{"events":"wss://global.events.live-video.net","whip":"https://abc.global-bm.whip.live-video.net"}}`
	w.Header().Set("Content-Type", "application/json")
	switch op {
	case "CreateStage": // a new stage has no session yet
		_, _ = io.WriteString(w, `{"stage":`+strings.Replace(stage, `"activeSessionId":"st-1AbCdEfGhIjKl",`, "", 1)+`}`)
	case "GetStage":
		_, _ = io.WriteString(w, `{"stage":`+stage+`}`)
	case "ListStages":
		_, _ = io.WriteString(w, `{"stages":[]}`)
	case "ListParticipants":
		_, _ = io.WriteString(w, `{"participants":[{"participantId":"Xy12Ab34Cd56","userId":"sub-guest","state":"CONNECTED","published":true}]}`)
	case "CreateParticipantToken":
		_, _ = io.WriteString(w, `{"participantToken":{"token":"ivs-issued-token","participantId":"Pid000000001","userId":"`+str(body["userId"])+`",
		  "capabilities":["SUBSCRIBE"],"expirationTime":"2026-01-10T19:00:00Z"}}`)
	case "GetSecretValue":
		b, _ := json.Marshal(map[string]string{"ARN": "arn:secret", "SecretString": secret})
		_, _ = w.Write(b)
	default:
		_, _ = io.WriteString(w, `{}`)
	}
}

func str(v any) string { s, _ := v.(string); return s }

func (f *fakeRealTime) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

type stageFixture struct {
	store *bolt.Store
	api   *fakeRealTime
	env   map[string]string
	deps  func(name string) *app.Platform
}

func newStageFixture(t *testing.T) *stageFixture {
	t.Helper()
	st := bolttest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	for _, u := range []onair.User{
		{Sub: sampleSub, Username: "viewer42", Email: "viewer42@example.com", Avatar: "bear", CreatedAt: now},
		{Sub: "sub-guest", Username: "guest42", Email: "guest42@example.com", Avatar: "fox", CreatedAt: now},
	} {
		require.NoError(t, st.CreateUser(ctx, u))
	}
	f := &stageFixture{store: st, api: &fakeRealTime{}}
	srv := httptest.NewServer(f.api)
	t.Cleanup(srv.Close)
	f.env = map[string]string{
		"CHANNELS_TABLE": "channels", "STREAMS_TABLE": "streams", "PROJECT_TAG": "onair-test",
		"USER_POOL_ID": "us-east-1_AbCdEfGhI", "USER_POOL_CLIENT_ID": "client",
		"STAGE_TOKEN_SIGNING": "api", "STAGE_TOKEN_DURATION_MINUTES": "60", "STAGE_IDLE_MINUTES": "30",
	}
	f.deps = func(name string) *app.Platform {
		return &app.Platform{
			Name: name,
			Env:  func(k string) string { return f.env[k] },
			AWS: aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{},
				Retryer: func() aws.Retryer { return aws.NopRetryer{} }},
			Clock:   func() time.Time { return now },
			Offline: app.Offline{Store: st, Verifier: wiringVerifier{sampleToken: {Sub: sampleSub, Username: "viewer42"}}},
		}
	}
	return f
}

// withSampleStage records the sample stage, owned by the sample caller.
func (f *stageFixture) withSampleStage(t *testing.T, allowAnonymous bool) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, f.store.PutStage(ctx, onair.Stage{ID: sampleStageID, Arn: sampleStageArn, Name: "viewer42-stage", OwnerSub: sampleSub,
		CreatedAt: time.Date(2026, 1, 10, 17, 0, 0, 0, time.UTC), LastActivity: time.Date(2026, 1, 10, 17, 0, 0, 0, time.UTC), AllowAnonymous: allowAnonymous,
		Endpoints: onair.StageEndpoints{Events: "wss://global.events.live-video.net", Whip: "https://abc.global-bm.whip.live-video.net"}}))
	_, err := f.store.UpdateUser(ctx, sampleSub, func(u *onair.User) error { u.StageID = sampleStageID; return nil })
	require.NoError(t, err)
}

func httpResponse(t *testing.T, out []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

func TestStageFunctionsServeTheirSampleEvents(t *testing.T) {
	cases := []struct {
		fn, event string
		stage     bool // the sample stage exists
		invited   bool // guest42 is invited
		status    int
		body      []string
		awsOps    []string
	}{
		{fn: "CreateStage", event: "CreateStage.json", status: 201, body: []string{`"role":"host"`, `"id":"` + sampleStageID + `"`, `"allowAnonymous":true`},
			awsOps: []string{"CreateStage", "CreateParticipantToken"}},
		{fn: "CreateStage", event: "CreateStage.json", stage: true, status: 200, body: []string{`"role":"host"`},
			awsOps: []string{"GetStage", "ListParticipants", "CreateParticipantToken"}},
		{fn: "ListStages", event: "ListStages.json", stage: true, status: 200, body: []string{`"username":"viewer42"`, `"id":"` + sampleStageID + `"`}},
		{fn: "GetStage", event: "GetStage.json", stage: true, status: 200, body: []string{`"activeSessionId":"st-1AbCdEfGhIjKl"`, `"role":"viewer"`},
			awsOps: []string{"GetStage"}},
		{fn: "GetStage", event: "GetStage.signedIn.json", stage: true, status: 200, body: []string{`"role":"host"`, `"participants":[{"participantId":"Xy12Ab34Cd56"`},
			awsOps: []string{"GetStage", "ListParticipants"}},
		{fn: "CreateStageToken", event: "CreateStageToken.json", stage: true, status: 200, body: []string{`"role":"viewer"`, `"userId":"anonymous-`},
			awsOps: []string{"CreateParticipantToken"}},
		{fn: "CreateStageToken", event: "CreateStageToken.signedIn.json", stage: true, status: 200, body: []string{`"role":"viewer"`, `"userId":"` + sampleSub + `"`},
			awsOps: []string{"CreateParticipantToken"}},
		{fn: "InviteToStage", event: "InviteToStage.json", stage: true, status: 200, body: []string{`"username":"guest42"`}},
		{fn: "RevokeStageInvite", event: "RevokeStageInvite.json", stage: true, invited: true, status: 204,
			awsOps: []string{"GetStage", "ListParticipants", "DisconnectParticipant"}},
		{fn: "DisconnectStageParticipant", event: "DisconnectStageParticipant.json", stage: true, status: 204, awsOps: []string{"DisconnectParticipant"}},
		{fn: "DeleteStage", event: "DeleteStage.json", stage: true, status: 204, awsOps: []string{"DeleteStage"}},
	}
	for _, tc := range cases {
		t.Run(tc.fn+"/"+tc.event, func(t *testing.T) {
			f := newStageFixture(t)
			if tc.stage {
				f.withSampleStage(t, true)
			}
			if tc.invited {
				_, err := f.store.UpdateStage(context.Background(), sampleStageID, func(s *onair.Stage) error {
					s.Invited = map[string]time.Time{"sub-guest": time.Now()}
					return nil
				})
				require.NoError(t, err)
			}
			out, err := invokeSample(t, f.deps(tc.fn), tc.event)
			require.NoError(t, err)
			resp := httpResponse(t, out)
			assert.Equal(t, tc.status, resp.StatusCode, resp.Body)
			for _, b := range tc.body {
				assert.Contains(t, resp.Body, b)
			}
			assert.Equal(t, tc.awsOps, f.api.calls())
		})
	}
}

func TestStageWiringEffects(t *testing.T) {
	ctx := context.Background()

	t.Run("DeleteStage forgets the stage", func(t *testing.T) {
		f := newStageFixture(t)
		f.withSampleStage(t, false)
		_, err := invokeSample(t, f.deps("DeleteStage"), "DeleteStage.json")
		require.NoError(t, err)
		_, err = f.store.GetStage(ctx, sampleStageID)
		assert.ErrorIs(t, err, onair.ErrNotFound)
		u, err := f.store.GetUser(ctx, sampleSub)
		require.NoError(t, err)
		assert.Empty(t, u.StageID)
	})

	t.Run("StageEvents records who publishes", func(t *testing.T) {
		f := newStageFixture(t)
		f.withSampleStage(t, false)
		_, err := invokeSample(t, f.deps("StageEvents"), "StageEvents.json")
		require.NoError(t, err)
		st, err := f.store.GetStage(ctx, sampleStageID)
		require.NoError(t, err)
		assert.True(t, st.Publishing["Xy12Ab34Cd56"].Published)
		_, err = invokeSample(t, f.deps("StageEvents"), "StageEvents.unpublished.json")
		require.NoError(t, err)
		_, err = invokeSample(t, f.deps("StageEvents"), "StageEvents.publishError.json")
		require.NoError(t, err)
		st, err = f.store.GetStage(ctx, sampleStageID)
		require.NoError(t, err)
		assert.False(t, st.Publishing["Xy12Ab34Cd56"].Published)
		assert.Empty(t, f.api.calls())
	})

	t.Run("CleanupStages keeps a stage with participants", func(t *testing.T) {
		f := newStageFixture(t)
		f.withSampleStage(t, false)
		out, err := invokeSample(t, f.deps("CleanupStages"), "CleanupStages.json")
		require.NoError(t, err)
		assert.JSONEq(t, `{"checked":1,"active":1,"deleted":0,"orphans":0,"failures":0}`, string(out))
		assert.Equal(t, []string{"GetStage", "ListParticipants", "ListStages"}, f.api.calls())
	})

	t.Run("self-signed tokens", func(t *testing.T) {
		f := newStageFixture(t)
		f.withSampleStage(t, true)
		key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		require.NoError(t, err)
		der, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		secret, _ := json.Marshal(map[string]string{"privateKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})), "publicKeyArn": sampleKeyArn})
		f.api.secret = string(secret)
		f.env["STAGE_TOKEN_SIGNING"] = "self"
		f.env["STAGE_SIGNING_KEY_SECRET_ARN"] = "arn:aws:secretsmanager:us-east-1:111122223333:secret:onair-test-stage-signing-key-AbCdEf"

		out, err := invokeSample(t, f.deps("CreateStageToken"), "CreateStageToken.json")
		require.NoError(t, err)
		resp := httpResponse(t, out)
		require.Equal(t, 200, resp.StatusCode, resp.Body)
		var body struct {
			Token struct{ Token string } `json:"token"`
		}
		require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
		tok, err := jwt.Parse(body.Token.Token, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
			jwt.WithValidMethods([]string{"ES384"}), jwt.WithTimeFunc(func() time.Time { return time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC) }))
		require.NoError(t, err)
		assert.Equal(t, sampleKeyArn, tok.Header["kid"])
		assert.Equal(t, []string{"GetSecretValue"}, f.api.calls(), "no CreateParticipantToken in self mode")
	})

	t.Run("configuration errors fail at start", func(t *testing.T) {
		f := newStageFixture(t)
		f.env["STAGE_TOKEN_SIGNING"] = "magic"
		_, err := buildNamed(ctx, f.deps("CreateStageToken"))
		assert.ErrorContains(t, err, "STAGE_TOKEN_SIGNING")
		f.env["STAGE_TOKEN_SIGNING"] = "self"
		_, err = buildNamed(ctx, f.deps("CreateStageToken"))
		assert.ErrorContains(t, err, "STAGE_SIGNING_KEY_SECRET_ARN")
		f.env["STAGE_TOKEN_SIGNING"] = "api"
		f.env["STAGE_TOKEN_DURATION_MINUTES"] = "30000"
		_, err = buildNamed(ctx, f.deps("CreateStageToken"))
		assert.ErrorContains(t, err, "duration")
	})
}
