package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/wait"
)

// retryPolicy bounds retries of conditional writes and of unprocessed batch
// items: at most attempts tries, with "full jitter" exponential backoff from
// base, capped at max.
type retryPolicy struct {
	attempts  int
	base, max time.Duration
}

// defaultRetry: a conditional write loses only when another writer changed
// the record in between, so a few attempts are normally enough; the bound is
// generous so that bursts (many events of one session at once) still
// converge, and the jitter spreads the writers out.
func defaultRetry() retryPolicy {
	return retryPolicy{attempts: 50, base: 2 * time.Millisecond, max: 100 * time.Millisecond}
}

// Batch limits of BatchGetItem and BatchWriteItem.
const (
	batchGetSize   = 100
	batchWriteSize = 25
)

// backoff sleeps before retry n (n ≥ 1), cut short by ctx.
func (p retryPolicy) backoff(ctx context.Context, n int) error {
	d := p.max
	if n < 16 {
		d = min(p.max, p.base<<n)
	}
	return wait.Sleep(ctx, time.Duration(rand.Int64N(int64(d))+1))
}

func busy(op string, attempts int, err error) error {
	return onair.Wrap(onair.Conflict, "ConflictException", "The record is busy; try again.",
		fmt.Errorf("dynamodb:%s: gave up after %d conditional write failures: %w", op, attempts, err))
}

func throttled(op string, attempts int) error {
	return onair.Wrap(onair.Throttled, "TooManyRequestsException", "Too many requests; try again shortly.",
		fmt.Errorf("dynamodb:%s: items still unprocessed after %d attempts", op, attempts))
}

func (s *Store) get(ctx context.Context, table string, key item) (item, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            key,
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, mapErr("GetItem", err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// attrWriteToken names a random token that every conditional write stores
// in its item. Why: the SDK retries a PutItem whose answer was lost (a
// timeout, a 5xx, a reset connection) although the first attempt may have
// been applied; the retry then fails its own condition against the item its
// first attempt wrote. Finding its own token in the item that failed the
// condition tells a writer "this was me", so a create is not reported as a
// conflict and an update is not applied twice. The decoders ignore it.
const attrWriteToken = "writeToken"

// newWriteToken returns a token no other write uses.
func newWriteToken() string { return strconv.FormatUint(rand.Uint64(), 36) }

// stamp returns a copy of it carrying a new write token, and the token.
func stamp(it item) (item, string) {
	token := newWriteToken()
	out := make(item, len(it)+1)
	maps.Copy(out, it)
	out[attrWriteToken] = &types.AttributeValueMemberS{Value: token}
	return out, token
}

// wroteIt reports whether current, the item that failed a write's
// condition, is that write's own earlier attempt.
func wroteIt(current item, token string) bool {
	s, ok := current[attrWriteToken].(*types.AttributeValueMemberS)
	return ok && s.Value == token
}

// putIfAbsent writes it unless an item with its key exists; created is false
// if one did.
func (s *Store) putIfAbsent(ctx context.Context, table, hashKey string, it item) (created bool, err error) {
	it, token := stamp(it)
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(table),
		Item:                                it,
		ConditionExpression:                 aws.String("attribute_not_exists(#k)"),
		ExpressionAttributeNames:            map[string]string{"#k": hashKey},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return wroteIt(ccf.Item, token), nil
	}
	if err != nil {
		return false, mapErr("PutItem", err)
	}
	return true, nil
}

// deleteKey deletes the item at key; deleted is false if there was none.
func (s *Store) deleteKey(ctx context.Context, table string, key item) (deleted bool, err error) {
	out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:    aws.String(table),
		Key:          key,
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return false, mapErr("DeleteItem", err)
	}
	return len(out.Attributes) > 0, nil
}

