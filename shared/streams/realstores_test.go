package streams

import (
	"testing"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/dynamo/dynamotest"
)

// realStoreCases returns the store adapters the property and concurrency
// tests run against besides the in-memory fake: bbolt on a temporary file,
// and DynamoDB on moto_server (dynamotest: started when on PATH, required in
// CI; without it the dynamodb subtest is skipped with the reason).
func realStoreCases(t *testing.T) []storeCase {
	cases := []storeCase{{name: "bolt", runs: 8, open: openBolt}}
	cfg, skip := dynamotest.Endpoint(t)
	return append(cases, storeCase{name: "dynamodb", runs: 1, open: func(t *testing.T) eventStore {
		if skip != "" {
			t.Skip(skip)
		}
		return dynamotest.Open(t, cfg)
	}})
}

func openBolt(t *testing.T) eventStore {
	t.Helper()
	s := bolttest.New(t)
	return s
}
