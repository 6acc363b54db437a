package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// fakeAPI lets a test script DynamoDB's answers, for what moto never does:
// leave batch items unprocessed, or make a writer lose every race.
type fakeAPI struct {
	mu             sync.Mutex
	getItem        func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	putItem        func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	query          func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error)
	batchGetItem   func(*dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error)
	batchWriteItem func(*dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error)
}

func (f *fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.getItem(in)
}

func (f *fakeAPI) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putItem(in)
}

func (f *fakeAPI) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	panic("unexpected DeleteItem")
}

func (f *fakeAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	panic("unexpected UpdateItem")
}

func (f *fakeAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.query(in)
}

func (f *fakeAPI) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.batchGetItem(in)
}

func (f *fakeAPI) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.batchWriteItem(in)
}

func (f *fakeAPI) CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	panic("unexpected CreateTable")
}

func (f *fakeAPI) DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	panic("unexpected DescribeTable")
}

// fastRetry keeps retry tests quick.
var fastRetry = retryPolicy{attempts: 4, base: time.Microsecond, max: time.Microsecond}

func fakeStore(f *fakeAPI) *Store {
	return &Store{db: f, tables: Tables{Channels: "channels", Streams: "streams"}, retry: fastRetry}
}

func mustUserItem(t *testing.T, u onair.User) item {
	t.Helper()
	it, err := userItem(u)
	require.NoError(t, err)
	return it
}

func ccf(current item) error {
	return &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: current}
}

func TestGetUsersRetriesUnprocessedKeys(t *testing.T) {
	stored := map[string]item{}
	for i := range 250 {
		u := onair.User{Sub: fmt.Sprintf("u%03d", i), Username: fmt.Sprintf("user%d", i)}
		stored[prefixUser+u.Sub] = mustUserItem(t, u)
	}
	calls := 0
	f := &fakeAPI{batchGetItem: func(in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		calls++
		keys := in.RequestItems["channels"].Keys
		require.LessOrEqual(t, len(keys), 100, "BatchGetItem takes at most 100 keys")
		seen := map[string]bool{}
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]item{}}
		// Like a throttled DynamoDB: answer 7 keys, hand the rest back.
		for i, k := range keys {
			pk := stringAttr(k, attrPK)
			require.False(t, seen[pk], "a key twice in one request")
			seen[pk] = true
			if i >= 7 {
				ka := out.UnprocessedKeys["channels"]
				ka.Keys = append(ka.Keys, k)
				if out.UnprocessedKeys == nil {
					out.UnprocessedKeys = map[string]types.KeysAndAttributes{}
				}
				out.UnprocessedKeys["channels"] = ka
				continue
			}
			if it, ok := stored[pk]; ok {
				out.Responses["channels"] = append(out.Responses["channels"], it)
			}
		}
		return out, nil
	}}
	s := fakeStore(f)
	s.retry.attempts = 100
	var subs []string
	for i := range 250 {
		subs = append(subs, fmt.Sprintf("u%03d", i), fmt.Sprintf("u%03d", i)) // repeated
	}
	subs = append(subs, "missing")
	users, err := s.GetUsers(t.Context(), subs)
	require.NoError(t, err)
	assert.Len(t, users, 250)
	got := map[string]bool{}
	for _, u := range users {
		got[u.Sub] = true
	}
	assert.Len(t, got, 250)
	assert.Greater(t, calls, 3)
}

func TestBatchGivesUpWhenAlwaysUnprocessed(t *testing.T) {
	calls := 0
	f := &fakeAPI{batchGetItem: func(in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		calls++
		return &dynamodb.BatchGetItemOutput{UnprocessedKeys: in.RequestItems}, nil
	}}
	_, err := fakeStore(f).GetUsers(t.Context(), []string{"a", "b"})
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
	assert.Equal(t, fastRetry.attempts, calls)
}

func TestDeleteDocumentsRetriesUnprocessedItems(t *testing.T) {
	var docs []item
	for i := range 60 {
		docs = append(docs, docKey("u1", fmt.Sprint("d", i)))
	}
	deleted := map[string]int{}
	f := &fakeAPI{
		query: func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
			// Two pages, as DynamoDB returns past 1 MB.
			if in.ExclusiveStartKey == nil {
				return &dynamodb.QueryOutput{Items: docs[:40], LastEvaluatedKey: docs[39]}, nil
			}
			assert.Equal(t, docs[39], in.ExclusiveStartKey)
			return &dynamodb.QueryOutput{Items: docs[40:]}, nil
		},
		batchWriteItem: func(in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
			reqs := in.RequestItems["channels"]
			require.LessOrEqual(t, len(reqs), 25, "BatchWriteItem takes at most 25 requests")
			n := min(len(reqs), 10)
			for _, r := range reqs[:n] {
				deleted[stringAttr(r.DeleteRequest.Key, attrSK)]++
			}
			out := &dynamodb.BatchWriteItemOutput{}
			if n < len(reqs) {
				out.UnprocessedItems = map[string][]types.WriteRequest{"channels": reqs[n:]}
			}
			return out, nil
		},
	}
	s := fakeStore(f)
	s.retry.attempts = 10
	require.NoError(t, s.DeleteDocuments(t.Context(), "u1"))
	assert.Len(t, deleted, 60)
	for sk, n := range deleted {
		assert.Equal(t, 1, n, sk)
	}
}

