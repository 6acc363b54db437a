package dynamo

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// cfnTable is the part of an AWS::DynamoDB::Table that Schema defines.
type cfnTable struct {
	Type       string `yaml:"Type"`
	Properties struct {
		BillingMode            string     `yaml:"BillingMode"`
		AttributeDefinitions   []cfnAttr  `yaml:"AttributeDefinitions"`
		KeySchema              []cfnKey   `yaml:"KeySchema"`
		GlobalSecondaryIndexes []cfnIndex `yaml:"GlobalSecondaryIndexes"`
		LocalSecondaryIndexes  []cfnIndex `yaml:"LocalSecondaryIndexes"`
	} `yaml:"Properties"`
}

type cfnAttr struct {
	AttributeName string `yaml:"AttributeName"`
	AttributeType string `yaml:"AttributeType"`
}

type cfnKey struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

type cfnIndex struct {
	IndexName  string   `yaml:"IndexName"`
	KeySchema  []cfnKey `yaml:"KeySchema"`
	Projection struct {
		ProjectionType string `yaml:"ProjectionType"`
	} `yaml:"Projection"`
}

func keysOfSchema(ks []types.KeySchemaElement) []cfnKey {
	var out []cfnKey
	for _, k := range ks {
		out = append(out, cfnKey{aws.ToString(k.AttributeName), string(k.KeyType)})
	}
	return out
}

// TestSchemaMatchesTemplate keeps CreateTables (tests, offline DynamoDB
// mode) and the deployed tables in template.yaml the same.
func TestSchemaMatchesTemplate(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	require.NoError(t, err)
	var doc struct {
		Resources map[string]yaml.Node `yaml:"Resources"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))

	schema := Schema(Tables{Channels: "c", Streams: "s"})
	for i, logicalID := range []string{"ChannelsTable", "StreamsTable"} {
		t.Run(logicalID, func(t *testing.T) {
			node, ok := doc.Resources[logicalID]
			require.True(t, ok, "template.yaml has %s", logicalID)
			var tmpl cfnTable
			require.NoError(t, node.Decode(&tmpl))
			assert.Equal(t, "AWS::DynamoDB::Table", tmpl.Type)

			want := cfnTable{Type: tmpl.Type}
			in := schema[i]
			want.Properties.BillingMode = string(in.BillingMode)
			for _, a := range in.AttributeDefinitions {
				want.Properties.AttributeDefinitions = append(want.Properties.AttributeDefinitions, cfnAttr{aws.ToString(a.AttributeName), string(a.AttributeType)})
			}
			want.Properties.KeySchema = keysOfSchema(in.KeySchema)
			for _, g := range in.GlobalSecondaryIndexes {
				ix := cfnIndex{IndexName: aws.ToString(g.IndexName), KeySchema: keysOfSchema(g.KeySchema)}
				ix.Projection.ProjectionType = string(g.Projection.ProjectionType)
				want.Properties.GlobalSecondaryIndexes = append(want.Properties.GlobalSecondaryIndexes, ix)
			}
			for _, l := range in.LocalSecondaryIndexes {
				ix := cfnIndex{IndexName: aws.ToString(l.IndexName), KeySchema: keysOfSchema(l.KeySchema)}
				ix.Projection.ProjectionType = string(l.Projection.ProjectionType)
				want.Properties.LocalSecondaryIndexes = append(want.Properties.LocalSecondaryIndexes, ix)
			}
			// Order of definitions and indexes carries no meaning.
			for _, tb := range []*cfnTable{&want, &tmpl} {
				p := &tb.Properties
				sort.Slice(p.AttributeDefinitions, func(i, j int) bool {
					return p.AttributeDefinitions[i].AttributeName < p.AttributeDefinitions[j].AttributeName
				})
				for _, ixs := range [][]cfnIndex{p.GlobalSecondaryIndexes, p.LocalSecondaryIndexes} {
					sort.Slice(ixs, func(i, j int) bool { return ixs[i].IndexName < ixs[j].IndexName })
				}
			}
			assert.Equal(t, want, tmpl)
		})
	}
}

func TestSchemaIndexesAreSparseKeys(t *testing.T) {
	// Every index key attribute is declared, and each declared attribute
	// is a key of the table or of an index (CloudFormation rejects others).
	for _, in := range Schema(Tables{Channels: "c", Streams: "s"}) {
		declared := map[string]bool{}
		for _, a := range in.AttributeDefinitions {
			declared[aws.ToString(a.AttributeName)] = true
		}
		used := map[string]bool{}
		var all [][]types.KeySchemaElement
		all = append(all, in.KeySchema)
		for _, g := range in.GlobalSecondaryIndexes {
			all = append(all, g.KeySchema)
		}
		for _, l := range in.LocalSecondaryIndexes {
			all = append(all, l.KeySchema)
		}
		for _, ks := range all {
			for _, k := range ks {
				used[aws.ToString(k.AttributeName)] = true
			}
		}
		assert.Equal(t, declared, used, aws.ToString(in.TableName))
	}
}
