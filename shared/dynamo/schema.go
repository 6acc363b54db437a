package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/onair/onair/shared/awserr"
)

// Key attributes and index names. They are the table design shared with
// template.yaml: change them there too (a test compares the two).
const (
	attrPK             = "pk"
	attrSK             = "sk"
	attrUsernameLower  = "usernameLower"
	attrEmailLower     = "emailLower"
	attrChannelArn     = "channelArn"
	attrChannelAssetID = "channelAssetId"
	attrChatRoomArn    = "chatRoomArn"
	attrLiveShard      = "liveShard"
	attrLiveSince      = "liveSince"
	attrRef            = "ref"
	attrStageShard     = "stageShard"
	attrCreatedAt      = "createdAt"
	attrStreamID       = "streamId"
	attrStartTime      = "startTime"
	attrOpenSince      = "openSince"
	attrVersion        = "version"

	indexUsername   = "usernameIndex"
	indexEmail      = "emailIndex"
	indexChannelArn = "channelArnIndex"
	indexAsset      = "assetIndex"
	indexChatRoom   = "chatRoomArnIndex"
	indexLive       = "liveIndex"
	indexRef        = "refIndex"
	indexStage      = "stageIndex"
	indexStartTime  = "startTimeIndex"
	indexOpen       = "openIndex"
)

// Schema returns the definitions of the Channels and Streams tables, in that
// order, exactly as template.yaml declares them (on-demand billing, ALL
// projections). CreateTables uses it; tests compare it with the template.
func Schema(tables Tables) []dynamodb.CreateTableInput {
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	attr := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(hash, rng string) []types.KeySchemaElement {
		k := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
		if rng != "" {
			k = append(k, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
		}
		return k
	}
	gsi := func(name, hash, rng string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: key(hash, rng), Projection: all}
	}
	lsi := func(name, rng string) types.LocalSecondaryIndex {
		return types.LocalSecondaryIndex{IndexName: aws.String(name), KeySchema: key(attrChannelArn, rng), Projection: all}
	}
	return []dynamodb.CreateTableInput{
		{
			TableName:   aws.String(tables.Channels),
			BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				attr(attrPK), attr(attrSK), attr(attrUsernameLower), attr(attrEmailLower),
				attr(attrChannelArn), attr(attrChannelAssetID), attr(attrLiveShard), attr(attrLiveSince),
				attr(attrRef), attr(attrStageShard), attr(attrCreatedAt), attr(attrChatRoomArn),
			},
			KeySchema: key(attrPK, attrSK),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
				gsi(indexUsername, attrUsernameLower, ""),
				gsi(indexEmail, attrEmailLower, ""),
				gsi(indexChannelArn, attrChannelArn, ""),
				gsi(indexAsset, attrChannelAssetID, ""),
				gsi(indexLive, attrLiveShard, attrLiveSince),
				gsi(indexRef, attrRef, attrSK),
				gsi(indexStage, attrStageShard, attrCreatedAt),
				gsi(indexChatRoom, attrChatRoomArn, ""),
			},
		},
		{
			TableName:   aws.String(tables.Streams),
			BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				attr(attrChannelArn), attr(attrStreamID), attr(attrStartTime), attr(attrOpenSince),
			},
			KeySchema: key(attrChannelArn, attrStreamID),
			LocalSecondaryIndexes: []types.LocalSecondaryIndex{
				lsi(indexStartTime, attrStartTime),
				lsi(indexOpen, attrOpenSince),
			},
		},
	}
}

// CreateTables creates both tables (tables that already exist are left as
// they are) and waits until they are ACTIVE. The offline stack's DynamoDB mode
// and the tests use it; deployed stacks get their tables from template.yaml.
func (s *Store) CreateTables(ctx context.Context) error {
	for _, in := range Schema(s.tables) {
		_, err := s.db.CreateTable(ctx, &in)
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return awserr.Map("dynamodb:CreateTable", err)
		}
	}
	waiter := dynamodb.NewTableExistsWaiter(s.db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 5 * time.Second
	})
	for _, name := range []string{s.tables.Channels, s.tables.Streams} {
		if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", name, err)
		}
	}
	return nil
}
