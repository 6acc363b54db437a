package iam

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/samtemplate"
)

const channels = "arn:aws:ivs:us-east-1:111122223333:channel/*"

// A policy in the template's style: scoped by ARN pattern and tag.
const policyYAML = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Runtime: provided.al2023
      CodeUri: .
      Policies:
        - Statement:
            - Effect: Allow
              Action: [ivs:CreateChannel, ivs:TagResource]
              Resource:
                - !Sub arn:${AWS::Partition}:ivs:${AWS::Region}:${AWS::AccountId}:channel/*
                - !Sub arn:${AWS::Partition}:ivs:${AWS::Region}:${AWS::AccountId}:stream-key/*
              Condition:
                StringEquals:
                  aws:RequestTag/project: !Ref AWS::StackName
            - Effect: Allow
              Action: [ivs:GetChannel, ivs:DeleteChannel]
              Resource: !Sub arn:${AWS::Partition}:ivs:${AWS::Region}:${AWS::AccountId}:channel/*
              Condition:
                StringEquals:
                  aws:ResourceTag/project: !Ref AWS::StackName
            - Effect: Allow
              Action: [ivs:ListChannels]
              Resource: "*"
            - Effect: Deny
              Action: [ivs:DeleteChannel]
              Resource: !Sub arn:${AWS::Partition}:ivs:${AWS::Region}:${AWS::AccountId}:channel/keep
`

func parsePolicy(t *testing.T) Policy {
	t.Helper()
	tmpl, err := samtemplate.Parse([]byte(policyYAML))
	require.NoError(t, err)
	r := tmpl.Resolver(map[string]string{}, samtemplate.DefaultPseudo("dev", "us-east-1", "111122223333"))
	ps, err := FunctionPolicies(tmpl, r)
	require.NoError(t, err)
	require.Contains(t, ps, "Fn")
	return ps["Fn"]
}

func TestEvaluate(t *testing.T) {
	p := parsePolicy(t)
	own := map[string][]string{"aws:ResourceTag/project": {"dev"}}
	tests := []struct {
		name string
		req  Request
		want bool
	}{
		{"create with the stack's tag", Request{Action: "ivs:CreateChannel", Resource: channels,
			Context: map[string][]string{"aws:RequestTag/project": {"dev"}}}, true},
		{"create with another stack's tag", Request{Action: "ivs:CreateChannel", Resource: channels,
			Context: map[string][]string{"aws:RequestTag/project": {"prod"}}}, false},
		{"create untagged", Request{Action: "ivs:CreateChannel", Resource: channels}, false},
		{"action names are case-insensitive", Request{Action: "IVS:createchannel", Resource: channels,
			Context: map[string][]string{"aws:requesttag/PROJECT": {"dev"}}}, true},
		{"own channel", Request{Action: "ivs:DeleteChannel", Resource: "arn:aws:ivs:us-east-1:111122223333:channel/abc", Context: own}, true},
		{"another stack's channel", Request{Action: "ivs:DeleteChannel", Resource: "arn:aws:ivs:us-east-1:111122223333:channel/abc",
			Context: map[string][]string{"aws:ResourceTag/project": {"prod"}}}, false},
		{"untagged channel", Request{Action: "ivs:GetChannel", Resource: "arn:aws:ivs:us-east-1:111122223333:channel/abc"}, false},
		{"another region", Request{Action: "ivs:GetChannel", Resource: "arn:aws:ivs:eu-west-1:111122223333:channel/abc", Context: own}, false},
		{"explicit deny wins", Request{Action: "ivs:DeleteChannel", Resource: "arn:aws:ivs:us-east-1:111122223333:channel/keep", Context: own}, false},
		{"unscoped list", Request{Action: "ivs:ListChannels", Resource: "*"}, true},
		{"action not granted", Request{Action: "ivs:StopStream", Resource: "arn:aws:ivs:us-east-1:111122223333:channel/abc", Context: own}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(tt.req)
			assert.Equal(t, tt.want, d.Allowed, d.Reason)
			if !tt.want {
				assert.NotEmpty(t, d.Reason)
			}
		})
	}
}

func TestOperators(t *testing.T) {
	tests := []struct {
		op      string
		have    []string
		present bool
		want    []string
		match   bool
	}{
		{"StringEquals", []string{"a"}, true, []string{"b", "a"}, true},
		{"StringEquals", nil, false, []string{"a"}, false},
		{"StringEqualsIfExists", nil, false, []string{"a"}, true},
		{"StringNotEquals", nil, false, []string{"a"}, true},
		{"StringNotEquals", []string{"a"}, true, []string{"a"}, false},
		{"StringLike", []string{"arn:x:room/1"}, true, []string{"arn:x:room/*"}, true},
		{"StringEqualsIgnoreCase", []string{"DEV"}, true, []string{"dev"}, true},
		{"ForAllValues:StringEquals", []string{"project", "onair:owner"}, true, []string{"project", "onair:owner", "createdAt"}, true},
		{"ForAllValues:StringEquals", []string{"project", "other"}, true, []string{"project"}, false},
		{"ForAllValues:StringEquals", nil, false, []string{"project"}, true},
		{"ForAnyValue:StringEquals", []string{"x", "project"}, true, []string{"project"}, true},
		{"ForAnyValue:StringEquals", nil, false, []string{"project"}, false},
		{"Null", nil, false, []string{"true"}, true},
		{"Null", []string{"v"}, true, []string{"true"}, false},
		{"Bool", []string{"false"}, true, []string{"false"}, true},
	}
	for _, tt := range tests {
		m, ok := operator(tt.op)
		require.True(t, ok, tt.op)
		assert.Equal(t, tt.match, m(tt.have, tt.present, tt.want), "%s %v %v", tt.op, tt.have, tt.want)
	}
	_, ok := operator("NumericLessThan")
	assert.False(t, ok, "an operator the evaluator does not know is refused, not ignored")
}

func TestGlob(t *testing.T) {
	assert.True(t, glob("arn:aws:s3:::b/*/avatar", "arn:aws:s3:::b/u1/avatar"))
	assert.False(t, glob("arn:aws:s3:::b/*/avatar", "arn:aws:s3:::b/u1/banner"))
	assert.True(t, glob("*", "anything"))
	assert.True(t, glob("a?c", "abc"))
	assert.False(t, glob("a?c", "ac"))
	assert.True(t, glob("arn:*:channel/*", "arn:aws:ivs:r:1:channel/*"))
}

