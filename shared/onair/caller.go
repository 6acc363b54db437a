package onair

import "context"

// Caller is who is making a request, from a verified Cognito token.
type Caller struct {
	// Sub is the Cognito user id: stable for the life of the account and the
	// key of every per-user record.
	Sub string
	// Username is the Cognito username (immutable; the display name lives in
	// the profile and may change through preferred_username).
	Username string
}

type callerKey struct{}

// WithCaller returns a context carrying the caller.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, if the request was authenticated.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok && c.Sub != ""
}
