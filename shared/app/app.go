// Package app is how onair builds a function. Each function of
// template.yaml has a package under shared/functions whose Function() returns
// an app.Function: its logical id, its routes and auth mode when it serves
// HTTP, and a builder that constructs exactly the adapters its handler uses
// and passes them to the handler's constructor.
//
// functions/<Name>/main.go is one line, app.Run(<name>.Function()), so a
// binary imports only its own builder and, through it, only the AWS service
// packages its function calls. The offline stack builds every function in
// process from the same Function values (shared/functions.All), giving the
// builders an offline Platform.
//
// This package imports no AWS service package and no adapter: what a
// function links is decided by its builder alone.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/jwtauth"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/streams"
	"github.com/onair/onair/shared/telemetry"
)

// Platform is what a host gives every builder: the function's identity,
// configuration, AWS settings, clock and telemetry. The Lambda host (Run)
// fills it from the process environment; the offline stack and tests fill
// it with the template environment, an AWS config pointed at the local
// endpoint, and the Offline substitutes.
type Platform struct {
	// Name is the function's logical id in template.yaml.
	Name string
	Env  Env
	AWS  aws.Config
	// Clock is the time source every adapter and handler is given.
	Clock  func() time.Time
	Logger *slog.Logger
	// MetricsOut receives embedded-metric-format lines (stdout in Lambda).
	MetricsOut io.Writer
	// Offline holds what the offline stack (and tests) put in place of a
	// cloud service that has no local AWS-compatible endpoint. Zero in Lambda.
	Offline Offline

	// opened is the store the builder opened (Store), if any: signed-in
	// routes of such functions refuse callers whose account is gone.
	opened store.Store
}

// Offline are the substitutes for cloud services the offline stack does not
// emulate at the AWS API: the embedded store for DynamoDB, the media
// plane's metrics for CloudWatch, and (in tests) a token verifier.
type Offline struct {
	Store         store.Store
	StreamMetrics streams.MetricsReader
	Verifier      httpapi.TokenVerifier
}

// Store returns the function's store: the offline one, or in Lambda the one
// open makes from the AWS config and environment (dynamo.Open). Taking the
// opener as an argument keeps the DynamoDB client out of this package, so
// functions without a store do not link it.
func (p *Platform) Store(open func(aws.Config, func(string) string) (store.Store, error)) (store.Store, error) {
	if p.Offline.Store != nil {
		p.opened = p.Offline.Store
		return p.Offline.Store, nil
	}
	st, err := open(p.AWS, p.Env)
	if err == nil {
		p.opened = st
	}
	return st, err
}

// StreamMetrics returns the reader of IVS channel metrics: the offline
// one, or open(p.AWS) (cloudwatch.New).
func (p *Platform) StreamMetrics(open func(aws.Config) streams.MetricsReader) streams.MetricsReader {
	if p.Offline.StreamMetrics != nil {
		return p.Offline.StreamMetrics
	}
	return open(p.AWS)
}

// verifier returns the token verifier of routes where login is optional:
// the offline one, or the user pool's JWKS (USER_POOL_ID,
// USER_POOL_CLIENT_ID, and COGNITO_ISSUER when the issuer is not AWS's, as
// offline).
func (p *Platform) verifier() (httpapi.TokenVerifier, error) {
	if p.Offline.Verifier != nil {
		return p.Offline.Verifier, nil
	}
	if err := p.Env.Required("USER_POOL_ID", "USER_POOL_CLIENT_ID"); err != nil {
		return nil, err
	}
	issuer := p.Env.String("COGNITO_ISSUER")
	if issuer == "" {
		issuer = jwtauth.IssuerFor(p.AWS.Region, p.Env.String("USER_POOL_ID"))
	}
	return jwtauth.New(jwtauth.Config{Issuer: issuer, ClientID: p.Env.String("USER_POOL_CLIENT_ID"), Now: p.Clock}), nil
}

// Auth says how an HTTP route learns who is calling.
type Auth int

const (
	// Required: the route is behind the gateway's JWT authorizer.
	Required Auth = iota + 1
	// Optional: public at the gateway; a token, when sent, is verified here.
	Optional
	// Public: no identity.
	Public
)

func (a Auth) String() string {
	switch a {
	case Required:
		return "required"
	case Optional:
		return "optional"
	case Public:
		return "public"
	}
	return fmt.Sprintf("Auth(%d)", int(a))
}

// HTTPBuilder constructs an HTTP function's handler.
type HTTPBuilder func(ctx context.Context, p *Platform) (http.Handler, error)

// EventBuilder constructs an event function's handler: a func with one of
// the signatures lambda.NewHandler accepts.
type EventBuilder func(ctx context.Context, p *Platform) (any, error)

// Route is one HttpApi route of a function, as template.yaml declares it.
type Route struct {
	Method string // "GET"
	Path   string // "/channels/{username}"
}

func (r Route) String() string { return r.Method + " " + r.Path }

// Function is one function of template.yaml and how to build it.
type Function struct {
	// Name is the logical id.
	Name string
	// Routes and Auth are the HttpApi routes the function serves and how
	// they learn the caller; none for event functions. A test checks them
	// against template.yaml.
	Routes []Route
	Auth   Auth

	http  HTTPBuilder
	event EventBuilder
	// mounts maps a route to the mux pattern serving it when that is not
	// the route itself (a prefix, see Mount).
	mounts map[Route]string
	// finishesDeletion: see FinishesAccountDeletion; rebuildsProfile: see
	// RebuildsMissingProfile.
	finishesDeletion, rebuildsProfile bool
}

