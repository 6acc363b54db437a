package streams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt"
	"github.com/onair/onair/shared/dynamo"
)

// dynamoEndpointEnv names the DynamoDB endpoint (moto_server) the property
// and concurrency tests also run against.
const dynamoEndpointEnv = "ONAIR_TEST_DYNAMODB_ENDPOINT"

// realStoreCases returns the store adapters the property and concurrency
// tests run against besides the in-memory fake: bbolt on a temporary file,
// and DynamoDB when an endpoint is given (required in CI).
func realStoreCases(t *testing.T) []storeCase {
	cases := []storeCase{{name: "bolt", runs: 8, open: openBolt}}
	endpoint := os.Getenv(dynamoEndpointEnv)
	if endpoint == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the stream event tests against moto_server", dynamoEndpointEnv)
		}
		t.Logf("%s is not set: skipping the DynamoDB runs (start `moto_server -H 127.0.0.1 -p 5055` and set %s=http://127.0.0.1:5055)", dynamoEndpointEnv, dynamoEndpointEnv)
		return cases
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
		}),
	}
	return append(cases, storeCase{name: "dynamodb", runs: 1, open: func(t *testing.T) eventStore { return openDynamo(t, cfg) }})
}

func openBolt(t *testing.T) eventStore {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "onair.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openDynamo creates uniquely named tables and deletes them when t ends.
func openDynamo(t *testing.T, cfg aws.Config) eventStore {
	t.Helper()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	tables := dynamo.Tables{Channels: "streams-test-channels-" + id, Streams: "streams-test-streams-" + id}
	s := dynamo.New(cfg, tables)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.CreateTables(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db := dynamodb.NewFromConfig(cfg)
		for _, name := range []string{tables.Channels, tables.Streams} {
			if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
				t.Logf("delete table %s: %v", name, err)
			}
		}
	})
	return s
}
