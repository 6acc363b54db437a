package app

import (
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/onair/onair/shared/cloudwatch"
	"github.com/onair/onair/shared/cognito"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/ivs"
	"github.com/onair/onair/shared/ivschat"
	"github.com/onair/onair/shared/ivsrealtime"
	"github.com/onair/onair/shared/jwtauth"
	"github.com/onair/onair/shared/s3"
	"github.com/onair/onair/shared/secrets"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/streams"
	"github.com/onair/onair/shared/telemetry"
)

// Deps is what a function's handler is built from. The Lambda host (Main)
// fills it from the process environment and AWS; the offline stack fills it
// with the function's template environment, an AWS config pointed at the
// local endpoint, and the embedded store. Adapters are built on first use,
// so a function only pays for the clients it needs.
type Deps struct {
	// Name is the function's logical id in template.yaml.
	Name   string
	Env    Env
	AWS    aws.Config
	Now    func() time.Time
	Logger *slog.Logger
	// MetricsOut receives embedded-metric-format lines (stdout in Lambda).
	MetricsOut io.Writer

	// Overrides, set by the offline stack and by tests. Nil means "build the
	// cloud adapter from Env".
	Store    store.Store
	Verifier httpapi.TokenVerifier
	// StreamMetrics reads IVS channel metrics for the stream health page;
	// offline, the local media plane's metrics (CloudWatch otherwise).
	StreamMetrics streams.MetricsReader

	mu         sync.Mutex
	ivs        *ivs.Client
	chat       *ivschat.Client
	realtime   *ivsrealtime.Client
	cognito    *cognito.Client
	s3         *s3.Client
	secrets    *secrets.Client
	cloudwatch *cloudwatch.Client
	metrics    *telemetry.Metrics
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Clock returns the time source handlers should use.
func (d *Deps) Clock() func() time.Time { return d.now }

// DB returns the store: the override, or DynamoDB on CHANNELS_TABLE and
// STREAMS_TABLE.
func (d *Deps) DB() (store.Store, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.Store != nil {
		return d.Store, nil
	}
	if err := d.Env.Required("CHANNELS_TABLE", "STREAMS_TABLE"); err != nil {
		return nil, err
	}
	d.Store = dynamo.New(d.AWS, dynamo.Tables{Channels: d.Env.String("CHANNELS_TABLE"), Streams: d.Env.String("STREAMS_TABLE")})
	return d.Store, nil
}

// TokenVerifier returns the verifier for routes where login is optional: the
// override, or the user pool's JWKS (USER_POOL_ID, USER_POOL_CLIENT_ID, and
// COGNITO_ISSUER when the issuer is not AWS's, as offline).
func (d *Deps) TokenVerifier() (httpapi.TokenVerifier, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.Verifier != nil {
		return d.Verifier, nil
	}
	if err := d.Env.Required("USER_POOL_ID", "USER_POOL_CLIENT_ID"); err != nil {
		return nil, err
	}
	issuer := d.Env.String("COGNITO_ISSUER")
	if issuer == "" {
		issuer = jwtauth.IssuerFor(d.AWS.Region, d.Env.String("USER_POOL_ID"))
	}
	d.Verifier = jwtauth.New(jwtauth.Config{Issuer: issuer, ClientID: d.Env.String("USER_POOL_CLIENT_ID"), Now: d.now})
	return d.Verifier, nil
}

// Metrics returns the EMF writer of this function.
func (d *Deps) Metrics() *telemetry.Metrics {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.metrics == nil && d.MetricsOut != nil {
		d.metrics = telemetry.NewMetrics(d.MetricsOut, d.Name, d.now)
	}
	return d.metrics
}

// IVS returns the IVS adapter.
func (d *Deps) IVS() *ivs.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ivs == nil {
		d.ivs = ivs.New(d.AWS)
	}
	return d.ivs
}

// Chat returns the IVS Chat adapter.
func (d *Deps) Chat() *ivschat.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.chat == nil {
		d.chat = ivschat.New(d.AWS)
	}
	return d.chat
}

// RealTime returns the IVS Real-Time adapter.
func (d *Deps) RealTime() *ivsrealtime.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.realtime == nil {
		d.realtime = ivsrealtime.New(d.AWS)
	}
	return d.realtime
}

// Cognito returns the user-pool adapter (USER_POOL_ID).
func (d *Deps) Cognito() (*cognito.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cognito == nil {
		if err := d.Env.Required("USER_POOL_ID"); err != nil {
			return nil, err
		}
		d.cognito = cognito.New(d.AWS, d.Env.String("USER_POOL_ID"))
	}
	return d.cognito, nil
}

// S3 returns the channel-assets bucket adapter (CHANNEL_ASSETS_BUCKET).
func (d *Deps) S3() (*s3.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.s3 == nil {
		if err := d.Env.Required("CHANNEL_ASSETS_BUCKET"); err != nil {
			return nil, err
		}
		d.s3 = s3.New(d.AWS, d.Env.String("CHANNEL_ASSETS_BUCKET"))
	}
	return d.s3, nil
}

// Secrets returns the Secrets Manager adapter.
func (d *Deps) Secrets() *secrets.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.secrets == nil {
		d.secrets = secrets.New(d.AWS)
	}
	return d.secrets
}

// CloudWatch returns the metrics-reading adapter.
func (d *Deps) CloudWatch() *cloudwatch.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cloudwatch == nil {
		d.cloudwatch = cloudwatch.New(d.AWS)
	}
	return d.cloudwatch
}

// MetricsReader returns the reader of IVS channel metrics: the override, or
// CloudWatch.
func (d *Deps) MetricsReader() streams.MetricsReader {
	d.mu.Lock()
	override := d.StreamMetrics
	d.mu.Unlock()
	if override != nil {
		return override
	}
	return d.CloudWatch()
}