// RebuildsMissingProfile exempts the function from the deleted-account
// check because its handler makes that check itself: a signed-in caller
// without a profile is rebuilt from Cognito (the post-confirmation trigger
// failed, or the stack died between Cognito's confirmation and it), and is
// refused with 401 AccountDeletedException only when Cognito has no such
// user either (CreateChannelResources).
func (f Function) RebuildsMissingProfile() Function {
	f.rebuildsProfile = true
	return f
}

// FinishesAccountDeletion exempts the function from the deleted-account
// check: account deletion removes the profile before the Cognito user, so a
// deletion interrupted between the two must still be finishable with the
// same token (DeleteChannel, whose every step treats "already gone" as done).
func (f Function) FinishesAccountDeletion() Function {
	f.finishesDeletion = true
	return f
}

// HTTP declares a function serving routes ("GET /channel", written as in
// template.yaml) with the given auth mode.
func HTTP(name string, auth Auth, build HTTPBuilder, routes ...string) Function {
	f := Function{Name: name, Auth: auth, http: build}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		f.Routes = append(f.Routes, Route{Method: method, Path: path})
	}
	return f
}

// Event declares a function invoked by an event source (a trigger, a rule,
// a schedule, a queue).
func Event(name string, build EventBuilder) Function {
	return Function{Name: name, event: build}
}

// Mount serves route under pattern instead of the route itself: for a
// route whose parameter the handler parses from the path, beyond what the
// mux's path parameters allow (see products.SearchProducts).
func (f Function) Mount(route, pattern string) Function {
	method, path, _ := strings.Cut(route, " ")
	m := map[Route]string{}
	for k, v := range f.mounts {
		m[k] = v
	}
	m[Route{Method: method, Path: path}] = pattern
	f.mounts = m
	return f
}

// Build makes the Lambda handler: the function's own, with the API Gateway
// v2 proxy adapter and the auth mode in front for HTTP functions, and the
// per-invocation logger and metrics writer in the context.
func (f Function) Build(ctx context.Context, p *Platform) (lambda.Handler, error) {
	if p.Clock == nil {
		p.Clock = time.Now
	}
	if p.Logger == nil {
		p.Logger = telemetry.NewLogger(os.Stderr, f.Name, "")
	}
	var (
		h   lambda.Handler
		err error
	)
	switch {
	case f.http != nil:
		h, err = f.buildHTTP(ctx, p)
	case f.event != nil:
		var fn any
		if fn, err = f.event(ctx, p); err == nil {
			h = lambda.NewHandler(fn)
		}
	default:
		err = fmt.Errorf("no builder")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return instrument(p, h), nil
}

func (f Function) buildHTTP(ctx context.Context, p *Platform) (lambda.Handler, error) {
	h, err := f.http(ctx, p)
	if err != nil {
		return nil, err
	}
	// A function with a store refuses signed-in callers whose account was
	// deleted (their tokens outlive it); inside the auth check, which
	// establishes the caller.
	if p.opened != nil && f.Auth != Public && !f.finishesDeletion && !f.rebuildsProfile {
		h = httpapi.RequireLiveAccount(p.opened, h)
	}
	switch f.Auth {
	case Required:
		h = httpapi.RequireCaller(h)
	case Optional:
		v, err := p.verifier()
		if err != nil {
			return nil, err
		}
		h = httpapi.OptionalCaller(v, h)
	case Public:
	default:
		return nil, fmt.Errorf("auth mode not set")
	}
	routes := map[string]http.Handler{}
	for _, r := range f.Routes {
		pattern, ok := f.mounts[r]
		if !ok {
			pattern = r.String()
		}
		routes[pattern] = h
	}
	return lambda.NewHandler(httpadapter.NewV2(httpapi.Routes(routes)).ProxyWithContext), nil
}

// Run runs the function in Lambda: configuration from the process
// environment, AWS settings from Lambda's (see awsConfig).
func Run(f Function) {
	ctx := context.Background()
	env := Env(os.Getenv)
	logger := telemetry.NewLogger(os.Stdout, f.Name, env.String("LOG_LEVEL"))
	cfg, err := awsConfig(ctx)
	if err != nil {
		logger.Error("aws config", "err", err)
		os.Exit(1)
	}
	p := &Platform{Name: f.Name, Env: env, AWS: cfg, Clock: time.Now, Logger: logger, MetricsOut: os.Stdout}
	h, err := f.Build(ctx, p)
	if err != nil {
		logger.Error("function setup failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// refused reports an expected "no" (a trigger refusing a reserved name or a
// wrong sign-in name): the function did its job, so it is not an error.
func refused(err error) bool {
	var e interface{ Expected() bool }
	return errors.As(err, &e) && e.Expected()
}

// instrument puts a logger tagged with the request id, and the metrics
// writer, into every invocation's context.
func instrument(p *Platform, h lambda.Handler) lambda.Handler {
	logger := p.Logger
	var metrics *telemetry.Metrics
	if p.MetricsOut != nil {
		metrics = telemetry.NewMetrics(p.MetricsOut, p.Name, p.Clock)
	}
	return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		l := logger
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			l = l.With("requestId", lc.AwsRequestID)
		}
		ctx = telemetry.WithLogger(ctx, l)
		ctx = telemetry.WithMetrics(ctx, metrics)
		out, err := h.Invoke(ctx, payload)
		switch {
		case err == nil:
		case refused(err):
			l.Info("invocation refused", "err", err)
		default:
			l.Error("invocation failed", "err", err)
		}
		return out, err
	})
}
