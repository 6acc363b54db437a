package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/onair/onair/shared/jwtauth"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// TokenVerifier verifies a bearer token (jwtauth.Verifier).
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (onair.Caller, error)
}

// GatewayClaims returns the JWT claims API Gateway's authorizer passed with the
// request (HTTP API payload v2), if any. The offline gateway passes them the
// same way.
func GatewayClaims(ctx context.Context) (map[string]string, bool) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(ctx)
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil || len(rc.Authorizer.JWT.Claims) == 0 {
		return nil, false
	}
	return rc.Authorizer.JWT.Claims, true
}

// RequireCaller serves routes behind the gateway's JWT authorizer. It takes
// the caller from the authorizer's claims and answers 401 when there are none
// (the gateway should never let such a request through; this is the second
// lock on the door).
func RequireCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := GatewayClaims(r.Context())
		if !ok {
			WriteError(w, r, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Sign in to do this."))
			return
		}
		c, ok := jwtauth.CallerFromClaims(claims)
		if !ok {
			WriteError(w, r, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Sign in to do this."))
			return
		}
		next.ServeHTTP(w, r.WithContext(withCaller(r.Context(), c)))
	})
}

// OptionalCaller serves routes that are public at the gateway but give more to
// signed-in callers. A token, when present, must be valid (401 otherwise);
// without one the request proceeds anonymously.
func OptionalCaller(v TokenVerifier, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if claims, ok := GatewayClaims(ctx); ok {
			if c, ok := jwtauth.CallerFromClaims(claims); ok {
				next.ServeHTTP(w, r.WithContext(withCaller(ctx, c)))
				return
			}
		}
		token := jwtauth.StripBearer(r.Header.Get("Authorization"))
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := v.Verify(ctx, token)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withCaller(ctx, c)))
	})
}

func withCaller(ctx context.Context, c onair.Caller) context.Context {
	ctx = onair.WithCaller(ctx, c)
	return telemetry.WithLogger(ctx, telemetry.Logger(ctx).With("user", c.Sub))
}

// Caller returns the authenticated caller of r, if any.
func Caller(r *http.Request) (onair.Caller, bool) {
	return onair.CallerFrom(r.Context())
}

// MustCaller returns the caller or an Unauthorized error, for handlers behind
// RequireCaller.
func MustCaller(r *http.Request) (onair.Caller, error) {
	c, ok := Caller(r)
	if !ok {
		return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Sign in to do this.")
	}
	return c, nil
}

// Accounts looks a caller's profile up (the store's users).
type Accounts interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
}

// AccountDeletedType is the __type of a signed-in request whose account no
// longer exists.
const AccountDeletedType = "AccountDeletedException"

// RequireLiveAccount refuses, with 401, a signed-in caller whose account is
// gone. A deleted account's access and ID tokens stay valid until they
// expire (up to an hour: the gateway's JWT authorizer cannot see Cognito's
// revocation), so without this check they could still follow, ban, save
// presets and mint tokens, writing records for an account that no longer
// exists. The profile is the account's record here: PostConfirmation
// creates it, account deletion removes it. Anonymous requests pass through.
func RequireLiveAccount(accounts Accounts, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := Caller(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if _, err := accounts.GetUser(r.Context(), c.Sub); err != nil {
			if errors.Is(err, onair.ErrNotFound) {
				WriteError(w, r, onair.Errorf(onair.Unauthorized, AccountDeletedType, "This account no longer exists."))
				return
			}
			WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
