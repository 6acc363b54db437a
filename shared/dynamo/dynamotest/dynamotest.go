// Package dynamotest runs tests against a DynamoDB emulator: the endpoint
// in ONAIR_TEST_DYNAMODB_ENDPOINT, or a moto_server it starts itself when one
// is on PATH. It creates uniquely named tables for each test and deletes
// them afterwards. Without either, tests are skipped with the reason (a
// visible --- SKIP), and failed in CI.
//
//	cfg := dynamotest.Config(t)
//	s := dynamotest.Open(t, cfg)
package dynamotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
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

// MotoServer is the emulator started when EndpointEnv is not set.
const MotoServer = "moto_server"

// Decide says where DynamoDB tests run: the endpoint given, or a
// moto_server to start (haveMoto: it is on PATH), or a reason to skip, or a
// reason to fail. Without either tests are skipped, except in CI, where a
// skipped run would look green without having checked anything.
func Decide(getenv func(string) string, haveMoto bool) (endpoint string, startMoto bool, skip, fatal string) {
	endpoint = getenv(EndpointEnv)
	switch {
	case endpoint != "":
		return endpoint, false, "", ""
	case haveMoto:
		return "", true, "", ""
	case getenv("CI") != "":
		return "", false, "", EndpointEnv + " is not set and moto_server is not on PATH: CI must run the DynamoDB tests"
	default:
		return "", false, "no DynamoDB to test against: put moto_server on PATH (pip install 'moto[server]') or set " + EndpointEnv, ""
	}
}

// Config returns an AWS config for DynamoDB tests (static credentials
// test/test, us-east-1), or skips t with the reason (fails it in CI).
func Config(t testing.TB) aws.Config {
	t.Helper()
	cfg, skip := Endpoint(t)
	if skip != "" {
		t.Skip(skip)
	}
	return cfg
}

// Endpoint is Config for callers that skip only part of a test: it returns
// the reason to skip instead of skipping t. A moto_server it starts is
// stopped when t ends.
func Endpoint(t testing.TB) (cfg aws.Config, skip string) {
	t.Helper()
	_, err := exec.LookPath(MotoServer)
	endpoint, start, skip, fatal := Decide(os.Getenv, err == nil)
	if fatal != "" {
		t.Fatal(fatal)
	}
	if skip != "" {
		return aws.Config{}, skip
	}
	if start {
		endpoint = startMoto(t)
	}
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
		}),
	}, ""
}

// startMoto runs moto_server on a free port until t ends and returns its
// endpoint once it answers.
func startMoto(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port for moto_server: %v", err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	var logs bytes.Buffer
	cmd := exec.Command(MotoServer, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	endpoint := "http://127.0.0.1:" + port
	client := &http.Client{Timeout: time.Second}
	// moto answers in about half a second; allow 60 s on a loaded machine.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			t.Fatalf("moto_server exited:\n%s", logs.String())
		default:
		}
		if resp, err := client.Get(endpoint + "/moto-api/"); err == nil {
			_ = resp.Body.Close()
			return endpoint
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("moto_server did not answer on %s within 60 s", endpoint)
	return ""
}

// Open creates uniquely named tables (dynamo.CreateTables) and returns a
// store on them that sends one request at a time; the tables are deleted
// when t ends. A cfg.HTTPClient the caller set (a test's fault injector)
// sends the requests; by default a plain client does.
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
	var client aws.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	if cfg.HTTPClient != nil {
		client = cfg.HTTPClient
	}
	cfg.HTTPClient = &serialClient{client: client}
	s := dynamo.New(cfg, tables)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateTables(ctx); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.HTTPClient = &http.Client{Timeout: 30 * time.Second} })
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
	client aws.HTTPClient
}

func (c *serialClient) Do(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// moto has handled the request completely once the response headers
	// arrive, so the lock need not cover reading the body.
	return c.client.Do(req)
}
