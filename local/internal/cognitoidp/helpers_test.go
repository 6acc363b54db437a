package cognitoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/clocktest"
)

const (
	testPool     = "us-east-1_AbCdEf123"
	testClient   = "3n4b5urk1ft4fl3mg5e62d9ado"
	testPassword = "Passw0rd!"
)

// sharedKey spares each test the cost of making an RSA key.
var sharedKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// invocation is one trigger call the fake Lambda saw.
type invocation struct {
	Function string
	Payload  []byte
	Event    map[string]any
}

func (i invocation) source() string { s, _ := i.Event["triggerSource"].(string); return s }

func (i invocation) request() map[string]any { m, _ := i.Event["request"].(map[string]any); return m }

// fakeLambda plays the template's trigger functions: by default a function
// returns the event unchanged; a handler may change the response or fail.
type fakeLambda struct {
	mu       sync.Mutex
	calls    []invocation
	handlers map[string]func(ev map[string]any) ([]byte, error)
}

func newFakeLambda() *fakeLambda {
	return &fakeLambda{handlers: map[string]func(map[string]any) ([]byte, error){}}
}

func (f *fakeLambda) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	ev := map[string]any{}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("bad payload: %w", err)
	}
	f.mu.Lock()
	f.calls = append(f.calls, invocation{Function: function, Payload: payload, Event: ev})
	h := f.handlers[function]
	f.mu.Unlock()
	if h != nil {
		return h(ev)
	}
	return json.Marshal(ev)
}

// on sets how function answers.
func (f *fakeLambda) on(function string, h func(ev map[string]any) ([]byte, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[function] = h
}

// respond makes function set response fields and return the event.
func (f *fakeLambda) respond(function string, fields map[string]any) {
	f.on(function, func(ev map[string]any) ([]byte, error) {
		resp, _ := ev["response"].(map[string]any)
		if resp == nil {
			resp = map[string]any{}
		}
		for k, v := range fields {
			resp[k] = v
		}
		ev["response"] = resp
		return json.Marshal(ev)
	})
}

func (f *fakeLambda) fail(function, message string) {
	f.on(function, func(map[string]any) ([]byte, error) { return nil, errors.New(message) })
}

// bySource returns the invocations with triggerSource source.
func (f *fakeLambda) bySource(source string) []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []invocation
	for _, c := range f.calls {
		if c.source() == source {
			out = append(out, c)
		}
	}
	return out
}

type env struct {
	t      *testing.T
	cfg    Config
	svc    *Service
	srv    *httptest.Server
	api    *cip.Client
	clock  *clocktest.Clock
	lambda *fakeLambda
	mails  *[]Mail
}

// templateConfig mirrors onair's template.yaml pool and client.
func templateConfig(dir string, clock *clocktest.Clock, lambda *fakeLambda) Config {
	return Config{
		DataDir:                    dir,
		PoolID:                     testPool,
		PoolName:                   "onair-users",
		ClientID:                   testClient,
		AliasAttributes:            []string{"preferred_username"},
		AutoVerifiedAttributes:     []string{"email"},
		RequiredAttributes:         []string{"email"},
		ImmutableAttributes:        []string{"email"},
		ExplicitAuthFlows:          []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		PreventUserExistenceErrors: true,
		ReadAttributes:             []string{"email", "email_verified", "preferred_username"},
		WriteAttributes:            []string{"email"},
		Triggers: map[string]string{
			TriggerPreSignUp:         "PreSignUpFn",
			TriggerCustomMessage:     "CustomMessageFn",
			TriggerPreAuthentication: "PreAuthenticationFn",
			TriggerPostConfirmation:  "PostConfirmationFn",
		},
		Invoker:                lambda,
		Now:                    clock.Now,
		PasswordHashIterations: 1000,
		generateKey:            sharedKey,
	}
}

