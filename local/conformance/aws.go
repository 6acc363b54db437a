//go:build awsconformance

package conformance

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// AWS returns a target for the AWS account of the environment's credentials
// (AWS_PROFILE, AWS_ACCESS_KEY_ID/…, SSO; region from AWS_REGION, default
// us-east-1) and skips the test, saying why, when there are none. Built only
// with -tags awsconformance: `make test` and CI never reach AWS.
func AWS(t *testing.T) Target {
	t.Helper()
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion(region),
		// Throttling is part of what the suites check (PutMetadata's 5 TPS):
		// a retry would hide it.
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }))
	if err != nil {
		t.Skipf("no AWS configuration: %v", err)
	}
	if _, err := cfg.Credentials.Retrieve(t.Context()); err != nil {
		t.Skipf("no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): %v", err)
	}
	rec := NewRecorder()
	return Target{Name: "aws", Config: rec.Instrument(cfg), Recorder: rec, Prefix: "onair-conformance-" + RandomString(6)}
}
