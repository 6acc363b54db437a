// Package jwtauth verifies Cognito user-pool tokens the way the API Gateway
// JWT authorizer does: RS256 signature from the pool's JWKS, issuer, expiry,
// and the app client (client_id on access tokens, aud on id tokens). Routes
// where login is optional use it to verify the token in the function.
package jwtauth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/onair/onair/shared/onair"
)

// Config says which tokens are accepted.
type Config struct {
	// Issuer is the pool's issuer URL, e.g.
	// https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC.
	Issuer string
	// JWKSURL defaults to Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// ClientID is the app client the token must have been issued to.
	ClientID string
	// Now is the clock expiry and issue times are checked against
	// (default time.Now); hosts with their own clock pass it.
	Now func() time.Time
}

// Verifier checks bearer tokens. The JWKS is fetched on first use and cached;
// a token signed by an unknown key makes it refetch (rate-limited).
type Verifier struct {
	cfg Config

	mu      sync.Mutex
	keyfunc jwt.Keyfunc
}

// New returns a verifier that fetches keys from the pool's JWKS.
func New(cfg Config) *Verifier {
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = strings.TrimRight(cfg.Issuer, "/") + "/.well-known/jwks.json"
	}
	return &Verifier{cfg: cfg}
}

// NewWithKeyfunc returns a verifier that takes keys from kf (tests, and hosts
// that hold the keys in process).
func NewWithKeyfunc(cfg Config, kf jwt.Keyfunc) *Verifier {
	return &Verifier{cfg: cfg, keyfunc: kf}
}

// IssuerFor returns the issuer URL of a Cognito user pool in AWS.
func IssuerFor(region, userPoolID string) string {
	return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", region, userPoolID)
}

func (v *Verifier) keys(ctx context.Context) (jwt.Keyfunc, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keyfunc != nil {
		return v.keyfunc, nil
	}
	// The refresh goroutine lives as long as the process: a Lambda execution
	// environment or the offline stack.
	kf, err := keyfunc.NewDefaultCtx(context.WithoutCancel(ctx), []string{v.cfg.JWKSURL})
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", v.cfg.JWKSURL, err)
	}
	v.keyfunc = kf.Keyfunc
	return v.keyfunc, nil
}

// StripBearer accepts a token with or without the "Bearer " prefix, as API
// Gateway does.
func StripBearer(header string) string {
	h := strings.TrimSpace(header)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return h
}

// Claims returns the verified claims of token as strings, the way API Gateway
// passes JWT claims to a function.
func (v *Verifier) Claims(ctx context.Context, token string) (map[string]string, error) {
	token = StripBearer(token)
	if token == "" {
		return nil, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Missing token.")
	}
	kf, err := v.keys(ctx)
	if err != nil {
		return nil, onair.Wrap(onair.Unauthorized, "UnauthorizedException", "Token cannot be verified.", err)
	}
	claims := jwt.MapClaims{}
	now := v.cfg.Now
	if now == nil {
		now = time.Now
	}
	_, err = jwt.ParseWithClaims(token, claims, kf,
		jwt.WithTimeFunc(now),
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(v.cfg.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		return nil, onair.Wrap(onair.Unauthorized, "UnauthorizedException", "Invalid token.", err)
	}
	out := make(map[string]string, len(claims))
	for k, val := range claims {
		switch t := val.(type) {
		case string:
			out[k] = t
		case float64:
			out[k] = fmt.Sprintf("%.0f", t)
		case bool:
			out[k] = fmt.Sprint(t)
		case []any:
			parts := make([]string, 0, len(t))
			for _, p := range t {
				parts = append(parts, fmt.Sprint(p))
			}
			out[k] = "[" + strings.Join(parts, " ") + "]"
		default:
			out[k] = fmt.Sprint(t)
		}
	}
	switch out["token_use"] {
	case "access":
		if out["client_id"] != v.cfg.ClientID {
			return nil, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Token was issued to another client.")
		}
	case "id":
		aud, _ := claims.GetAudience()
		ok := false
		for _, a := range aud {
			ok = ok || a == v.cfg.ClientID
		}
		if !ok {
			return nil, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Token was issued to another client.")
		}
	default:
		return nil, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Not an access or id token.")
	}
	return out, nil
}

// Verify returns the caller a valid token belongs to.
func (v *Verifier) Verify(ctx context.Context, token string) (onair.Caller, error) {
	claims, err := v.Claims(ctx, token)
	if err != nil {
		return onair.Caller{}, err
	}
	c, ok := CallerFromClaims(claims)
	if !ok {
		return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Token has no subject.")
	}
	return c, nil
}

// CallerFromClaims reads the caller from Cognito claims (access tokens carry
// "username", id tokens "cognito:username").
func CallerFromClaims(claims map[string]string) (onair.Caller, bool) {
	c := onair.Caller{Sub: claims["sub"], Username: claims["username"]}
	if c.Username == "" {
		c.Username = claims["cognito:username"]
	}
	return c, c.Sub != ""
}
