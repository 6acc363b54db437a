package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/storetest"
)

// endpointEnv names the DynamoDB endpoint the contract runs against
// (moto_server locally and in CI, e.g. http://127.0.0.1:5055).
const endpointEnv = "ONAIR_TEST_DYNAMODB_ENDPOINT"

// testEndpoint decides where the contract runs: the endpoint, or why not.
// Without an endpoint the run is skipped, except in CI, where a skipped
// contract run would look green without having checked anything.
func testEndpoint(getenv func(string) string) (endpoint string, skip, fatal string) {
	endpoint = getenv(endpointEnv)
	switch {
	case endpoint != "":
		return endpoint, "", ""
	case getenv("CI") != "":
		return "", "", endpointEnv + " is not set: CI must run the DynamoDB contract against moto_server"
	default:
		return "", "start `moto_server -H 127.0.0.1 -p 5055` and set " + endpointEnv + "=http://127.0.0.1:5055 to run the DynamoDB contract", ""
	}
}

// testConfig returns an AWS config for the test endpoint (see testEndpoint).
func testConfig(t *testing.T) aws.Config {
	t.Helper()
	endpoint, skip, fatal := testEndpoint(os.Getenv)
	if fatal != "" {
		t.Fatal(fatal)
	}
	if skip != "" {
		t.Skip(skip)
	}
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
		}),
	}
}

// serialClient sends one request at a time. moto_server (5.2.1) serves
// requests on threads and evaluates a ConditionExpression and then writes
// without a lock (moto/dynamodb/models/table.py put_item), so two concurrent
// conditional puts can both pass their check: a moto bug, since DynamoDB
// applies each conditional write atomically. Serializing requests restores
// that per-request atomicity; the stores' read-modify-write cycles still
// interleave between requests, so the concurrency tests still make
// conditional writes fail and exercise the retries.
type serialClient struct {
	mu     sync.Mutex
	client *http.Client
}

func (c *serialClient) Do(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// moto has handled the request completely once the response headers
	// arrive, so the lock need not cover reading the body.
	return c.client.Do(req)
}

// openStore creates uniquely named tables and deletes them when t ends.
func openStore(t *testing.T, cfg aws.Config) *Store {
	t.Helper()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	// Each store gets its own serialized client: moto's race is within a
	// table, and tests on different tables may run at once.
	cfg.HTTPClient = &serialClient{client: &http.Client{Timeout: 30 * time.Second}}
	s := New(cfg, Tables{Channels: "test-channels-" + id, Streams: "test-streams-" + id})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.CreateTables(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db := dynamodb.NewFromConfig(cfg)
		for _, name := range []string{s.tables.Channels, s.tables.Streams} {
			_, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			if err != nil {
				t.Logf("delete table %s: %v", name, err)
			}
		}
	})
	return s
}

func TestContract(t *testing.T) {
	cfg := testConfig(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openStore(t, cfg) })
}

func TestEndpointGate(t *testing.T) {
	cases := []struct {
		name            string
		env             map[string]string
		endpoint        string
		skipped, failed bool
	}{
		{"endpoint set", map[string]string{endpointEnv: "http://127.0.0.1:5055"}, "http://127.0.0.1:5055", false, false},
		{"endpoint set in CI", map[string]string{endpointEnv: "http://x", "CI": "true"}, "http://x", false, false},
		{"no endpoint locally skips", map[string]string{}, "", true, false},
		{"no endpoint in CI fails", map[string]string{"CI": "1"}, "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, skip, fatal := testEndpoint(func(k string) string { return tc.env[k] })
			assert.Equal(t, tc.endpoint, endpoint)
			assert.Equal(t, tc.skipped, skip != "")
			assert.Equal(t, tc.failed, fatal != "")
		})
	}
}
