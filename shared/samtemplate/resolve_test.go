package samtemplate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testResolver() Resolver {
	return Resolver{
		Params: map[string]string{"Stage": "prod", "Origins": "https://a.example, https://b.example", "Empty": ""},
		Refs:   map[string]string{"Table": "stack-Table", "Pool": "us-east-1_abc"},
		Attrs:  map[string]string{"Table.Arn": "arn:aws:dynamodb:us-east-1:1:table/stack-Table", "Stack.Outputs.Name": "out"},
		Pseudo: DefaultPseudo("stack", "eu-west-1", "123456789012"),
		Conditions: map[string]Value{
			"IsProd":  map[string]Value{"Fn::Equals": []Value{map[string]Value{"Ref": "Stage"}, "prod"}},
			"IsDev":   map[string]Value{"Fn::Not": []Value{map[string]Value{"Condition": "IsProd"}}},
			"Cycle":   map[string]Value{"Condition": "Cycle"},
			"NotBool": "maybe",
		},
		Mappings: map[string]Value{
			"Sizes": map[string]Value{"prod": map[string]Value{"memory": 512, "zones": []Value{"a", "b"}}},
		},
		ListParams: map[string]bool{"Origins": true},
	}
}

func ref(n string) Value { return map[string]Value{"Ref": n} }

func fn(name string, arg Value) Value { return map[string]Value{name: arg} }

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"literal", "x", "x"},
		{"number", 7, "7"},
		{"float", 1.5, "1.5"},
		{"bool", true, "true"},
		{"null", nil, ""},
		{"ref parameter", ref("Stage"), "prod"},
		{"ref empty parameter", ref("Empty"), ""},
		{"ref resource", ref("Table"), "stack-Table"},
		{"ref pseudo region", ref("AWS::Region"), "eu-west-1"},
		{"ref pseudo account", ref("AWS::AccountId"), "123456789012"},
		{"ref pseudo stack", ref("AWS::StackName"), "stack"},
		{"ref pseudo partition", ref("AWS::Partition"), "aws"},
		{"ref pseudo url suffix", ref("AWS::URLSuffix"), "amazonaws.com"},
		{"getatt", fn("Fn::GetAtt", []Value{"Table", "Arn"}), "arn:aws:dynamodb:us-east-1:1:table/stack-Table"},
		{"getatt nested attribute", fn("Fn::GetAtt", []Value{"Stack", "Outputs.Name"}), "out"},
		{"getatt with intrinsic attribute", fn("Fn::GetAtt", []Value{"Table", fn("Fn::Sub", "Arn")}), "arn:aws:dynamodb:us-east-1:1:table/stack-Table"},
		{"sub refs", fn("Fn::Sub", "${AWS::StackName}-${Stage}/${Table}"), "stack-prod/stack-Table"},
		{"sub getatt", fn("Fn::Sub", "${Table.Arn}/index/*"), "arn:aws:dynamodb:us-east-1:1:table/stack-Table/index/*"},
		{"sub literal escape", fn("Fn::Sub", "${!Literal}-${Stage}"), "${Literal}-prod"},
		{"sub variables", fn("Fn::Sub", []Value{"${A}.${Stage}", map[string]Value{"A": ref("Pool")}}), "us-east-1_abc.prod"},
		{"sub no vars", fn("Fn::Sub", "plain"), "plain"},
		{"join", fn("Fn::Join", []Value{"-", []Value{"a", ref("Stage"), 3}}), "a-prod-3"},
		{"join list parameter", fn("Fn::Join", []Value{"|", ref("Origins")}), "https://a.example|https://b.example"},
		{"join skips NoValue", fn("Fn::Join", []Value{",", []Value{"a", ref("AWS::NoValue"), "b"}}), "a,b"},
		{"select", fn("Fn::Select", []Value{1, []Value{"a", "b"}}), "b"},
		{"select string index", fn("Fn::Select", []Value{"0", ref("Origins")}), "https://a.example"},
		{"select split", fn("Fn::Select", []Value{2, fn("Fn::Split", []Value{"/", "a/b/c"})}), "c"},
		{"if true", fn("Fn::If", []Value{"IsProd", "info", "debug"}), "info"},
		{"if false", fn("Fn::If", []Value{"IsDev", "debug", ref("Stage")}), "prod"},
		{"equals", fn("Fn::Equals", []Value{ref("Stage"), "prod"}), "true"},
		{"not", fn("Fn::Not", []Value{fn("Fn::Equals", []Value{"a", "a"})}), "false"},
		{"and", fn("Fn::And", []Value{fn("Condition", "IsProd"), fn("Fn::Equals", []Value{"x", "x"})}), "true"},
		{"and false", fn("Fn::And", []Value{fn("Condition", "IsProd"), fn("Condition", "IsDev")}), "false"},
		{"or", fn("Fn::Or", []Value{fn("Condition", "IsDev"), fn("Condition", "IsProd")}), "true"},
		{"or false", fn("Fn::Or", []Value{fn("Condition", "IsDev"), fn("Fn::Equals", []Value{"a", "b"})}), "false"},
		{"condition", fn("Condition", "IsDev"), "false"},
		{"findinmap", fn("Fn::FindInMap", []Value{"Sizes", ref("Stage"), "memory"}), "512"},
		{"base64", fn("Fn::Base64", "hi"), "aGk="},
	}
	r := testResolver()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.v, r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"unknown ref", ref("Nope"), "unresolved reference Nope"},
		{"unknown pseudo", ref("AWS::Nope"), "pseudo parameter AWS::Nope"},
		{"unknown attribute", fn("Fn::GetAtt", []Value{"Table", "StreamArn"}), "unresolved attribute Table.StreamArn"},
		{"sub unknown", fn("Fn::Sub", "${Nope}"), "unresolved reference Nope"},
		{"sub unclosed", fn("Fn::Sub", "${Stage"), "unclosed"},
		{"sub list value", fn("Fn::Sub", "${Origins}"), "a list where a string is needed"},
		{"list where string", ref("Origins"), "a list where a string is needed"},
		{"select out of range", fn("Fn::Select", []Value{5, []Value{"a"}}), "out of range"},
		{"select bad index", fn("Fn::Select", []Value{"x", []Value{"a"}}), "not a number"},
		{"if unknown condition", fn("Fn::If", []Value{"Nope", "a", "b"}), "no condition"},
		{"condition cycle", fn("Condition", "Cycle"), "nested too deeply"},
		{"condition not boolean", fn("Condition", "NotBool"), "not a condition"},
		{"findinmap missing", fn("Fn::FindInMap", []Value{"Sizes", "dev", "memory"}), "no key"},
		{"findinmap unknown map", fn("Fn::FindInMap", []Value{"Nope", "dev", "memory"}), "no mapping"},
		{"findinmap list", fn("Fn::FindInMap", []Value{"Sizes", "prod", "zones"}), "a list"},
		{"unsupported", fn("Fn::GetAZs", ""), "not supported"},
		{"plain map", map[string]Value{"a": 1, "b": 2}, "not a value"},
		{"join bad shape", fn("Fn::Join", "x"), "needs"},
		{"equals bad arity", fn("Fn::Equals", []Value{"a"}), "needs 2"},
		{"no value", ref("AWS::NoValue"), "AWS::NoValue"},
	}
	r := testResolver()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(tt.v, r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := Resolve(ref("AWS::NoValue"), r)
	assert.ErrorIs(t, err, ErrNoValue)
}

