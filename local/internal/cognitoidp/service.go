// Package cognitoidp emulates one Amazon Cognito user pool and its app
// client for the offline stack: the AWS JSON 1.1 API that the AWS CLI, the
// SDKs and amazon-cognito-identity-js call (sign-up, confirmation, sign-in,
// refresh, passwords, attributes, sign-out and the admin calls the backend
// uses), the pool's Lambda triggers with the events Cognito sends, RS256
// tokens with Cognito's claims and a JWKS, and a mailbox holding every
// message Cognito would email. State lives in a bbolt file in the data dir.
package cognitoidp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	bbolt "go.etcd.io/bbolt"
)

const targetPrefix = "AWSCognitoIdentityProviderService."

// maxBody bounds request bodies; Cognito's largest requests are far smaller.
const maxBody = 1 << 20

// Service is the emulated user pool. It is an http.Handler for the Cognito
// API (POST / with X-Amz-Target) and the pool's well-known documents.
type Service struct {
	cfg  Config
	db   *bbolt.DB
	keys *signingKey
	ops  map[string]opFunc
}

type opFunc func(ctx context.Context, body []byte) (any, error)

// New opens (or creates) <DataDir>/cognito.db and returns the service.
func New(cfg Config) (*Service, error) {
	if err := cfg.normalize(); err != nil {
		return nil, fmt.Errorf("cognitoidp: %w", err)
	}
	s := &Service{cfg: cfg}
	if err := s.openDB(filepath.Join(cfg.DataDir, "cognito.db")); err != nil {
		return nil, fmt.Errorf("cognitoidp: %w", err)
	}
	keys, err := s.loadSigningKey()
	if err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("cognitoidp: signing key: %w", err)
	}
	s.keys = keys
	s.ops = map[string]opFunc{
		"SignUp":                           handle(s.signUp),
		"ConfirmSignUp":                    handle(s.confirmSignUp),
		"ResendConfirmationCode":           handle(s.resendConfirmationCode),
		"InitiateAuth":                     handle(s.initiateAuth),
		"RevokeToken":                      handle(s.revokeToken),
		"GetUser":                          handle(s.getUser),
		"UpdateUserAttributes":             handle(s.updateUserAttributes),
		"GetUserAttributeVerificationCode": handle(s.getUserAttributeVerificationCode),
		"VerifyUserAttribute":              handle(s.verifyUserAttribute),
		"ChangePassword":                   handle(s.changePassword),
		"ForgotPassword":                   handle(s.forgotPassword),
		"ConfirmForgotPassword":            handle(s.confirmForgotPassword),
		"GlobalSignOut":                    handle(s.globalSignOut),
		"DeleteUser":                       handle(s.deleteUser),
		"AdminGetUser":                     handle(s.adminGetUser),
		"AdminUpdateUserAttributes":        handle(s.adminUpdateUserAttributes),
		"AdminDeleteUser":                  handle(s.adminDeleteUser),
		"AdminDisableUser":                 handle(s.adminDisableUser),
		"AdminEnableUser":                  handle(s.adminEnableUser),
		"AdminConfirmSignUp":               handle(s.adminConfirmSignUp),
		"AdminUserGlobalSignOut":           handle(s.adminUserGlobalSignOut),
		"ListUsers":                        handle(s.listUsers),
	}
	cfg.Logger.Info("cognito user pool ready", "pool", cfg.PoolID, "name", cfg.PoolName, "client", cfg.ClientID, "issuer", s.Issuer())
	return s, nil
}

// Operations lists the API operations served, sorted: what the
// conformance suite (local/conformance/cognito) must cover.
func (s *Service) Operations() []string {
	names := make([]string, 0, len(s.ops))
	for n := range s.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close closes the database.
func (s *Service) Close() error { return s.db.Close() }

// Issuer is the iss claim of the pool's tokens: IssuerBaseURL/PoolID.
func (s *Service) Issuer() string { return s.cfg.IssuerBaseURL + "/" + s.cfg.PoolID }

// JWKSURL is where the pool's public keys are served.
func (s *Service) JWKSURL() string { return s.Issuer() + "/.well-known/jwks.json" }

// Match reports whether r is for this service: a Cognito API call (its
// X-Amz-Target names the Cognito service) or a well-known document of the
// pool. The offline program uses it to share one port between emulators.
func (s *Service) Match(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) {
		return true
	}
	if r.Method == http.MethodOptions && strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Request-Headers")), "x-amz-target") {
		return true
	}
	_, ok := s.wellKnown(r.URL.Path)
	return ok
}

// ServeHTTP serves the Cognito API and the well-known documents.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return
	}
	if doc, ok := s.wellKnown(r.URL.Path); ok {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		s.serveWellKnown(w, doc)
		return
	}
	if r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	s.serveAPI(w, r)
}

func (s *Service) serveAPI(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op := s.ops[name]
	if !ok || op == nil {
		writeError(w, &apiError{Type: "com.amazon.coral.service#UnknownOperationException", Message: "Unknown operation " + target, Status: http.StatusBadRequest})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, newErr("SerializationException", "Request body could not be read."))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	ctx := withSDKVersion(r.Context(), sdkVersion(r))
	out, err := op(ctx, body)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.cfg.Logger.Error("cognito operation failed", "op", name, "err", err)
			ae = errInternal()
		} else {
			s.cfg.Logger.Debug("cognito operation refused", "op", name, "type", ae.Type, "message", ae.Message)
		}
		writeError(w, ae)
		return
	}
	s.cfg.Logger.Debug("cognito operation", "op", name)
	writeJSON(w, http.StatusOK, out)
}

// handle adapts an operation taking a typed input to an opFunc.
func handle[In any](fn func(context.Context, *In) (any, error)) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := json.Unmarshal(body, in); err != nil {
			return nil, newErr("SerializationException", "Request body is not valid JSON for this operation: %s", err.Error())
		}
		return fn(ctx, in)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"__type":"InternalErrorException","message":"An internal error occurred."}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", newUUID())
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("x-amzn-ErrorType", e.Type+":")
	w.Header().Set("x-amzn-ErrorMessage", e.Message)
	writeJSON(w, e.Status, map[string]string{"__type": e.Type, "message": e.Message})
}

// setCORS lets browsers call the API (amazon-cognito-identity-js) from the
// web app's origin, as Cognito does.
func setCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", "content-type, x-amz-target, x-amz-user-agent, authorization")
		}
		h.Set("Access-Control-Max-Age", "86400")
	}
}

type sdkVersionKey struct{}

func withSDKVersion(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, sdkVersionKey{}, v)
}

func sdkVersionFrom(ctx context.Context) string {
	if v, ok := ctx.Value(sdkVersionKey{}).(string); ok {
		return v
	}
	return "aws-sdk-unknown-unknown"
}

var sdkAgent = regexp.MustCompile(`aws-sdk-([a-z0-9-]+)/([0-9][0-9A-Za-z.\-]*)`)

// sdkVersion renders the caller's SDK the way Cognito reports it in
// callerContext.awsSdkVersion, e.g. "aws-sdk-go-v2-1.41.0".
func sdkVersion(r *http.Request) string {
	for _, h := range []string{r.Header.Get("X-Amz-User-Agent"), r.Header.Get("User-Agent")} {
		if m := sdkAgent.FindStringSubmatch(h); m != nil {
			return "aws-sdk-" + m[1] + "-" + m[2]
		}
	}
	return "aws-sdk-unknown-unknown"
}
