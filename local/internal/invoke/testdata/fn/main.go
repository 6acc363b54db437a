// Command fn is the test function of package invoke: a Lambda handler whose
// behaviour the event picks, to exercise the Runtime API harness.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op string `json:"op"`
	MS int    `json:"ms"`
}

type reply struct {
	Op          string            `json:"op"`
	RequestID   string            `json:"requestId"`
	FunctionArn string            `json:"functionArn"`
	DeadlineIn  int64             `json:"deadlineInMs"`
	TraceID     string            `json:"traceId"`
	Env         map[string]string `json:"env"`
}

func handle(ctx context.Context, e event) (any, error) {
	switch e.Op {
	case "error":
		return nil, errors.New("it went wrong")
	case "panic":
		panic("boom")
	case "sleep":
		time.Sleep(time.Duration(e.MS) * time.Millisecond)
		return map[string]string{"slept": "yes"}, nil
	case "exit":
		fmt.Fprintln(os.Stderr, "exiting mid-invocation")
		os.Exit(3)
	case "big":
		return strings.Repeat("x", 7<<20), nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	dl, _ := ctx.Deadline()
	r := reply{Op: e.Op, RequestID: lc.AwsRequestID, FunctionArn: lc.InvokedFunctionArn, DeadlineIn: time.Until(dl).Milliseconds(), TraceID: os.Getenv("_X_AMZN_TRACE_ID"), Env: map[string]string{}}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		r.Env[k] = v
	}
	fmt.Println(`{"level":"INFO","msg":"handled"}`)
	return r, nil
}

func main() {
	switch os.Getenv("INIT_MODE") {
	case "exit":
		fmt.Fprintln(os.Stderr, "init failed")
		os.Exit(1)
	case "hang":
		time.Sleep(time.Hour)
	}
	lambda.Start(handle)
}