func TestResolveList(t *testing.T) {
	r := testResolver()
	tests := []struct {
		name string
		v    Value
		want []string
	}{
		{"list parameter", ref("Origins"), []string{"https://a.example", "https://b.example"}},
		{"literal list", []Value{"a", ref("Stage")}, []string{"a", "prod"}},
		{"split", fn("Fn::Split", []Value{",", "x,y,,z"}), []string{"x", "y", "", "z"}},
		{"single string", "solo", []string{"solo"}},
		{"mapping list", fn("Fn::FindInMap", []Value{"Sizes", "prod", "zones"}), []string{"a", "b"}},
		{"if list", fn("Fn::If", []Value{"IsProd", []Value{"p"}, ref("Origins")}), []string{"p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveList(tt.v, r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestResolveDeep(t *testing.T) {
	r := testResolver()
	got, err := ResolveDeep(map[string]Value{
		"source":  []Value{"aws.ivs"},
		"table":   ref("Table"),
		"maybe":   fn("Fn::If", []Value{"IsDev", "x", ref("AWS::NoValue")}),
		"count":   3,
		"nested":  map[string]Value{"arn": fn("Fn::GetAtt", []Value{"Table", "Arn"}), "gone": ref("AWS::NoValue")},
		"origins": ref("Origins"),
	}, r)
	require.NoError(t, err)
	assert.Equal(t, map[string]Value{
		"source":  []Value{"aws.ivs"},
		"table":   "stack-Table",
		"count":   3,
		"nested":  map[string]Value{"arn": "arn:aws:dynamodb:us-east-1:1:table/stack-Table"},
		"origins": []Value{"https://a.example", "https://b.example"},
	}, got)

	_, err = ResolveDeep(map[string]Value{"a": ref("Nope")}, r)
	assert.ErrorContains(t, err, "a: ")

	// Fn::If choosing between mappings resolves the chosen one deeply.
	for _, stage := range []string{"prod", "dev"} {
		r.Params = map[string]string{"Stage": stage, "Origins": "https://a.example, https://b.example"}
		got, err = ResolveDeep(map[string]Value{"cors": fn("Fn::If", []Value{"IsProd",
			map[string]Value{"origins": []Value{fn("Fn::Sub", "https://${Table}")}},
			map[string]Value{"origins": ref("Origins"), "gone": ref("AWS::NoValue")},
		})}, r)
		require.NoError(t, err, stage)
		want := map[string]Value{"origins": []Value{"https://stack-Table"}}
		if stage == "dev" {
			want = map[string]Value{"origins": []Value{"https://a.example", "https://b.example"}}
		}
		assert.Equal(t, map[string]Value{"cors": want}, got, stage)
	}
}

func TestResolverCondition(t *testing.T) {
	r := testResolver()
	prod, err := r.Condition("IsProd")
	require.NoError(t, err)
	assert.True(t, prod)
	r.Params = map[string]string{"Stage": "dev"}
	prod, err = r.Condition("IsProd")
	require.NoError(t, err)
	assert.False(t, prod)
}

func TestDefaultPseudoPartitions(t *testing.T) {
	assert.Equal(t, "aws-cn", DefaultPseudo("s", "cn-north-1", "1")["AWS::Partition"])
	assert.Equal(t, "amazonaws.com.cn", DefaultPseudo("s", "cn-north-1", "1")["AWS::URLSuffix"])
	assert.Equal(t, "aws-us-gov", DefaultPseudo("s", "us-gov-west-1", "1")["AWS::Partition"])
	assert.Equal(t, "aws", DefaultPseudo("s", "eu-west-1", "1")["AWS::Partition"])
}

func TestTemplateEnv(t *testing.T) {
	tpl := parseSample(t)
	params, err := tpl.ParameterValues(map[string]string{"Secret": "s", "Stage": "prod"})
	require.NoError(t, err)
	refs, attrs := tpl.Placeholders("onair-test", "us-east-1", "000000000000")
	r := Resolver{Params: params, Refs: refs, Attrs: attrs, Pseudo: DefaultPseudo("onair-test", "us-east-1", "000000000000")}

	env, err := tpl.Env("Trigger", r)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"TABLE": "onair-test-Table", "LOG_LEVEL": "info"}, env, "conditions come from the template")

	env, err = tpl.Env("Get", r)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"TABLE": "onair-test-Table", "LOG_LEVEL": "warn", "POOL": "us-east-1_Pool"}, env)

	_, err = tpl.Env("Nope", r)
	assert.ErrorContains(t, err, `no function "Nope"`)

	r.Refs = nil
	_, err = tpl.Env("Get", r)
	assert.ErrorContains(t, err, "unresolved reference Table")
}