// query returns the items of in, following pages until there are no more or
// max items were read (max ≤ 0: no bound).
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, max int) ([]item, error) {
	var items []item
	for {
		if max > 0 {
			in.Limit = aws.Int32(int32(min(max-len(items), math.MaxInt32)))
		}
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, mapErr("Query", err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 || (max > 0 && len(items) >= max) {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// batchGet reads keys from table, 100 at a time, retrying unprocessed keys.
func (s *Store) batchGet(ctx context.Context, table string, keys []item) ([]item, error) {
	var items []item
	for start := 0; start < len(keys); start += batchGetSize {
		pending := map[string]types.KeysAndAttributes{
			table: {Keys: keys[start:min(start+batchGetSize, len(keys))]},
		}
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > 1 {
				if attempt > s.retry.attempts {
					return nil, throttled("BatchGetItem", s.retry.attempts)
				}
				if err := s.retry.backoff(ctx, attempt-1); err != nil {
					return nil, err
				}
			}
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, mapErr("BatchGetItem", err)
			}
			items = append(items, out.Responses[table]...)
			pending = out.UnprocessedKeys
		}
	}
	return items, nil
}

// batchDelete deletes keys from table, 25 at a time, retrying unprocessed
// requests.
func (s *Store) batchDelete(ctx context.Context, table string, keys []item) error {
	for start := 0; start < len(keys); start += batchWriteSize {
		var reqs []types.WriteRequest
		for _, k := range keys[start:min(start+batchWriteSize, len(keys))] {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}})
		}
		pending := map[string][]types.WriteRequest{table: reqs}
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > 1 {
				if attempt > s.retry.attempts {
					return throttled("BatchWriteItem", s.retry.attempts)
				}
				if err := s.retry.backoff(ctx, attempt-1); err != nil {
					return err
				}
			}
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return mapErr("BatchWriteItem", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// keysOf returns the primary keys of items.
func keysOf(items []item, attrs ...string) []item {
	keys := make([]item, 0, len(items))
	for _, it := range items {
		k := item{}
		for _, a := range attrs {
			k[a] = it[a]
		}
		keys = append(keys, k)
	}
	return keys
}

// queryShard queries a sparse index whose hash key is the one constant
// value shard of attr, newest (highest range key) first, for up to limit
// items.
func (s *Store) queryShard(ctx context.Context, index, attr, shard string, limit int) ([]item, error) {
	return s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.tables.Channels),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#k = :v"),
		ExpressionAttributeNames:  map[string]string{"#k": attr},
		ExpressionAttributeValues: item{":v": str(shard)},
		ScanIndexForward:          aws.Bool(false),
	}, limit)
}

// decodeAll decodes items in order; the first error stops it.
func decodeAll[T any](items []item, decode func(item) (T, error)) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, it := range items {
		v, err := decode(it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// record describes a versioned record type to update.
type record[T any] struct {
	op      string
	table   string
	key     item
	hashKey string // attribute that exists on every item of the table
	// fresh, when set, is the record fn sees if none exists (UpdateSession
	// creates); when nil a missing record is missing().
	fresh   func() T
	missing func() error
	decode  func(item) (T, error)
	encode  func(T) (item, error)
	version func(*T) *int64
	// sameKey rejects an fn that changed the record's key.
	sameKey func(T) error
}

// update is the optimistic read-modify-write cycle behind every Update*:
// read the record consistently, apply fn to a private copy, and write it back
// only if its version is still the one read (or, when creating, only if it
// still does not exist). When another writer got there first the condition
// fails, DynamoDB returns the record as that writer left it, and fn is
// re-applied to it, so no update is lost.
func update[T any](ctx context.Context, s *Store, r record[T], fn func(*T) error) (T, error) {
	var zero T
	it, err := s.get(ctx, r.table, r.key)
	if err != nil {
		return zero, err
	}
	var lastConflict error
	for attempt := 1; attempt <= s.retry.attempts; attempt++ {
		if attempt > 1 {
			if err := s.retry.backoff(ctx, attempt-1); err != nil {
				return zero, err
			}
		}
		var cur, next T
		switch {
		case it != nil:
			if cur, err = r.decode(it); err != nil {
				return zero, err
			}
			// A second decode, not a copy: fn may change maps and slices
			// in place, and cur must stay what is stored.
			if next, err = r.decode(it); err != nil {
				return zero, err
			}
		case r.fresh != nil:
			cur, next = r.fresh(), r.fresh()
		default:
			return zero, r.missing()
		}
		if err := fn(&next); err != nil {
			if errors.Is(err, onair.ErrUnchanged) {
				return cur, nil
			}
			return zero, err
		}
		if err := r.sameKey(next); err != nil {
			return zero, err
		}
		old := *r.version(&cur)
		*r.version(&next) = old + 1
		out, err := r.encode(next)
		if err != nil {
			return zero, err
		}
		out, token := stamp(out)
		in := &dynamodb.PutItemInput{
			TableName:                aws.String(r.table),
			Item:                     out,
			ExpressionAttributeNames: map[string]string{"#k": r.hashKey, "#v": attrVersion},
			// A failed condition returns the record as it now is, so the
			// next attempt needs no read of its own.
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}
		if it == nil {
			in.ConditionExpression = aws.String("attribute_not_exists(#k)")
			in.ExpressionAttributeNames = map[string]string{"#k": r.hashKey}
		} else {
			in.ConditionExpression = aws.String("attribute_exists(#k) AND #v = :v")
			in.ExpressionAttributeValues = item{":v": num(old)}
		}
		_, err = s.db.PutItem(ctx, in)
		if err == nil {
			// Return what a read would return, not fn's in-memory value.
			return r.decode(out)
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return zero, mapErr("PutItem", err)
		}
		if wroteIt(ccf.Item, token) {
			return r.decode(out)
		}
		lastConflict = err
		it = nil // deleted in between: missing() or created afresh
		if len(ccf.Item) > 0 {
			it = ccf.Item
		}
	}
	return zero, busy(r.op, s.retry.attempts, lastConflict)
}
