package dynamo_test

import (
	"testing"

	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/storetest"
)

// TestContract runs the store contract against moto_server (see
// dynamotest: skipped without ONAIR_TEST_DYNAMODB_ENDPOINT, failed in CI).
func TestContract(t *testing.T) {
	cfg, ok := dynamotest.Config(t)
	if !ok {
		t.Skip("no DynamoDB endpoint")
	}
	storetest.Run(t, func(t *testing.T) store.Store { return dynamotest.Open(t, cfg) })
}