func TestUpdateReappliesFnToTheWinnersRecord(t *testing.T) {
	mine := onair.User{Sub: "u1", Color: "blue", Version: 1}
	theirs := onair.User{Sub: "u1", Color: "blue", Avatar: "cat", Version: 2}
	var puts []*dynamodb.PutItemInput
	f := &fakeAPI{
		getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: mustUserItem(t, mine)}, nil
		},
		putItem: func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
			puts = append(puts, in)
			if len(puts) == 1 {
				return nil, ccf(mustUserItem(t, theirs)) // another writer won
			}
			return &dynamodb.PutItemOutput{}, nil
		},
	}
	calls := 0
	got, err := fakeStore(f).UpdateUser(t.Context(), "u1", func(u *onair.User) error {
		calls++
		u.Color = "red"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls)
	require.Len(t, puts, 2)
	assert.Equal(t, types.ReturnValuesOnConditionCheckFailureAllOld, puts[0].ReturnValuesOnConditionCheckFailure)
	assert.Equal(t, "attribute_exists(#k) AND #v = :v", aws.ToString(puts[1].ConditionExpression))
	assert.Equal(t, num(2), puts[1].ExpressionAttributeValues[":v"], "conditioned on the winner's version")
	assert.Equal(t, onair.User{Sub: "u1", Color: "red", Avatar: "cat", Version: 3}, got, "both changes kept")
}

func TestUpdateGivesUpAfterBoundedConflicts(t *testing.T) {
	u := mustUserItem(t, onair.User{Sub: "u1", Version: 1})
	f := &fakeAPI{
		getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: u}, nil
		},
		putItem: func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) { return nil, ccf(u) },
	}
	calls := 0
	_, err := fakeStore(f).UpdateUser(t.Context(), "u1", func(*onair.User) error { calls++; return nil })
	assert.ErrorIs(t, err, onair.ErrConflict)
	assert.Equal(t, fastRetry.attempts, calls)
}

func TestUpdateStopsWhenContextEnds(t *testing.T) {
	u := mustUserItem(t, onair.User{Sub: "u1", Version: 1})
	ctx, cancel := context.WithCancel(t.Context())
	f := &fakeAPI{
		getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: u}, nil
		},
		putItem: func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
			cancel()
			return nil, ccf(u)
		},
	}
	s := fakeStore(f)
	s.retry = retryPolicy{attempts: 50, base: time.Hour, max: time.Hour}
	_, err := s.UpdateUser(ctx, "u1", func(*onair.User) error { return nil })
	assert.ErrorIs(t, err, context.Canceled)
}

func TestUpdateOfRecordDeletedMidRace(t *testing.T) {
	u := mustUserItem(t, onair.User{Sub: "u1", Version: 1})
	f := &fakeAPI{
		getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: u}, nil
		},
		putItem: func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) { return nil, ccf(nil) },
	}
	calls := 0
	_, err := fakeStore(f).UpdateUser(t.Context(), "u1", func(*onair.User) error { calls++; return nil })
	assert.ErrorIs(t, err, onair.ErrNotFound, "a user deleted in between is not recreated")
	assert.Equal(t, 1, calls)
}

func TestMapErr(t *testing.T) {
	tooBig := &smithy.GenericAPIError{Code: "ValidationException", Message: "Item size has exceeded the maximum allowed size"}
	assert.Equal(t, onair.TooLarge, onair.ErrorCode(mapErr("PutItem", tooBig)))
	other := &smithy.GenericAPIError{Code: "ValidationException", Message: "One or more parameter values were invalid"}
	assert.Equal(t, onair.Invalid, onair.ErrorCode(mapErr("PutItem", other)))
	throttle := &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException"}
	assert.Equal(t, onair.Throttled, onair.ErrorCode(mapErr("Query", throttle)))
	assert.NoError(t, mapErr("x", nil))
	assert.True(t, errors.Is(mapErr("GetItem", fmt.Errorf("send: %w", context.DeadlineExceeded)), context.DeadlineExceeded))
}

func TestSortableOrdersLikeTime(t *testing.T) {
	base := time.Date(2024, 5, 1, 12, 0, 5, 0, time.UTC)
	times := []time.Time{
		base,
		base.Add(500 * time.Millisecond),
		base.Add(time.Second),
		base.In(time.FixedZone("x", 3600)).Add(2 * time.Second),
	}
	for i := 1; i < len(times); i++ {
		assert.Less(t, sortable(times[i-1]), sortable(times[i]))
	}
	parsed, err := time.Parse(time.RFC3339Nano, sortable(times[1]))
	require.NoError(t, err)
	assert.True(t, parsed.Equal(times[1]))
}

// Event processing reads its own writes through the sessions table's local
// indexes; only a consistent read guarantees that.
func TestSessionIndexQueriesAreConsistent(t *testing.T) {
	var seen []*dynamodb.QueryInput
	f := &fakeAPI{query: func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
		seen = append(seen, in)
		return &dynamodb.QueryOutput{}, nil
	}}
	s := fakeStore(f)
	_, _, err := s.ListSessions(context.Background(), "arn:c", 10, "")
	require.NoError(t, err)
	_, err = s.ListOpenSessions(context.Background(), "arn:c")
	require.NoError(t, err)
	require.Len(t, seen, 2)
	for _, in := range seen {
		assert.True(t, aws.ToBool(in.ConsistentRead), aws.ToString(in.IndexName))
	}
}

// A lookup by a value no key can have answers "not found" without asking
// DynamoDB (whose validation message would otherwise reach the caller).
func TestUserLookupsWithImpossibleKeys(t *testing.T) {
	f := &fakeAPI{query: func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
		t.Fatal("no query expected")
		return nil, nil
	}}
	s := fakeStore(f)
	long := strings.Repeat("x", maxPartitionKeyBytes+1)
	for _, lookup := range []func(context.Context, string) (onair.User, error){
		s.GetUserByUsername, s.GetUserByEmail, s.GetUserByChannelArn, s.GetUserByAssetID,
	} {
		for _, v := range []string{"", long} {
			_, err := lookup(context.Background(), v)
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}
	}
}
