package samtemplate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: sample
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Origins:
    Type: CommaDelimitedList
    Default: "*"
  Retention:
    Type: Number
    Default: 7
    AllowedValues: [1, 7, 30]
  Secret:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Handler: bootstrap
    Timeout: 10
    MemorySize: 256
    Layers: [layerA]
    Environment:
      Variables:
        TABLE: !Ref Table
        LOG_LEVEL: !If [IsProd, info, debug]
  HttpApi:
    Auth:
      DefaultAuthorizer: Jwt
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Jwt:
            JwtConfiguration: {issuer: x, audience: [y]}
  OpenApi:
    Type: AWS::Serverless::HttpApi
    Properties: {}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        PreSignUp: !GetAtt Trigger.Arn
        CustomMessage: !GetAtt Trigger.Arn
        PostConfirmation: arn:aws:lambda:us-east-1:1:function:elsewhere
  Get:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties:
      CodeUri: .
      Timeout: 20
      Layers: [layerB]
      Environment:
        Variables:
          POOL: !Ref Pool
          LOG_LEVEL: warn
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: get, Path: "/things/{id}"}
        Post:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: POST, Path: /things, Auth: {Authorizer: NONE}}
        Open:
          Type: HttpApi
          Properties: {ApiId: !Ref OpenApi, Method: ANY, Path: "/files/{proxy+}"}
  Trigger:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Events:
        Rule:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [aws.ivs]
              detail-type: [IVS Stream State Change]
            RetryPolicy: {MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600}
            DeadLetterConfig: {Type: SQS}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Enabled: false}
        Later:
          Type: ScheduleV2
          Properties: {ScheduleExpression: !Ref Stage}
        Uploads:
          Type: S3
          Properties:
            Bucket: !Ref Bucket
            Events: s3:ObjectCreated:*
            Filter: {S3Key: {Rules: [{Name: suffix, Value: avatar}]}}
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Q.Arn, BatchSize: 5, FunctionResponseTypes: [ReportBatchItemFailures]}
        Signup:
          Type: Cognito
          Properties: {UserPool: !Ref Pool, Trigger: [PreAuthentication]}
  Bucket:
    Type: AWS::S3::Bucket
  Q:
    Type: AWS::SQS::Queue
    DependsOn: Bucket
    Condition: IsProd
Outputs:
  Url:
    Description: the url
    Value: !Sub https://${Api}.example.com
