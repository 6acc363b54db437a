// Package stack assembles onair's offline stack: the template's functions run
// in process behind local emulations of API Gateway, Cognito, IVS, IVS Chat,
// IVS Real-Time, EventBridge, Lambda and Secrets Manager, with the embedded
// store. Start boots it on three listeners (web app, HTTP API, AWS endpoint).
package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/onair/onair/local/internal/chatws"
	"github.com/onair/onair/local/internal/cognitoidp"
	"github.com/onair/onair/local/internal/devcert"
	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/gateway"
	"github.com/onair/onair/local/internal/host"
	"github.com/onair/onair/local/internal/ivsemu"
	"github.com/onair/onair/local/internal/lambdaapi"
	"github.com/onair/onair/local/internal/media"
	"github.com/onair/onair/local/internal/s3emu"
	"github.com/onair/onair/local/internal/secretsemu"
	"github.com/onair/onair/local/internal/sfu"
	"github.com/onair/onair/local/internal/streamsim"
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions"
	"github.com/onair/onair/shared/iam"
	"github.com/onair/onair/shared/jwtauth"
	"github.com/onair/onair/shared/samtemplate"
	"github.com/onair/onair/shared/store"
)

// StackName is the stack name the offline stack pretends to be (PROJECT_TAG).
const StackName = "onair-local"

// DevServerOrigin is where `make web` runs Vite's dev server; the stack
// lets it call the API, Cognito, chat and S3 as it does the built app.
const DevServerOrigin = "http://127.0.0.1:5173"

// Options configure Start.
type Options struct {
	// Template is the path of template.yaml.
	Template string
	// DataDir holds every emulator's state and the embedded store.
	DataDir string
	// Listen addresses; "127.0.0.1:0" picks a free port.
	WebAddr, APIAddr, AWSAddr string
	// SFUAddr is the stage media (SFU) HTTPS address; "" picks a free port
	// on 127.0.0.1 (`make dev` uses DefaultSFUAddr).
	SFUAddr string
	// ParameterOverrides are applied to the template's Parameters as
	// `sam deploy --parameter-overrides` does.
	ParameterOverrides map[string]string
	// Store is "bolt" (default) or "dynamodb" (with DynamoDBEndpoint).
	Store            string
	DynamoDBEndpoint string
	// RTMPAddr is the media plane's RTMP ingest (channels' ingestEndpoint);
	// "" picks a free port on 127.0.0.1. make dev uses 127.0.0.1:1935.
	RTMPAddr string
	// RTMPSAddr is the media plane's RTMPS ingest (RTMP over TLS with the
	// stack's certificate, Cert); "" picks a free port on 127.0.0.1. make
	// dev uses 127.0.0.1:1936.
	RTMPSAddr string
	// WebRTCAddr is the media plane's HTTPS WebRTC ingest (the web
	// broadcast SDK's /v1/offer and WHIP); "" picks a free port on
	// 127.0.0.1. make dev uses 127.0.0.1:4443.
	WebRTCAddr string
	// FFmpeg is the ffmpeg binary the media plane may use (Opus→AAC for the
	// MPEG-TS rendition of browser broadcasts); default "ffmpeg" if on PATH.
	FFmpeg string
	// WebDir is the built web app (web-ui/dist); served when it exists.
	WebDir  string
	Region  string // default us-east-1
	Account string // default 000000000000
	Logger  *slog.Logger
	// Out receives the human-oriented console lines (mail, URLs).
	Out io.Writer
	Now func() time.Time
	// RecordAWSCalls records every AWS operation each function performs,
	// with the IAM requests AWS would authorize for it (AWSCalls), so that
	// tests can prove the template's policies sufficient (CheckPolicies).
	RecordAWSCalls bool
}

