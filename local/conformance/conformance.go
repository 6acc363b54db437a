// Package conformance holds what the emulators' conformance suites share.
//
// Each emulated AWS service has a suite in a subpackage
// (local/conformance/<service>) with a Run(t, Target) function, like
// shared/storetest for the store adapters: one set of behaviours that the
// offline emulator passes in `make test` and that real AWS passes when the
// same suite runs with `-tags awsconformance` and credentials. A suite only
// asserts what AWS documents and the app relies on, so a failure on either
// side is a divergence to fix (or a wrong assumption of the app).
//
// Every suite drives its service through the official aws-sdk-go-v2 client
// (or, for services whose client is not a dependency, a SigV4-signed request
// built here), and records each operation it calls in the Target's Recorder.
// The emulator tests then check that every operation the emulator serves was
// called, so "the emulators are checked" stays true as they grow.
package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Target is where a suite runs: the emulator or an AWS account.
type Target struct {
	// Name is "emulator" or "aws", for messages.
	Name string
	// Config sends SDK calls to the target. Its APIOptions record every
	// call in Recorder.
	Config aws.Config
	// Recorder collects the operations the suite called.
	Recorder *Recorder
	// Prefix starts the name of every resource the suite creates, so that a
	// run on a shared account can be told apart (and cleaned up by hand if
	// it is interrupted).
	Prefix string
	// Emulated is true for the offline emulator. Suites use it only to pick
	// a way in that AWS has no equivalent for (reading the emulator's
	// mailbox instead of an inbox), never to relax an assertion.
	Emulated bool
}

// Unique returns a new resource name: Prefix, kind and a random suffix,
// within [A-Za-z0-9-] (valid for every service's names).
func (t Target) Unique(kind string) string {
	return t.Prefix + "-" + kind + "-" + RandomString(8)
}

// RandomString returns n random lowercase letters and digits.
func RandomString(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

// Recorder records the operations a suite called, as "<ServiceID>/<Op>"
// (the SDK's service id, e.g. "ivs/CreateChannel", "IVS RealTime/GetStage").
// Safe for concurrent use.
type Recorder struct {
	mu  sync.Mutex
	ops map[string]bool
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{ops: map[string]bool{}} }

// Record notes that op ("<service>/<Op>") was called.
func (r *Recorder) Record(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops[op] = true
}

// Called lists the recorded operations, sorted.
func (r *Recorder) Called() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.ops))
	for op := range r.ops {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

// Instrument returns cfg with a middleware that records every SDK call.
func (r *Recorder) Instrument(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("conformanceRecorder",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				r.Record(awsmiddleware.GetServiceID(ctx) + "/" + awsmiddleware.GetOperationName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
	return cfg
}

// RequireCovered fails t for every served operation ("<service>/<Op>") the
// suite did not call: an emulator operation without a conformance case.
func RequireCovered(t *testing.T, r *Recorder, served []string) {
	t.Helper()
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		t.Logf("coverage of the emulator's operations not checked: -run %s selects part of the suite", f.Value.String())
		return
	}
	called := r.Called()
	var missing []string
	for _, op := range served {
		if !slices.Contains(called, op) {
			missing = append(missing, op)
		}
	}
	assert.Empty(t, missing, "the emulator serves operations that no conformance case calls; add cases for them (called: %s)", strings.Join(called, ", "))
}

// Qualify prefixes each operation name with its service id.
func Qualify(service string, ops []string) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = service + "/" + op
	}
	return out
}

// Emulator serves h on a loopback port until the test ends and returns a
// target whose SDK calls go there: region us-east-1, the offline stack's
// static credentials (local/local; requests are signed as in production),
// no retries (each call reaches the emulator once, as a test expects).
func Emulator(t testing.TB, h http.Handler) Target {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rec := NewRecorder()
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "conformance"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	return Target{Name: "emulator", Config: rec.Instrument(cfg), Recorder: rec,
		Prefix: "conf-" + RandomString(6), Emulated: true}
}

// Endpoint is the target's base URL for hand-made requests ("" on AWS,
// where the service's regional endpoint applies).
func (t Target) Endpoint() string { return aws.ToString(t.Config.BaseEndpoint) }

// RequireCode fails t unless err is an AWS API error with the given code
// (the error's __type / x-amzn-ErrorType, e.g. "ResourceNotFoundException").
func RequireCode(t testing.TB, err error, code string) {
	t.Helper()
	require.Error(t, err, "expected %s", code)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	assert.Equal(t, code, ae.ErrorCode(), "error: %v", err)
}

// Case is one named case of a service's suite.
type Case struct {
	Name string
	Run  func(t *testing.T)
}

// RunCases runs a suite's cases as parallel subtests: each case creates and
// deletes its own resources, so they never share state.
func RunCases(t *testing.T, cases []Case) {
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			tc.Run(t)
		})
	}
}
