package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testTemplate declares the test function (testdata/fn).
const testTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Secret: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 2
    MemorySize: 256
    LoggingConfig: {LogFormat: JSON}
    Environment:
      Variables:
        TABLE: !Ref Table
        PROJECT_TAG: !Ref AWS::StackName
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          LEVEL: !If [IsProd, info, debug]
          TABLE_ARN: !GetAtt Table.Arn
          SECRET: !Ref Secret
          INIT_MODE: ""
  Unbuildable:
    Type: AWS::Serverless::Function
    Properties: {}
`

var (
	fnOnce sync.Once
	fnBin  string
	fnErr  error
)

// testFunction builds testdata/fn once per test binary.
func testFunction(t *testing.T) string {
	t.Helper()
	fnOnce.Do(func() {
		dir, err := os.MkdirTemp("", "invoke-fn-")
		if err != nil {
			fnErr = err
			return
		}
		fnBin = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", fnBin, "./testdata/fn")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fnErr = err
			t.Log(string(out))
		}
	})
	require.NoError(t, fnErr)
	return fnBin
}

func testOptions(t *testing.T, event string) Options {
	t.Helper()
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	require.NoError(t, os.WriteFile(tpl, []byte(testTemplate), 0o600))
	return Options{
		Root:               dir,
		Function:           "Fn",
		Event:              []byte(event),
		Binary:             testFunction(t),
		ParameterOverrides: map[string]string{"Secret": "s3cret"},
		Stack:              "st",
		Region:             "eu-west-1",
		Account:            "111122223333",
		Logs:               &bytes.Buffer{},
		HostEnv:            []string{"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5055", "AWS_MAX_ATTEMPTS=1", "SECRET_OF_HOST=x", "PATH=/usr/bin"},
	}
}

type fnReply struct {
	RequestID   string            `json:"requestId"`
	FunctionArn string            `json:"functionArn"`
	DeadlineIn  int64             `json:"deadlineInMs"`
	TraceID     string            `json:"traceId"`
	Env         map[string]string `json:"env"`
}

func TestRunSuccess(t *testing.T) {
	o := testOptions(t, `{"op":"echo"}`)
	res, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.Nil(t, res.Err)

	var got fnReply
	require.NoError(t, json.Unmarshal(res.Payload, &got))
	assert.Equal(t, res.RequestID, got.RequestID)
	assert.Equal(t, "arn:aws:lambda:eu-west-1:111122223333:function:st-Fn", got.FunctionArn)
	assert.InDelta(t, 2000, got.DeadlineIn, 500, "the deadline is the function's Timeout")
	assert.Contains(t, got.TraceID, "Sampled=0")

	env := got.Env
	assert.Equal(t, "st-Table", env["TABLE"], "Globals environment, resources as placeholders")
	assert.Equal(t, "arn:aws:dynamodb:eu-west-1:111122223333:table/st-Table", env["TABLE_ARN"])
	assert.Equal(t, "st", env["PROJECT_TAG"])
	assert.Equal(t, "debug", env["LEVEL"], "conditions from parameter defaults")
	assert.Equal(t, "s3cret", env["SECRET"])
	assert.Equal(t, "st-Fn", env["AWS_LAMBDA_FUNCTION_NAME"])
	assert.Equal(t, "256", env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
	assert.Equal(t, "eu-west-1", env["AWS_REGION"])
	assert.Equal(t, "bootstrap", env["_HANDLER"])
	assert.Equal(t, "JSON", env["AWS_LAMBDA_LOG_FORMAT"])
	assert.NotEmpty(t, env["AWS_LAMBDA_RUNTIME_API"])
	assert.Equal(t, "AKIDTEST", env["AWS_ACCESS_KEY_ID"], "host credentials pass through")
	assert.Equal(t, "http://127.0.0.1:5055", env["AWS_ENDPOINT_URL_DYNAMODB"], "endpoint overrides pass through")
	assert.Equal(t, "1", env["AWS_MAX_ATTEMPTS"], "SDK retry settings pass through")
	assert.NotContains(t, env, "SECRET_OF_HOST", "nothing else of the host's environment")
	assert.NotContains(t, env, "AWS_LAMBDA_FUNCTION_ARN")

	assert.Positive(t, res.Init)
	assert.GreaterOrEqual(t, res.ColdStart, res.Init)
	assert.Contains(t, o.Logs.(*bytes.Buffer).String(), `"msg":"handled"`, "the function's output goes to Logs")
}

func TestRunParameterOverridesAndEnvVars(t *testing.T) {
	o := testOptions(t, `{"op":"echo"}`)
	o.ParameterOverrides = map[string]string{"Secret": "x", "Stage": "prod"}
	o.EnvVars = map[string]map[string]string{
		"Parameters": {"LEVEL": "from-parameters", "EXTRA": "all"},
		"Fn":         {"LEVEL": "from-function", "TABLE": "real-table"},
		"Other":      {"TABLE": "not-mine"},
	}
	res, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.Nil(t, res.Err)
	var got fnReply
	require.NoError(t, json.Unmarshal(res.Payload, &got))
	assert.Equal(t, "from-function", got.Env["LEVEL"], "the function's own overrides win")
	assert.Equal(t, "real-table", got.Env["TABLE"])
	assert.Equal(t, "all", got.Env["EXTRA"])
}

func TestRunFunctionFailures(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		timeout  time.Duration
		wantType string
		wantMsg  string
	}{
		{"handler error", `{"op":"error"}`, 0, "errorString", "it went wrong"},
		{"panic", `{"op":"panic"}`, 0, "string", "boom"},
		{"timeout", `{"op":"sleep","ms":2000}`, 100 * time.Millisecond, "Sandbox.Timedout", "Task timed out after 0.10 seconds"},
		{"exit mid-invocation", `{"op":"exit"}`, 0, "Runtime.ExitError", "exit status 3"},
		{"response too large", `{"op":"big"}`, 0, "Function.ResponseSizeTooLarge", "maximum allowed payload size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t, tt.event)
			o.Timeout = tt.timeout
			res, err := Run(context.Background(), o)
			require.NoError(t, err)
			require.NotNil(t, res.Err, "payload %s", res.Payload)
			assert.Equal(t, tt.wantType, res.Err.Type)
			assert.Contains(t, res.Err.Message, tt.wantMsg)
		})
	}
}

func TestRunInitFailures(t *testing.T) {
	t.Run("exit", func(t *testing.T) {
		o := testOptions(t, `{}`)
		o.EnvVars = map[string]map[string]string{"Fn": {"INIT_MODE": "exit"}}
		res, err := Run(context.Background(), o)
		require.NoError(t, err)
		require.NotNil(t, res.Err)
		assert.Equal(t, "Runtime.ExitError", res.Err.Type)
		assert.Contains(t, res.Err.Message, "exit status 1")
		assert.Contains(t, o.Logs.(*bytes.Buffer).String(), "init failed")
	})
	t.Run("hang", func(t *testing.T) {
		o := testOptions(t, `{}`)
		o.EnvVars = map[string]map[string]string{"Fn": {"INIT_MODE": "hang"}}
		o.InitTimeout = 200 * time.Millisecond
		res, err := Run(context.Background(), o)
		require.NoError(t, err)
		require.NotNil(t, res.Err)
		assert.Equal(t, "Runtime.InitTimeout", res.Err.Type)
	})
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Options)
		want   string
	}{
		{"unknown function", func(o *Options) { o.Function = "Nope" }, `no function "Nope"`},
		{"missing parameter", func(o *Options) { o.ParameterOverrides = nil }, "Secret needs a value"},
		{"bad parameter", func(o *Options) { o.ParameterOverrides["Stage"] = "qa" }, `"qa" is not one of`},
		{"no source to build", func(o *Options) { o.Binary = ""; o.Function = "Unbuildable" }, "no functions/Unbuildable/main.go"},
		{"no template", func(o *Options) { o.Template = filepath.Join(o.Root, "nope.yaml") }, "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t, `{}`)
			tt.modify(&o)
			_, err := Run(context.Background(), o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestEnvironmentNeedsEveryReferenceUnlessOverridden(t *testing.T) {
	o := testOptions(t, `{}`)
	tpl, err := loadTemplate(filepath.Join(o.Root, "template.yaml"))
	require.NoError(t, err)
	fn := tpl.Functions["Fn"]
	fn.Environment["QUEUE"] = map[string]any{"Ref": "MissingQueue"}

	_, err = Environment(tpl, fn, o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unresolved reference MissingQueue")
	assert.Contains(t, err.Error(), "QUEUE")
	assert.Contains(t, err.Error(), "--env-vars")

	o.EnvVars = map[string]map[string]string{"Fn": {"QUEUE": "https://queue"}}
	env, err := Environment(tpl, fn, o)
	require.NoError(t, err)
	assert.Equal(t, "https://queue", env["QUEUE"])
}

func TestReadEnvVars(t *testing.T) {
	got, err := ReadEnvVars([]byte(`{"Parameters":{"A":"x","N":3,"B":true},"Fn":{"C":"y"}}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]map[string]string{"Parameters": {"A": "x", "N": "3", "B": "true"}, "Fn": {"C": "y"}}, got)
	_, err = ReadEnvVars([]byte(`{"Fn":{"C":{"nested":1}}}`))
	assert.ErrorContains(t, err, "Fn.C must be a string")
	_, err = ReadEnvVars([]byte(`[1]`))
	assert.ErrorContains(t, err, "env vars")
}

