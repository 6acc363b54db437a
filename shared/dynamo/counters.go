package dynamo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Counter items: (COUNTER#<name>, COUNTER) with the count n and expiresAt,
// the table's TTL attribute (epoch seconds; template.yaml's
// TimeToLiveSpecification), so DynamoDB deletes them after they expire.
const (
	prefixCounter = "COUNTER#"
	skCounter     = "COUNTER"
	attrCount     = "n"
	// AttrExpiresAt is the Channels table's TTL attribute.
	AttrExpiresAt = "expiresAt"
)

// IncrementCounter is one UpdateItem: ADD is atomic on the server, so
// concurrent increments (several Lambda instances reviewing one user's
// messages) each get their own value, with no read-modify-write. Each
// increment also writes its own token (attrWriteToken) on the condition that
// the item does not hold it yet: when the SDK retries an increment whose
// answer was lost, the retry finds its token and answers the count the
// first attempt left instead of adding again. (An increment by someone else
// landing between the lost answer and the retry replaces the token; the
// retry then counts again, erring on the strict side for that one window.)
func (s *Store) IncrementCounter(ctx context.Context, name string, expires time.Time) (int64, error) {
	if name == "" {
		return 0, invalid("A counter needs a name.")
	}
	if len(prefixCounter)+len(name) > maxPartitionKeyBytes {
		return 0, invalid("A counter name is longer than %d bytes.", maxPartitionKeyBytes-len(prefixCounter))
	}
	token := newWriteToken()
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.tables.Channels),
		Key:                      item{attrPK: str(prefixCounter + name), attrSK: str(skCounter)},
		UpdateExpression:         aws.String("ADD #n :one SET #e = :exp, #w = :token"),
		ConditionExpression:      aws.String("attribute_not_exists(#w) OR #w <> :token"),
		ExpressionAttributeNames: map[string]string{"#n": attrCount, "#e": AttrExpiresAt, "#w": attrWriteToken},
		ExpressionAttributeValues: item{
			":one":   num(1),
			":exp":   num(expires.Unix() + 1), // rounded up: kept at least until expires
			":token": str(token),
		},
		ReturnValues:                        types.ReturnValueUpdatedNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && wroteIt(ccf.Item, token):
		return count(ccf.Item)
	case err != nil:
		return 0, mapErr("UpdateItem", err)
	}
	return count(out.Attributes)
}

func count(it item) (int64, error) {
	n, ok := it[attrCount].(*types.AttributeValueMemberN)
	if !ok {
		return 0, mapErr("UpdateItem", errNoCount)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}

var errNoCount = errors.New("no count in the response")
