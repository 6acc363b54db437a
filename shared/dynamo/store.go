// Package dynamo is the DynamoDB adapter of the store contract (shared/store).
//
// Layout (see docs/data-model.md and Schema): the Channels table holds user
// profiles, follow and ban edges, per-user documents and stages under pk/sk
// keys, with sparse GSIs for every lookup a request path needs; the Streams
// table holds stream sessions keyed by (channelArn, streamId) with two LSIs.
// Every request path is a key read, a Query or a BatchGet: there is no Scan.
//
// Records carry a version number and are written with conditional PutItem, so
// concurrent read-modify-write cycles never lose each other's changes; the
// loser re-reads and re-applies its change.
package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/onair/onair/shared/store"
)

// Tables names the two tables.
type Tables struct {
	Channels string // users, follows, bans, stages, documents
	Streams  string // stream sessions
}

// Store implements store.Store on DynamoDB.
type Store struct {
	db     api
	tables Tables
	retry  retryPolicy
}

var _ store.Store = (*Store)(nil)

// New returns a store on the given tables.
func New(cfg aws.Config, tables Tables) *Store {
	return &Store{db: dynamodb.NewFromConfig(cfg), tables: tables, retry: defaultRetry()}
}

// Open is a function's store in Lambda: the tables named by CHANNELS_TABLE
// and STREAMS_TABLE in its environment (app.Platform.Store takes it).
func Open(cfg aws.Config, getenv func(string) string) (store.Store, error) {
	t := Tables{Channels: strings.TrimSpace(getenv("CHANNELS_TABLE")), Streams: strings.TrimSpace(getenv("STREAMS_TABLE"))}
	var missing []string
	if t.Channels == "" {
		missing = append(missing, "CHANNELS_TABLE")
	}
	if t.Streams == "" {
		missing = append(missing, "STREAMS_TABLE")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing environment: %s", strings.Join(missing, ", "))
	}
	return New(cfg, t), nil
}

// api is the part of the DynamoDB client the store calls: a seam for tests
// that need DynamoDB to do what an emulator never does (leave batch items
// unprocessed, lose every race).
type api interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}
