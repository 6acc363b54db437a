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
// messages) each get their own value, with no read-modify-write.
func (s *Store) IncrementCounter(ctx context.Context, name string, expires time.Time) (int64, error) {
	if name == "" {
		return 0, invalid("A counter needs a name.")
	}
	if len(prefixCounter)+len(name) > maxPartitionKeyBytes {
		return 0, invalid("A counter name is longer than %d bytes.", maxPartitionKeyBytes-len(prefixCounter))
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.tables.Channels),
		Key:                      item{attrPK: str(prefixCounter + name), attrSK: str(skCounter)},
		UpdateExpression:         aws.String("ADD #n :one SET #e = :exp"),
		ExpressionAttributeNames: map[string]string{"#n": attrCount, "#e": AttrExpiresAt},
		ExpressionAttributeValues: item{
			":one": num(1),
			":exp": num(expires.Unix() + 1), // rounded up: kept at least until expires
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, mapErr("UpdateItem", err)
	}
	n, ok := out.Attributes[attrCount].(*types.AttributeValueMemberN)
	if !ok {
		return 0, mapErr("UpdateItem", errNoCount)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}

var errNoCount = errors.New("no count in the response")