// Stack is a running offline stack.
type Stack struct {
	WebURL, APIURL, AWSURL string
	// SFUURL is the stage SFU's base URL (https://…): WHIP, WHEP, presence.
	SFUURL           string
	PoolID, ClientID string
	Region           string
	// Cert is the stack's development certificate (local CA + a leaf for
	// 127.0.0.1/localhost, kept in the data dir): every HTTPS listener of
	// the stack serves Cert.TLSConfig(); `make trust` trusts Cert.CAPath.
	Cert *devcert.Cert

	opts    Options
	log     *slog.Logger
	tmpl    *samtemplate.Template
	params  map[string]string
	store   store.Store
	cognito *cognitoidp.Service
	ivs     *ivsemu.Service
	bus     *eventbus.Bus
	lambda  *lambdaapi.API
	chat    *chatws.Hub
	s3      *s3emu.Service
	cdn     map[string]string // CloudFront domain → the bucket behind it
	sim     *streamsim.Sim
	csp     *cspReports // the web app's CSP violation reports
	media   *media.Plane
	rtmp    *media.RTMPServer
	rtmpLn  net.Listener
	rtmps   *media.RTMPServer
	rtmpsLn net.Listener
	rtcLn   net.Listener
	secrets *secretsemu.Service
	host    *host.Host
	sfu     *sfu.Server
	calls   *iam.Recorder // nil unless Options.RecordAWSCalls
	// resolve evaluates the template's intrinsics with the local stand-ins.
	resolve samtemplate.Resolver

	envs map[string]map[string]string // each function's resolved environment

	// schedules are the template's schedules the stack runs (set by
	// Start, read-only after): function → rate and rule.
	schedules map[string]schedule

	servers []*http.Server
	closers []func() error
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	ready   chan struct{}
}

// Start boots the stack. It returns once every listener accepts connections.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Template == "" {
		opts.Template = "template.yaml"
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	s := &Stack{opts: opts, log: opts.Logger, Region: opts.Region, ready: make(chan struct{})}
	s.csp = &cspReports{log: opts.Logger.With("component", "web")}
	defer func() {
		if err != nil {
			_ = s.Close() // whatever started before the failure
		}
	}()
	release, err := lockDataDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, release) // first in, so released last
	var bg context.Context
	bg, s.cancel = context.WithCancel(context.WithoutCancel(ctx))

	raw, err := os.ReadFile(opts.Template)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if s.tmpl, err = samtemplate.Parse(raw); err != nil {
		return nil, err
	}

	// Listen first: the URLs go into the functions' environment and the
	// emulators' resources.
	webLn, err := net.Listen("tcp", opts.WebAddr)
	if err != nil {
		return nil, fmt.Errorf("web listener: %w", err)
	}
	apiLn, err := net.Listen("tcp", opts.APIAddr)
	if err != nil {
		_ = webLn.Close()
		return nil, fmt.Errorf("api listener: %w", err)
	}
	awsLn, err := net.Listen("tcp", opts.AWSAddr)
	if err != nil {
		_ = webLn.Close()
		_ = apiLn.Close()
		return nil, fmt.Errorf("aws listener: %w", err)
	}
	rtmpAddr := opts.RTMPAddr
	if rtmpAddr == "" {
		rtmpAddr = "127.0.0.1:0"
	}
	if s.rtmpLn, err = net.Listen("tcp", rtmpAddr); err != nil {
		_ = webLn.Close()
		_ = apiLn.Close()
		_ = awsLn.Close()
		return nil, fmt.Errorf("rtmp listener: %w", err)
	}
	// Closed by the RTMP server once it runs; this covers a failed start.
	s.closers = append(s.closers, func() error { _ = s.rtmpLn.Close(); return nil })
	rtmpsAddr := opts.RTMPSAddr
	if rtmpsAddr == "" {
		rtmpsAddr = "127.0.0.1:0"
	}
	if s.rtmpsLn, err = net.Listen("tcp", rtmpsAddr); err != nil {
		_ = webLn.Close()
		_ = apiLn.Close()
		_ = awsLn.Close()
		_ = s.rtmpLn.Close()
		return nil, fmt.Errorf("rtmps listener: %w", err)
	}
	s.closers = append(s.closers, func() error { _ = s.rtmpsLn.Close(); return nil })
	rtcAddr := opts.WebRTCAddr
	if rtcAddr == "" {
		rtcAddr = "127.0.0.1:0"
	}
	if s.rtcLn, err = net.Listen("tcp", rtcAddr); err != nil {
		_ = webLn.Close()
		_ = apiLn.Close()
		_ = awsLn.Close()
		return nil, fmt.Errorf("webrtc ingest listener: %w", err)
	}
	s.closers = append(s.closers, func() error { _ = s.rtcLn.Close(); return nil })
	s.WebURL, s.APIURL, s.AWSURL = "http://"+webLn.Addr().String(), "http://"+apiLn.Addr().String(), "http://"+awsLn.Addr().String()
	sfuLn, err := s.listenSFU(opts.SFUAddr)
	if err != nil {
		_ = s.rtmpLn.Close()
		_ = webLn.Close()
		_ = apiLn.Close()
		_ = awsLn.Close()
		return nil, err
	}

	if s.Cert, err = devcert.Load(opts.DataDir, opts.Now()); err != nil {
		return nil, err
	}

	id, err := loadIdentity(opts.DataDir, opts.Region)
	if err != nil {
		return nil, err
	}
	s.PoolID, s.ClientID = id.PoolID, id.ClientID

	// Parameters: the template's defaults, then what makes sense on this
	// machine (the web app's origin), then the user's overrides.
	overrides := map[string]string{}
	if _, ok := s.tmpl.Parameters["ClientBaseUrl"]; ok {
		overrides["ClientBaseUrl"] = s.WebURL
	}
	if _, ok := s.tmpl.Parameters["AllowedOrigins"]; ok {
		// Also the Vite dev server of `make web` (web-ui/vite.config.ts).
		overrides["AllowedOrigins"] = s.WebURL + "," + strings.Replace(s.WebURL, "127.0.0.1", "localhost", 1) +
			"," + DevServerOrigin + "," + strings.Replace(DevServerOrigin, "127.0.0.1", "localhost", 1)
	}
	for k, v := range opts.ParameterOverrides {
		overrides[k] = v
	}
	if s.params, err = s.tmpl.ParameterValues(overrides); err != nil {
		return nil, err
	}

	if err := s.openStore(bg); err != nil {
		return nil, err
	}
	if s.secrets, err = secretsemu.Open(filepath.Join(opts.DataDir, "secrets.db"), opts.Region, opts.Account, opts.Now); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.secrets.Close)

	resolver, err := s.resolver(id)
	if err != nil {
		return nil, err
	}
	s.resolve = resolver
	if opts.RecordAWSCalls {
		// Resource tags as the IVS emulators hold them at the time of each
		// call (the emulators start after the functions are declared, but
		// before any is built).
		s.calls = iam.NewRecorder(opts.Region, opts.Account, func(arn string) map[string]string {
			if s.ivs == nil {
				return nil
			}
			return s.ivs.Tags(arn)
		})
	}
	if err := s.startS3(resolver); err != nil {
		return nil, err
	}
	if err := s.startFunctions(resolver); err != nil {
		return nil, err
	}
	if err := s.startEmulators(bg, resolver); err != nil {
		return nil, err
	}

	gw, err := s.gateway(resolver)
	if err != nil {
		return nil, err
	}
	s.serve(apiLn, gw)
	s.serve(awsLn, s.awsHandler())
	s.serve(webLn, s.webHandler())
	s.serveSFU(sfuLn)
	s.startSchedules(bg, resolver)
	if err := s.setupStageSigning(ctx, s.envs); err != nil {
		return nil, err
	}
	close(s.ready)
	return s, nil
}