func TestUnreadablePoliciesAreErrors(t *testing.T) {
	for name, yaml := range map[string]string{
		"policy template": "Policies:\n        - DynamoDBCrudPolicy: {TableName: t}\n",
		"managed policy":  "Policies: [AmazonS3FullAccess]\n",
		"NotAction":       "Policies:\n        - Statement:\n            - {Effect: Allow, NotAction: [s3:*], Resource: '*'}\n",
		"operator":        "Policies:\n        - Statement:\n            - {Effect: Allow, Action: [s3:GetObject], Resource: '*', Condition: {NumericLessThan: {s3:max-keys: 10}}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			tmpl, err := samtemplate.Parse([]byte("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: bootstrap\n      " + yaml))
			require.NoError(t, err)
			_, err = FunctionPolicies(tmpl, tmpl.Resolver(map[string]string{}, nil))
			assert.Error(t, err)
		})
	}
}

// fakeAWS answers every call with an empty JSON object.
func fakeAWS(t *testing.T) aws.Config {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.Header.Get("Content-Type"), "xml") || r.URL.Query().Has("delete") {
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, `<DeleteResult></DeleteResult>`)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{},
		Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
}

// TestRecorder drives real SDK clients and checks the IAM requests recorded
// for them: the resource each authorizes, the tags, the actions named
// differently from the operation.
func TestRecorder(t *testing.T) {
	tags := map[string]map[string]string{"arn:aws:ivs:us-east-1:111122223333:channel/abc": {"project": "dev"}}
	rec := NewRecorder("us-east-1", "111122223333", func(arn string) map[string]string { return tags[arn] })
	cfg := fakeAWS(t)
	rec.Install("Fn", &cfg)
	ctx := context.Background()

	_, _ = sdkivs.NewFromConfig(cfg).CreateChannel(ctx, &sdkivs.CreateChannelInput{Tags: map[string]string{"project": "dev"}})
	_, _ = sdkivs.NewFromConfig(cfg).StopStream(ctx, &sdkivs.StopStreamInput{ChannelArn: aws.String("arn:aws:ivs:us-east-1:111122223333:channel/abc")})
	_, _ = sdkivs.NewFromConfig(cfg).ListChannels(ctx, &sdkivs.ListChannelsInput{})
	_, _ = sdkchat.NewFromConfig(cfg).DisconnectUser(ctx, &sdkchat.DisconnectUserInput{RoomIdentifier: aws.String("RoOm1"), UserId: aws.String("u")})
	_, _ = dynamodb.NewFromConfig(cfg).Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t"), IndexName: aws.String("i")})
	_, _ = dynamodb.NewFromConfig(cfg).BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
		"t": {Keys: []map[string]ddbtypes.AttributeValue{{"pk": &ddbtypes.AttributeValueMemberS{Value: "x"}}}}}})
	_, _ = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("b"),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("k1")}, {Key: aws.String("k2"), VersionId: aws.String("v")}}}})
	_, _ = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("b")})

	var got []string
	for _, c := range rec.Calls() {
		assert.Empty(t, c.Err)
		assert.Equal(t, "Fn", c.Function)
		for _, r := range c.Requests {
			got = append(got, r.String())
		}
	}
	assert.Equal(t, []string{
		"ivs:CreateChannel on arn:aws:ivs:us-east-1:111122223333:channel/* (aws:RequestTag/project=dev aws:TagKeys=project)",
		"ivs:TagResource on arn:aws:ivs:us-east-1:111122223333:channel/* (aws:RequestTag/project=dev aws:TagKeys=project)",
		"ivs:CreateChannel on arn:aws:ivs:us-east-1:111122223333:stream-key/* (aws:RequestTag/project=dev aws:TagKeys=project)",
		"ivs:TagResource on arn:aws:ivs:us-east-1:111122223333:stream-key/* (aws:RequestTag/project=dev aws:TagKeys=project)",
		"ivs:StopStream on arn:aws:ivs:us-east-1:111122223333:channel/abc (aws:ResourceTag/project=dev)",
		"ivs:ListChannels on *",
		"ivschat:DisconnectUser on arn:aws:ivschat:us-east-1:111122223333:room/RoOm1",
		"dynamodb:Query on arn:aws:dynamodb:us-east-1:111122223333:table/t/index/i",
		"dynamodb:BatchGetItem on arn:aws:dynamodb:us-east-1:111122223333:table/t",
		"s3:DeleteObject on arn:aws:s3:::b/k1",
		"s3:DeleteObjectVersion on arn:aws:s3:::b/k2",
		"s3:ListBucketVersions on arn:aws:s3:::b",
	}, got)
}

