// Package dynamotest runs tests against a DynamoDB emulator (moto_server):
// it reads the endpoint from ONAIR_TEST_DYNAMODB_ENDPOINT, creates uniquely
// named tables for each test and deletes them afterwards.
//
//	cfg, ok := dynamotest.Config(t)
//	if !ok {
//		t.Skip("no DynamoDB endpoint")
//	}
//	s := dynamotest.Open(t, cfg)
package dynamotest

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

	"github.com/onair/onair/shared/dynamo"
)

// EndpointEnv names the DynamoDB endpoint tests run against, e.g.
// http://127.0.0.1:5055 for `moto_server -H 127.0.0.1 -p 5055`.
const EndpointEnv = "ONAIR_TEST_DYNAMODB_ENDPOINT"

// Decide says where DynamoDB tests run: the endpoint, or a reason to skip,
// or a reason to fail. Without an endpoint tests are skipped, except in CI,
// where a skipped run would look green without having checked anything.
func Decide(getenv func(string) string) (endpoint, skip, fatal string) {
	endpoint = getenv(EndpointEnv)
	switch {
	case endpoint != "":
		return endpoint, "", ""
	case getenv("CI") != "":
		return "", "", EndpointEnv + " is not set: CI must run the DynamoDB tests against moto_server"
	default:
		return "", "start `moto_server -H 127.0.0.1 -p 5055` and set " + EndpointEnv + "=http://127.0.0.1:5055 to run the DynamoDB tests", ""
	}
}

// Config returns an AWS config for the test endpoint (static credentials
// test/test, us-east-1). ok is false when there is none outside CI (the
// reason is logged); in CI a missing endpoint fails t.
func Config(t testing.TB) (cfg aws.Config, ok bool) {
	t.Helper()
	endpoint, skip, fatal := Decide(os.Getenv)
	if fatal != "" {
		t.Fatal(fatal)
	}
	if skip != "" {
		t.Log(skip)
		return aws.Config{}, false
	}
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
		}),
	}, true
}

// Open creates uniquely named tables (dynamo.CreateTables) and returns a
// store on them that sends one request at a time; the tables are deleted
// when t ends.
//
// Why one request at a time: moto_server (5.2.1) serves requests on threads
// and evaluates a ConditionExpression and then writes without a lock
// (moto/dynamodb/models/table.py, put_item), so two concurrent conditional
// puts can both pass their check. That is a moto bug: DynamoDB applies each
// conditional write atomically. Serializing requests restores per-request
// atomicity, while the stores' read-modify-write cycles still interleave
// between requests, so concurrency tests still see conditional writes fail.
// Each store has its own lock: moto's race is within a table.
func Open(t testing.TB, cfg aws.Config) *dynamo.Store {
	t.Helper()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	tables := dynamo.Tables{Channels: "test-channels-" + id, Streams: "test-streams-" + id}
	cfg.HTTPClient = &serialClient{client: &http.Client{Timeout: 30 * time.Second}}
	s := dynamo.New(cfg, tables)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateTables(ctx); err != nil {
		t.Fatalf("create tables: %v", err)
	}
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

// serialClient sends one request at a time.
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