func newEnv(t *testing.T, mods ...func(*Config)) *env {
	t.Helper()
	// The clock starts at the real time (tokens are also checked by
	// jwtauth, which uses the real clock) and moves only when told.
	e := &env{t: t, clock: clocktest.New(time.Now().Truncate(time.Second)), lambda: newFakeLambda(), mails: &[]Mail{}}
	e.cfg = templateConfig(t.TempDir(), e.clock, e.lambda)
	for _, m := range mods {
		m(&e.cfg)
	}
	e.start()
	return e
}

// start opens the service on cfg and serves it (again, after restart).
func (e *env) start() {
	t := e.t
	var mu sync.Mutex
	cfg := e.cfg
	cfg.OnMail = func(m Mail) {
		mu.Lock()
		defer mu.Unlock()
		*e.mails = append(*e.mails, m)
	}
	var svc *Service
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_local/mail" {
			svc.MailHandler().ServeHTTP(w, r)
			return
		}
		if svc.Match(r) {
			svc.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	if cfg.IssuerBaseURL == "" {
		cfg.IssuerBaseURL = e.srv.URL
	}
	var err error
	svc, err = New(cfg)
	require.NoError(t, err)
	e.svc = svc
	t.Cleanup(func() { e.srv.Close(); _ = svc.Close() })
	e.api = cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

// restart closes the service and opens a new one on the same data dir.
func (e *env) restart() {
	e.srv.Close()
	require.NoError(e.t, e.svc.Close())
	e.start()
}

func (e *env) ctx() context.Context { return context.Background() }

// lastCode returns the code of the newest mail to address.
func (e *env) lastCode(address string) string {
	e.t.Helper()
	mails, err := e.svc.Mail(address)
	require.NoError(e.t, err)
	require.NotEmpty(e.t, mails, "no mail to %s", address)
	return mails[0].Code
}

func (e *env) signUp(username, email string) *cip.SignUpOutput {
	e.t.Helper()
	out, err := e.api.SignUp(e.ctx(), &cip.SignUpInput{
		ClientId: aws.String(testClient), Username: aws.String(username), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	})
	require.NoError(e.t, err)
	return out
}

// register signs up and confirms a user with the mailed code.
func (e *env) register(username, email string) *cip.SignUpOutput {
	e.t.Helper()
	out := e.signUp(username, email)
	_, err := e.api.ConfirmSignUp(e.ctx(), &cip.ConfirmSignUpInput{
		ClientId: aws.String(testClient), Username: aws.String(username), ConfirmationCode: aws.String(e.lastCode(email)),
	})
	require.NoError(e.t, err)
	return out
}

func (e *env) signIn(username, password string) (*types.AuthenticationResultType, error) {
	out, err := e.api.InitiateAuth(e.ctx(), &cip.InitiateAuthInput{
		ClientId: aws.String(testClient), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
		ClientMetadata: map[string]string{"submittedUsername": username},
	})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func (e *env) mustSignIn(username, password string) *types.AuthenticationResultType {
	e.t.Helper()
	res, err := e.signIn(username, password)
	require.NoError(e.t, err)
	return res
}

func (e *env) refresh(token string) (*types.AuthenticationResultType, error) {
	out, err := e.api.InitiateAuth(e.ctx(), &cip.InitiateAuthInput{
		ClientId: aws.String(testClient), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": token},
	})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func (e *env) getUser(access string) (*cip.GetUserOutput, error) {
	return e.api.GetUser(e.ctx(), &cip.GetUserInput{AccessToken: aws.String(access)})
}

// requireAPIError asserts err is the Cognito error code with message (when
// message is not empty).
func requireAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "message: %s", ae.ErrorMessage())
	if message != "" {
		require.Equal(t, message, ae.ErrorMessage())
	}
}

func attr(attrs []types.AttributeType, name string) (string, bool) {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

// jwtClaims decodes a JWT's payload without verifying it.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	return decodeSegment(t, parts[1])
}

func jwtHeader(t *testing.T, token string) map[string]any {
	t.Helper()
	return decodeSegment(t, strings.Split(token, ".")[0])
}

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	data, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}