// TestCheckCatchesARemovedPermission: the policy allows what was recorded;
// without any one of the actions used, Check names the function, the
// operation and the missing permission.
func TestCheckCatchesARemovedPermission(t *testing.T) {
	p := parsePolicy(t)
	tags := map[string]map[string]string{"arn:aws:ivs:us-east-1:111122223333:channel/abc": {"project": "dev"}}
	rec := NewRecorder("us-east-1", "111122223333", func(arn string) map[string]string { return tags[arn] })
	cfg := fakeAWS(t)
	rec.Install("Fn", &cfg)
	ctx := context.Background()
	client := sdkivs.NewFromConfig(cfg)
	_, _ = client.CreateChannel(ctx, &sdkivs.CreateChannelInput{Tags: map[string]string{"project": "dev"}})
	_, _ = client.GetChannel(ctx, &sdkivs.GetChannelInput{Arn: aws.String("arn:aws:ivs:us-east-1:111122223333:channel/abc")})
	_, _ = client.ListChannels(ctx, &sdkivs.ListChannelsInput{})

	assert.Empty(t, Check(map[string]Policy{"Fn": p}, rec.Calls()))
	used := Used(rec.Calls())["Fn"]
	assert.Equal(t, []string{"ivs:CreateChannel", "ivs:GetChannel", "ivs:ListChannels", "ivs:TagResource"}, used)
	for _, action := range used {
		v := Check(map[string]Policy{"Fn": p.Without(action)}, rec.Calls())
		require.NotEmpty(t, v, "without %s", action)
		assert.Contains(t, v[0].String(), "Fn: ")
		assert.Contains(t, v[0].String(), "needs "+action)
	}

	// Another stack's channel: the tag condition refuses it.
	tags["arn:aws:ivs:us-east-1:111122223333:channel/abc"] = map[string]string{"project": "prod"}
	rec2 := NewRecorder("us-east-1", "111122223333", func(arn string) map[string]string { return tags[arn] })
	cfg2 := fakeAWS(t)
	rec2.Install("Fn", &cfg2)
	_, _ = sdkivs.NewFromConfig(cfg2).GetChannel(ctx, &sdkivs.GetChannelInput{Arn: aws.String("arn:aws:ivs:us-east-1:111122223333:channel/abc")})
	v := Check(map[string]Policy{"Fn": p}, rec2.Calls())
	require.Len(t, v, 1)
	assert.Contains(t, v[0].String(), "Fn: ivs GetChannel needs ivs:GetChannel on arn:aws:ivs:us-east-1:111122223333:channel/abc")
	assert.Contains(t, v[0].String(), "aws:ResourceTag/project [dev], the request has prod")

	// A function without a policy, and a service without a mapping.
	v = Check(map[string]Policy{}, []Call{{Function: "Other", Service: "ivs", Operation: "GetChannel"}, {Function: "Fn", Service: "Kinesis", Err: "no IAM mapping"}})
	require.Len(t, v, 2)
	assert.Contains(t, v[0].String(), "no policy")
	assert.Contains(t, v[1].String(), "no IAM mapping")
}
