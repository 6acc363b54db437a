package dynamo_test

import (
	"testing"

	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/storetest"
)

// TestContract runs the store contract against moto_server (see
// dynamotest: started when on PATH, skipped without it, failed in CI).
func TestContract(t *testing.T) {
	cfg := dynamotest.Config(t)
	storetest.Run(t, func(t *testing.T) store.Store { return dynamotest.Open(t, cfg) })
}
