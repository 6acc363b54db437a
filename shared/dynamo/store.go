// Package dynamo is the DynamoDB adapter of the store contract (shared/store).
package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Tables names the two tables.
type Tables struct {
	Channels string // users, follows, bans, stages, documents
	Streams  string // stream sessions
}

// Store implements store.Store on DynamoDB.
type Store struct {
	db     *dynamodb.Client
	tables Tables
}

// New returns a store on the given tables.
func New(cfg aws.Config, tables Tables) *Store {
	return &Store{db: dynamodb.NewFromConfig(cfg), tables: tables}
}