`

func parseSample(t *testing.T) *Template {
	t.Helper()
	tpl, err := Parse([]byte(sample))
	require.NoError(t, err)
	return tpl
}

func TestParseParameters(t *testing.T) {
	tpl := parseSample(t)
	assert.Equal(t, "sample", tpl.Description)
	assert.Equal(t, Parameter{Type: "String", Default: "dev", HasDefault: true, AllowedValues: []string{"dev", "prod"}}, tpl.Parameters["Stage"])
	assert.True(t, tpl.Parameters["Origins"].IsList())
	assert.Equal(t, []string{"1", "7", "30"}, tpl.Parameters["Retention"].AllowedValues)
	assert.Equal(t, "7", tpl.Parameters["Retention"].Default)
	assert.False(t, tpl.Parameters["Secret"].HasDefault)
}

func TestParseMergesGlobals(t *testing.T) {
	tpl := parseSample(t)
	get := tpl.Functions["Get"]
	assert.Equal(t, "Get", get.Name)
	assert.Equal(t, "provided.al2023", get.Runtime)
	assert.Equal(t, "bootstrap", get.Handler)
	assert.Equal(t, []string{"arm64"}, get.Architectures)
	assert.Equal(t, 20, get.Timeout, "the function's value wins")
	assert.Equal(t, 256, get.MemorySize, "from Globals")
	assert.Equal(t, []Value{"layerA", "layerB"}, get.Properties["Layers"], "lists concatenate, Globals first")
	assert.Equal(t, map[string]Value{
		"TABLE":     map[string]Value{"Ref": "Table"},
		"LOG_LEVEL": "warn",
		"POOL":      map[string]Value{"Ref": "Pool"},
	}, get.Environment, "maps merge; the function's keys win")
	assert.Equal(t, "makefile", get.Metadata["BuildMethod"])

	trig := tpl.Functions["Trigger"]
	assert.Equal(t, 10, trig.Timeout)
	assert.Equal(t, map[string]Value{"Fn::If": []Value{"IsProd", "info", "debug"}}, trig.Environment["LOG_LEVEL"])
	assert.Len(t, tpl.Functions, 2)
	assert.Equal(t, []string{"Get", "Trigger"}, tpl.FunctionNames())
}

func TestParseRoutes(t *testing.T) {
	tpl := parseSample(t)
	assert.Equal(t, []Route{
		{Function: "Get", Event: "Get", API: "Api", Method: "GET", Path: "/things/{id}", Auth: AuthJWT, Authorizer: "Jwt"},
		{Function: "Get", Event: "Open", API: "OpenApi", Method: "ANY", Path: "/files/{proxy+}", Auth: AuthJWT, Authorizer: "Jwt"},
		{Function: "Get", Event: "Post", API: "Api", Method: "POST", Path: "/things", Auth: AuthNone},
	}, tpl.Functions["Get"].Routes, "events in name order; the Globals default authorizer applies")
	assert.Equal(t, "GET /things/{id}", tpl.Functions["Get"].Routes[0].Pattern())
	assert.Equal(t, "/files/{proxy...}", tpl.Functions["Get"].Routes[1].Pattern())

	all := tpl.Routes()
	require.Len(t, all, 3)
	assert.Equal(t, "/files/{proxy+}", all[0].Path)
	assert.Equal(t, "/things", all[1].Path)
}

func TestParseRouteWithoutDefaultAuthorizerIsPublic(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  Api: {Type: AWS::Serverless::HttpApi}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /a}}
        B: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /b, Auth: {Authorizer: Mine}}}
        C: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /c, Auth: {Authorizer: AWS_IAM}}}
`))
	require.NoError(t, err)
	r := tpl.Functions["Fn"].Routes
	require.Len(t, r, 3)
	assert.Equal(t, AuthNone, r[0].Auth)
	assert.Equal(t, AuthJWT, r[1].Auth)
	assert.Equal(t, "Mine", r[1].Authorizer)
	assert.Equal(t, AuthIAM, r[2].Auth)
}

func TestParseEventSources(t *testing.T) {
	tpl := parseSample(t)
	f := tpl.Functions["Trigger"]
	three, six := 3, 600
	assert.Equal(t, []EventRule{{
		Name:               "Rule",
		Pattern:            map[string]Value{"source": []Value{"aws.ivs"}, "detail-type": []Value{"IVS Stream State Change"}},
		RetryAttempts:      &three,
		MaxEventAgeSeconds: &six,
		DeadLetter:         map[string]Value{"Type": "SQS"},
		Enabled:            true,
	}}, f.EventRules)
	assert.Equal(t, []Schedule{
		{Name: "Later", ExpressionValue: map[string]Value{"Ref": "Stage"}, Enabled: true},
		{Name: "Nightly", Expression: "rate(1 day)", ExpressionValue: "rate(1 day)", Enabled: false},
	}, f.Schedules)
	assert.Equal(t, []S3Event{{Name: "Uploads", Bucket: map[string]Value{"Ref": "Bucket"}, Events: []string{"s3:ObjectCreated:*"}, Suffix: "avatar"}}, f.S3Events)
	assert.Equal(t, []SQSEvent{{Name: "Queue", Queue: map[string]Value{"Fn::GetAtt": []Value{"Q", "Arn"}}, BatchSize: 5, ReportBatchItemFailures: true, Enabled: true}}, f.SQSEvents)
	assert.Equal(t, []string{"CustomMessage", "PreAuthentication", "PreSignUp"}, f.CognitoTriggers,
		"from the pool's LambdaConfig and from Cognito events; literal ARNs name no function")
	assert.Empty(t, tpl.Functions["Get"].CognitoTriggers)
}

