package dynamo

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/onair/onair/shared/onair"
)

// MaxDocumentSize is the largest document PutDocument accepts.
const MaxDocumentSize = 64 << 10

func docKey(sub, name string) item {
	return item{attrPK: str(prefixUser + sub), attrSK: str(prefixDoc + name)}
}

// GetDocument reads the document item.
func (s *Store) GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error) {
	it, err := s.get(ctx, s.tables.Channels, docKey(sub, name))
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, notFound("Document")
	}
	return json.RawMessage(stringAttr(it, attrDoc)), nil
}

// PutDocument writes the document item, replacing any previous one.
func (s *Store) PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error {
	if sub == "" || name == "" {
		return invalid("A document needs an owner and a name.")
	}
	if len(doc) > MaxDocumentSize {
		return onair.Errorf(onair.TooLarge, "", "The document is larger than %d KiB.", MaxDocumentSize>>10)
	}
	if !json.Valid(doc) {
		return invalid("The document is not valid JSON.")
	}
	it := docKey(sub, name)
	it[attrDoc] = str(string(doc))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.tables.Channels), Item: it})
	return mapErr("PutItem", err)
}

// DeleteDocuments queries the user's DOC# items and deletes them in batches.
func (s *Store) DeleteDocuments(ctx context.Context, sub string) error {
	if sub == "" {
		return invalid("A sub is required.")
	}
	items, err := s.query(ctx, partitionPrefixQuery(s.tables.Channels, prefixDoc, sub), 0)
	if err != nil {
		return err
	}
	return s.batchDelete(ctx, s.tables.Channels, keysOf(items, attrPK, attrSK))
}