func TestMainCommand(t *testing.T) {
	o := testOptions(t, `{}`)
	tpl := filepath.Join(o.Root, "template.yaml")
	require.NoError(t, os.MkdirAll(filepath.Join(o.Root, "events"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(o.Root, "events", "Fn.json"), []byte(`{"op":"echo"}`), 0o600))
	envFile := filepath.Join(o.Root, "env.json")
	require.NoError(t, os.WriteFile(envFile, []byte(`{"Fn":{"EXTRA":"yes"}}`), 0o600))

	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := main(context.Background(), args, strings.NewReader(`{"op":"error"}`), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := run("-t", tpl, "-binary", o.Binary, "Fn", "-parameter-overrides", "Secret=abc Stage=prod", "-env-vars", envFile)
	require.Equal(t, 0, code, errOut)
	var got fnReply
	require.NoError(t, json.Unmarshal([]byte(out), &got), "stdout is the response")
	assert.Equal(t, "abc", got.Env["SECRET"])
	assert.Equal(t, "info", got.Env["LEVEL"])
	assert.Equal(t, "yes", got.Env["EXTRA"])
	assert.Contains(t, out, "\n  \"", "pretty-printed")
	assert.Regexp(t, `REPORT RequestId: \S+\tInit Duration: [0-9.]+ ms\tDuration: [0-9.]+ ms\tCold start: [0-9.]+ ms`, errOut)

	code, out, errOut = run("-t", tpl, "-binary", o.Binary, "-event", "-", "-parameter-overrides", "Secret=abc", "Fn")
	assert.Equal(t, 1, code, "a function error exits 1")
	assert.JSONEq(t, `{"errorMessage":"it went wrong","errorType":"errorString"}`, out)
	assert.Contains(t, errOut, "Fn failed: errorString: it went wrong")

	code, _, errOut = run("-t", tpl, "-binary", o.Binary, "Fn")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "Secret needs a value")

	code, _, errOut = run("-t", tpl)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "usage: local invoke")

	code, _, errOut = run("-t", tpl, "-event", filepath.Join(o.Root, "nope.json"), "Fn")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "nope.json")

	require.NoError(t, os.WriteFile(filepath.Join(o.Root, "bad.json"), []byte(`{`), 0o600))
	code, _, errOut = run("-t", tpl, "-event", filepath.Join(o.Root, "bad.json"), "Fn")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "not valid JSON")

	code, _, errOut = run("-t", tpl, "Fn", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unexpected arguments")
}

func TestMainCommandConfigEnv(t *testing.T) {
	o := testOptions(t, `{}`)
	tpl := filepath.Join(o.Root, "template.yaml")
	require.NoError(t, os.WriteFile(filepath.Join(o.Root, "samconfig.toml"), []byte("version = 0.1\n[prod.deploy.parameters]\nparameter_overrides = [\"Stage=prod\", \"Secret=fromconfig\"]\n"), 0o600))
	var stdout, stderr bytes.Buffer
	code := main(context.Background(), []string{"-t", tpl, "-binary", o.Binary, "-e", "-", "-config-env", "prod", "Fn"}, strings.NewReader(`{"op":"echo"}`), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	var got fnReply
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got))
	assert.Equal(t, "fromconfig", got.Env["SECRET"])
	assert.Equal(t, "info", got.Env["LEVEL"])
}