func TestParseResourcesAndOutputs(t *testing.T) {
	tpl := parseSample(t)
	assert.Equal(t, "AWS::DynamoDB::Table", tpl.Resources["Table"].Type)
	assert.Equal(t, "AWS::Serverless::Function", tpl.Resources["Get"].Type)
	assert.Equal(t, []string{"Bucket"}, tpl.Resources["Q"].DependsOn)
	assert.Equal(t, "IsProd", tpl.Resources["Q"].Condition)
	assert.Equal(t, []string{"Api", "OpenApi"}, tpl.ResourcesOfType("AWS::Serverless::HttpApi"))
	assert.Equal(t, Output{Description: "the url", Value: map[string]Value{"Fn::Sub": "https://${Api}.example.com"}}, tpl.Outputs["Url"])
}

func TestParseShortAndLongFormsAgree(t *testing.T) {
	short, err := Parse([]byte(`
Resources:
  R:
    Type: X::Y
    Properties:
      a: !Ref P
      b: !GetAtt T.Arn
      c: !GetAtt Stack.Outputs.Name
      d: !Sub "${A}-x"
      e: !Join [",", [a, !Ref P]]
      f: !If [C, !Select [0, !Split [",", "x,y"]], !FindInMap [M, k, v]]
      g: !Not [!Equals [a, b]]
      h: !And [!Condition C, !Or [!Condition C, !Condition D]]
      i: !Base64 abc
      j: !GetAtt [T, Arn]
      k: !Sub ["${X}", {X: !Ref P}]
`))
	require.NoError(t, err)
	long, err := Parse([]byte(`
Resources:
  R:
    Type: X::Y
    Properties:
      a: {Ref: P}
      b: {"Fn::GetAtt": [T, Arn]}
      c: {"Fn::GetAtt": [Stack, Outputs.Name]}
      d: {"Fn::Sub": "${A}-x"}
      e: {"Fn::Join": [",", [a, {Ref: P}]]}
      f: {"Fn::If": [C, {"Fn::Select": [0, {"Fn::Split": [",", "x,y"]}]}, {"Fn::FindInMap": [M, k, v]}]}
      g: {"Fn::Not": [{"Fn::Equals": [a, b]}]}
      h: {"Fn::And": [{Condition: C}, {"Fn::Or": [{Condition: C}, {Condition: D}]}]}
      i: {"Fn::Base64": abc}
      j: {"Fn::GetAtt": [T, Arn]}
      k: {"Fn::Sub": ["${X}", {X: {Ref: P}}]}
`))
	require.NoError(t, err)
	assert.Equal(t, long.Resources["R"].Properties, short.Resources["R"].Properties)
}

func TestParseKeepsDatesAsText(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  R:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: {Version: 2012-10-17}
      Count: 3
      On: true
      Ratio: 1.5
      Nothing: null
`))
	require.NoError(t, err)
	p := tpl.Resources["R"].Properties
	assert.Equal(t, "2012-10-17", mapOf(p["PolicyDocument"])["Version"])
	assert.Equal(t, 3, p["Count"])
	assert.Equal(t, true, p["On"])
	assert.Equal(t, 1.5, p["Ratio"])
	assert.Nil(t, p["Nothing"])
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not yaml", "a: [", "template"},
		{"not a mapping", "- a", "not a mapping"},
		{"no resources", "Parameters: {}", "no Resources"},
		{"resource without type", "Resources: {R: {Properties: {}}}", "no Type"},
		{"unknown tag", "Resources: {R: {Type: X, Properties: {a: !Nope x}}}", "unknown tag !Nope"},
		{"GetAtt without attribute", "Resources: {R: {Type: X, Properties: {a: !GetAtt Res}}}", "Resource.Attribute"},
		{"parameter without type", "Parameters: {P: {Default: x}}\nResources: {}", "parameter P"},
		{"route without path", "Resources: {F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {Method: GET}}}}}}", "Method and Path"},
		{"relative path", "Resources: {F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {Method: GET, Path: x}}}}}}", "must start with /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseYAMLAnchorsAndMergeKeys(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  A:
    Type: X
    Properties: &props
      a: 1
      b: 2
  B:
    Type: X
    Properties:
      <<: *props
      b: 3
`))
	require.NoError(t, err)
	assert.Equal(t, map[string]Value{"a": 1, "b": 3}, tpl.Resources["B"].Properties)
}
