// Package app wires onair's functions: for each function of template.yaml
// (by logical id) an exported Builder of the same name turns Deps into the
// Lambda handler. functions/<Name>/main.go calls Run("<Name>", app.<Name>), so
// each binary links only its own builder; the offline stack calls the same
// builders in process through Functions(), so both run identical handlers. A
// test checks that template.yaml, functions/, events/ and Functions() agree.
package app

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/telemetry"
)

// Builder makes a function's handler from its dependencies.
type Builder func(ctx context.Context, d *Deps) (lambda.Handler, error)

// Functions returns the builder of every function, by logical id.
func Functions() map[string]Builder {
	m := map[string]Builder{}
	addAccounts(m)
	addChannels(m)
	addSocial(m)
	addStreams(m)
	addStages(m)
	addAssets(m)
	addProducts(m)
	return m
}

// Run runs the function in Lambda: configuration from the process
// environment, AWS clients traced with X-Ray.
func Run(name string, b Builder) {
	ctx := context.Background()
	env := Env(os.Getenv)
	logger := telemetry.NewLogger(os.Stdout, name, env.String("LOG_LEVEL"))
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		logger.Error("aws config", "err", err)
		os.Exit(1)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	d := &Deps{Name: name, Env: env, AWS: cfg, Logger: logger, MetricsOut: os.Stdout}
	h, err := build(ctx, d, b)
	if err != nil {
		logger.Error("function setup failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// Build returns the handler of the function d.Name.
func Build(ctx context.Context, d *Deps) (lambda.Handler, error) {
	b, ok := Functions()[d.Name]
	if !ok {
		return nil, fmt.Errorf("no function %q", d.Name)
	}
	return build(ctx, d, b)
}

func build(ctx context.Context, d *Deps, b Builder) (lambda.Handler, error) {
	h, err := b(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	return instrument(d, h), nil
}

// Auth says how a route learns who is calling.
type Auth int

const (
	// Required: the route is behind the gateway's JWT authorizer.
	Required Auth = iota
	// Optional: public at the gateway; a token, when sent, is verified here.
	Optional
	// Public: no identity.
	Public
)

// HTTP makes the Lambda handler of an HTTP API route: the API Gateway v2
// proxy adapter in front of h, served at the given patterns
// ("GET /channels/{username}").
func HTTP(d *Deps, auth Auth, h http.Handler, patterns ...string) (lambda.Handler, error) {
	switch auth {
	case Required:
		h = httpapi.RequireCaller(h)
	case Optional:
		v, err := d.TokenVerifier()
		if err != nil {
			return nil, err
		}
		h = httpapi.OptionalCaller(v, h)
	}
	routes := map[string]http.Handler{}
	for _, p := range patterns {
		routes[p] = h
	}
	return lambda.NewHandler(httpadapter.NewV2(httpapi.Routes(routes)).ProxyWithContext), nil
}

// Event makes the Lambda handler of an event function; fn has one of the
// signatures lambda.NewHandler accepts.
func Event(fn any) lambda.Handler {
	return lambda.NewHandler(fn)
}

type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// instrument puts a logger tagged with the request id, and the metrics
// writer, into every invocation's context.
func instrument(d *Deps, h lambda.Handler) lambda.Handler {
	logger := d.Logger
	if logger == nil {
		logger = telemetry.NewLogger(os.Stderr, d.Name, "")
	}
	metrics := d.Metrics()
	return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		l := logger
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			l = l.With("requestId", lc.AwsRequestID)
		}
		ctx = telemetry.WithLogger(ctx, l)
		ctx = telemetry.WithMetrics(ctx, metrics)
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			l.Error("invocation failed", "err", err)
		}
		return out, err
	})
}