func TestTemplateEnvDropsNoValue(t *testing.T) {
	tpl, err := Parse([]byte(`
Conditions:
  Never: !Equals [a, b]
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          KEPT: x
          DROPPED: !If [Never, y, !Ref AWS::NoValue]
`))
	require.NoError(t, err)
	env, err := tpl.Env("F", tpl.Resolver(nil, nil))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"KEPT": "x"}, env)
}

func TestPlaceholders(t *testing.T) {
	tpl := parseSample(t)
	refs, attrs := tpl.Placeholders("st", "eu-west-1", "111122223333")
	assert.Equal(t, "st-Table", refs["Table"])
	assert.Equal(t, "arn:aws:dynamodb:eu-west-1:111122223333:table/st-Table", attrs["Table.Arn"])
	assert.Equal(t, "eu-west-1_Pool", refs["Pool"])
	assert.Equal(t, "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Pool", attrs["Pool.Arn"])
	assert.Equal(t, "arn:aws:lambda:eu-west-1:111122223333:function:st-Get", attrs["Get.Arn"])
	assert.Equal(t, "st-bucket", refs["Bucket"])
	assert.Equal(t, "arn:aws:s3:::st-bucket", attrs["Bucket.Arn"])
	assert.Equal(t, "https://sqs.eu-west-1.amazonaws.com/111122223333/st-Q", refs["Q"])
	assert.Equal(t, "arn:aws:sqs:eu-west-1:111122223333:st-Q", attrs["Q.Arn"])
	assert.Equal(t, "api", refs["Api"])
}