func (s *Stack) openStore(ctx context.Context) error {
	switch s.opts.Store {
	case "", "bolt":
		b, err := bolt.Open(filepath.Join(s.opts.DataDir, "onair.db"))
		if err != nil {
			return err
		}
		s.store = b
		s.closers = append(s.closers, b.Close)
	case "dynamodb":
		if s.opts.DynamoDBEndpoint == "" {
			return errors.New("--store dynamodb needs --dynamodb-endpoint")
		}
		d := dynamo.New(s.dynamoConfig(), dynamoTables())
		if err := d.CreateTables(ctx); err != nil {
			return fmt.Errorf("dynamodb tables: %w", err)
		}
		s.store = d
	default:
		return fmt.Errorf("unknown store %q (bolt or dynamodb)", s.opts.Store)
	}
	return nil
}

// dynamoTables are the placeholders' <stack>-<LogicalId> names, which
// --store dynamodb creates (and the template's table ARNs name).
func dynamoTables() dynamo.Tables {
	return dynamo.Tables{Channels: StackName + "-ChannelsTable", Streams: StackName + "-StreamsTable"}
}

func (s *Stack) dynamoConfig() aws.Config {
	return aws.Config{Region: s.opts.Region, BaseEndpoint: aws.String(s.opts.DynamoDBEndpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
}

// functionStore is the store a function is given: the stack's, or, when
// recording calls on DynamoDB, a client of the same tables whose calls are
// recorded as the function's (so its DynamoDB permissions are checked too).
func (s *Stack) functionStore(function string) store.Store {
	if s.calls == nil || s.opts.Store != "dynamodb" {
		return s.store
	}
	cfg := s.dynamoConfig()
	s.calls.Install(function, &cfg)
	return dynamo.New(cfg, dynamoTables())
}

// resolver evaluates the template's intrinsics with the local stand-ins of
// its resources.
func (s *Stack) resolver(id identity) (samtemplate.Resolver, error) {
	// Resources are found by type, not by logical id, so that a renamed
	// resource keeps working offline. Tables keep the placeholders'
	// <stack>-<LogicalId> names, which --store dynamodb creates.
	refs, attrs := s.tmpl.Placeholders(StackName, s.opts.Region, s.opts.Account)
	for _, pool := range s.tmpl.ResourcesOfType("AWS::Cognito::UserPool") {
		refs[pool] = id.PoolID
		attrs[pool+".Arn"] = fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", s.opts.Region, s.opts.Account, id.PoolID)
		attrs[pool+".ProviderURL"] = s.AWSURL + "/" + id.PoolID
		attrs[pool+".ProviderName"] = strings.TrimPrefix(s.AWSURL, "http://") + "/" + id.PoolID
		attrs[pool+".UserPoolId"] = id.PoolID
	}
	for _, c := range s.tmpl.ResourcesOfType("AWS::Cognito::UserPoolClient") {
		refs[c] = id.ClientID
		attrs[c+".ClientId"] = id.ClientID
	}
	for _, api := range s.tmpl.ResourcesOfType("AWS::Serverless::HttpApi") {
		attrs[api+".ApiEndpoint"] = s.APIURL
	}
	r := s.tmpl.Resolver(s.params, samtemplate.DefaultPseudo(StackName, s.opts.Region, s.opts.Account))
	r.Refs, r.Attrs = refs, attrs
	specs, err := secretSpecs(s.tmpl, r)
	if err != nil {
		return r, err
	}
	for logical, spec := range specs {
		var arn string
		if spec.Generate != nil {
			arn, err = s.secrets.Ensure(spec.Name, spec.Description, *spec.Generate)
		} else {
			arn, err = s.secrets.EnsureValue(spec.Name, spec.Description, spec.Value)
		}
		if err != nil {
			return r, fmt.Errorf("secret %s: %w", logical, err)
		}
		refs[logical] = arn
		attrs[logical+".Id"] = arn
	}
	return r, nil
}

// awsConfig is what every function's AWS clients use offline: the local
// endpoint, static credentials.
func (s *Stack) awsConfig() aws.Config {
	return aws.Config{
		Region:           s.opts.Region,
		BaseEndpoint:     aws.String(s.AWSURL),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 2,
	}
}

// startFunctions prepares the host: one entry per deployed function of the
// template, built on first use.
func (s *Stack) startFunctions(r samtemplate.Resolver) error {
	var fns []host.Function
	issuer := s.AWSURL + "/" + s.PoolID
	s.envs = map[string]map[string]string{}
	for _, name := range s.tmpl.FunctionNames() {
		f := s.tmpl.Functions[name]
		if f.Condition != "" {
			if ok, err := r.Condition(f.Condition); err != nil {
				return err
			} else if !ok {
				continue // not deployed with these parameters (e.g. a feature flag off)
			}
		}
		env, err := s.tmpl.Env(name, r)
		if err != nil {
			return fmt.Errorf("%s environment: %w", name, err)
		}
		env["AWS_REGION"] = s.opts.Region
		env["AWS_LAMBDA_FUNCTION_NAME"] = StackName + "-" + name
		// The pool's issuer is the local endpoint, not AWS's.
		env["COGNITO_ISSUER"] = issuer
		// CloudFront in front of a bucket: offline the AWS endpoint serves the
		// objects itself (path-style).
		for k, v := range env {
			for domain, bucket := range s.cdn {
				if strings.HasPrefix(v, "https://"+domain) {
					env[k] = s.AWSURL + "/" + bucket + strings.TrimPrefix(v, "https://"+domain)
				}
			}
		}
		s.envs[name] = env
		logger := s.log.With("function", name)
		timeout := time.Duration(f.Timeout) * time.Second
		fnName := name
		fn, built := functions.ByName()[name]
		fns = append(fns, host.Function{Name: name, Timeout: timeout, Build: func(ctx context.Context) (lambda.Handler, error) {
			if !built {
				return nil, fmt.Errorf("%s: no builder in shared/functions", fnName)
			}
			cfg := s.awsConfig()
			if s.calls != nil {
				s.calls.Install(fnName, &cfg)
			}
			return fn.Build(ctx, &app.Platform{
				Name:       fnName,
				Env:        app.Env(func(k string) string { return env[k] }),
				AWS:        cfg,
				Clock:      s.opts.Now,
				Logger:     logger,
				MetricsOut: metricsWriter{logger},
				// Offline, stream metrics come from the simulation, not CloudWatch.
				Offline: app.Offline{Store: s.functionStore(fnName), StreamMetrics: simMetrics{s.sim}},
			})
		}})
	}
	s.host = host.New(fns, s.opts.Region, s.opts.Account, s.log)
	return nil
}

// metricsWriter shows EMF lines in the debug log (offline there is no
// CloudWatch to extract them).
type metricsWriter struct{ log *slog.Logger }

func (m metricsWriter) Write(p []byte) (int, error) {
	m.log.Debug("metric", "emf", strings.TrimSpace(string(p)))
	return len(p), nil
}

func (s *Stack) deployed() map[string]bool {
	out := map[string]bool{}
	for _, n := range s.host.Names() {
		out[n] = true
	}
	return out
}

func (s *Stack) gateway(r samtemplate.Resolver) (*gateway.Gateway, error) {
	verifier := jwtauth.NewWithKeyfunc(jwtauth.Config{Issuer: s.cognito.Issuer(), ClientID: s.ClientID, Now: s.opts.Now}, s.cognito.Keyfunc())
	var origins []string
	for _, api := range s.tmpl.ResourcesOfType("AWS::Serverless::HttpApi") {
		p, err := resolvedProps(s.tmpl, api, r)
		if err != nil {
			return nil, err
		}
		origins = append(origins, strs(obj(p["CorsConfiguration"])["AllowOrigins"])...)
	}
	return gateway.New(gateway.Config{
		Routes:         routes(s.tmpl, s.deployed()),
		Invoker:        s.host,
		Authorizer:     verifier,
		AllowedOrigins: origins,
		AccountID:      s.opts.Account,
		Logger:         s.log.With("component", "api"),
		Now:            s.opts.Now,
	})
}

func (s *Stack) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
}

// Config is the JSON the web app reads from /_local/config.
func (s *Stack) Config() map[string]any {
	return map[string]any{
		"region":                          s.opts.Region,
		"userPoolId":                      s.PoolID,
		"userPoolClientId":                s.ClientID,
		"cognitoEndpoint":                 s.AWSURL,
		"apiUrl":                          s.APIURL,
		"chatUrl":                         strings.Replace(s.AWSURL, "http://", "ws://", 1) + chatPath,
		"awsEndpoint":                     s.AWSURL,
		"channelType":                     s.params["IvsChannelType"],
		"enableAmazonProductStreamAction": s.params["EnableAmazonProductStreamAction"] == "true",
		"stage":                           "local",
		// Stage media: the offline SFU (WHIP/WHEP + presence), not IVS.
		"stageClient": "whip",
		"stageSfuUrl": s.SFUURL,
		// The media plane (docs/local.md): where encoders push and how the
		// web app plays.
		"rtmpIngest":            "rtmp://" + s.rtmpLn.Addr().String() + "/app/",
		"rtmpsIngest":           "rtmps://" + s.rtmpsLn.Addr().String() + "/app/",
		"playerKind":            "hls.js",
		"webrtcIngestEndpoint":  s.webrtcURL(),
		"whipUrl":               s.webrtcURL() + "/whip",
		"playbackTsUrlTemplate": s.AWSURL + media.PlaybackPrefix + "{channelId}/ts/index.m3u8",
		"offline":               true,
	}
}

func (s *Stack) serveConfig(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.ready:
	default:
		http.Error(w, `{"message":"starting"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(s.Config())
}

// webrtcURL is the base URL of the WebRTC ingest (what the web app passes
// the broadcast SDK as ingestEndpoint).
func (s *Stack) webrtcURL() string { return "https://" + s.rtcLn.Addr().String() }

// Invoke runs a function of the stack (tests, tools).
func (s *Stack) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	return s.host.Invoke(ctx, function, payload)
}

// AWSCalls returns the AWS operations the functions performed, in order
// (with Options.RecordAWSCalls; nil otherwise).
func (s *Stack) AWSCalls() []iam.Call {
	if s.calls == nil {
		return nil
	}
	return s.calls.Calls()
}

// Policies returns the IAM policies of the deployed functions, resolved as
// this stack resolves the template (its account, region, stack name and
// the local stand-ins of its resources).
func (s *Stack) Policies() (map[string]iam.Policy, error) {
	return iam.FunctionPolicies(s.tmpl, s.resolve)
}

// CheckPolicies evaluates every recorded AWS call against its function's
// policy in template.yaml and returns the calls it does not allow.
func (s *Stack) CheckPolicies() ([]iam.Violation, error) {
	policies, err := s.Policies()
	if err != nil {
		return nil, err
	}
	return iam.Check(policies, s.AWSCalls()), nil
}

// Store returns the stack's store (tests).
func (s *Stack) Store() store.Store { return s.store }

// Close stops the listeners and closes every emulator and store.
func (s *Stack) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	s.wg.Wait()
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	return errors.Join(errs...)
}
