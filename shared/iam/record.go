package iam

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Call is one AWS operation a function performed, with the IAM requests
// AWS authorizes for it.
type Call struct {
	Function  string
	Service   string // the SDK's service id ("ivs", "IVS RealTime", "S3", ...)
	Operation string // "CreateChannel"
	Requests  []Request
	// Err says why the call could not be turned into IAM requests (a
	// service this package does not know): the proof fails on it rather
	// than skipping the call.
	Err string
}

func (c Call) String() string { return c.Function + ": " + c.Service + " " + c.Operation }

// Recorder records the AWS calls of functions (Install puts it in a
// function's AWS config). Safe for concurrent use.
type Recorder struct {
	region, account, partition string
	tags                       func(arn string) map[string]string

	mu    sync.Mutex
	calls []Call
}

// NewRecorder records calls made in region and account. tags returns the
// tags a resource carries at the time of the call (the emulator's), for
// aws:ResourceTag conditions; nil when no resource has tags.
func NewRecorder(region, account string, tags func(arn string) map[string]string) *Recorder {
	partition := "aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition = "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	if tags == nil {
		tags = func(string) map[string]string { return nil }
	}
	return &Recorder{region: region, account: account, partition: partition, tags: tags}
}

// Install makes every client built from cfg record its calls as
// function's. It adds one Initialize middleware (before the request is
// serialized, signed or retried, so each operation is recorded once).
func (r *Recorder) Install(function string, cfg *aws.Config) {
	opts := make([]func(*middleware.Stack) error, 0, len(cfg.APIOptions)+1)
	opts = append(opts, cfg.APIOptions...)
	cfg.APIOptions = append(opts, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("onair.iam.Record",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				r.record(function, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters)
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

// Calls returns what was recorded so far, in order.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

func (r *Recorder) record(function, service, operation string, input any) {
	c := Call{Function: function, Service: service, Operation: operation}
	reqs, err := r.requests(service, operation, input)
	if err != nil {
		c.Err = err.Error()
	}
	c.Requests = reqs
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

// prefixes maps the SDK's service ids to IAM's service prefixes. IVS
// Real-Time's actions share the low-latency service's prefix, ivs.
var prefixes = map[string]string{
	"ivs":                       "ivs",
	"IVS RealTime":              "ivs",
	"ivschat":                   "ivschat",
	"DynamoDB":                  "dynamodb",
	"Cognito Identity Provider": "cognito-idp",
	"S3":                        "s3",
	"Secrets Manager":           "secretsmanager",
	"CloudWatch":                "cloudwatch",
	"EventBridge":               "events",
	"SQS":                       "sqs",
	"Lambda":                    "lambda",
}

// requests turns one operation into the IAM requests AWS makes for it.
func (r *Recorder) requests(service, op string, input any) ([]Request, error) {
	prefix, ok := prefixes[service]
	if !ok {
		return nil, fmt.Errorf("no IAM mapping for service %q (teach shared/iam its prefix and resources)", service)
	}
	in := fields{input}
	switch prefix {
	case "ivs", "ivschat":
		return r.ivs(service, prefix, op, in), nil
	case "dynamodb":
		return r.dynamodb(op, in), nil
	case "cognito-idp":
		res := "*"
		if id := in.str("UserPoolId"); id != "" {
			res = r.arn("cognito-idp", "userpool/"+id)
		}
		return []Request{{Action: "cognito-idp:" + op, Resource: res}}, nil
	case "s3":
		return r.s3(op, in), nil
	case "secretsmanager":
		res := "*"
		if id := in.str("SecretId"); id != "" {
			res = id
			if !strings.HasPrefix(id, "arn:") {
				// A name: IAM matches the full ARN, whose random suffix a
				// policy naming the secret by ARN cannot match here.
				res = r.arn("secretsmanager", "secret:"+id)
			}
		}
		return []Request{{Action: "secretsmanager:" + op, Resource: res}}, nil
	case "events":
		bus := in.str("EventBusName")
		if bus == "" {
			bus = "default"
		}
		return []Request{{Action: "events:" + op, Resource: r.arn("events", "event-bus/"+bus)}}, nil
	case "sqs":
		res := "*"
		if u := in.str("QueueUrl"); u != "" {
			res = r.arn("sqs", u[strings.LastIndex(u, "/")+1:])
		}
		return []Request{{Action: "sqs:" + op, Resource: res}}, nil
	case "lambda":
		res := in.str("FunctionName")
		if !strings.HasPrefix(res, "arn:") {
			res = r.arn("lambda", "function:"+res)
		}
		return []Request{{Action: "lambda:" + op, Resource: res}}, nil
	}
	// CloudWatch's metric reads and writes have no resource-level permissions.
	return []Request{{Action: prefix + ":" + op, Resource: "*"}}, nil
}

// arn builds an ARN of this recorder's partition, region and account.
func (r *Recorder) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.partition, service, r.region, r.account, resource)
}

// created is the resource pattern IAM authorizes a Create* against.
var created = map[string][]string{
	"ivs CreateChannel":            {"channel/*", "stream-key/*"},
	"ivs CreateStreamKey":          {"stream-key/*"},
	"IVS RealTime CreateStage":     {"stage/*"},
	"IVS RealTime ImportPublicKey": {"public-key/*"},
	"ivschat CreateRoom":           {"room/*"},
}

// ivs maps IVS, IVS Chat and IVS Real-Time operations: the ARN the input
// names (arn, channelArn, stageArn, identifier, roomIdentifier,
// resourceArn) with that resource's tags; for a creation the new
// resource's type pattern with the request's tags, plus the TagResource
// authorization tagging on creation needs; "*" for the list calls.
func (r *Recorder) ivs(service, prefix, op string, in fields) []Request {
	action := prefix + ":" + op
	var resources []string
	for _, f := range []string{"Arn", "ChannelArn", "StageArn", "ResourceArn", "Identifier", "RoomIdentifier"} {
		v := in.str(f)
		if v == "" {
			continue
		}
		if !strings.HasPrefix(v, "arn:") && prefix == "ivschat" {
			v = r.arn("ivschat", "room/"+v) // a room id
		}
		resources = append(resources, v)
	}
	patterns, creates := created[service+" "+op]
	reqTags := in.tags()
	var out []Request
	add := func(action, resource string, resourceTags bool) {
		ctx := map[string][]string{}
		if resourceTags {
			for k, v := range r.tags(resource) {
				ctx["aws:ResourceTag/"+k] = []string{v}
			}
		}
		for k, v := range reqTags {
			ctx["aws:RequestTag/"+k] = []string{v}
		}
		if len(reqTags) > 0 {
			ctx["aws:TagKeys"] = sortedKeys(reqTags)
		}
		if len(ctx) == 0 {
			ctx = nil
		}
		out = append(out, Request{Action: action, Resource: resource, Context: ctx})
	}
	switch {
	case creates:
		// The input's ARN (CreateStreamKey's channel) is authorized too.
		for _, res := range resources {
			add(action, res, true)
		}
		for _, p := range patterns {
			res := r.arn(prefix, p)
			add(action, res, false)
			if len(reqTags) > 0 {
				add(prefix+":TagResource", res, false)
			}
		}
	case len(resources) > 0:
		for _, res := range resources {
			add(action, res, true)
		}
	default:
		add(action, "*", false)
	}
	return out
}

// dynamodb maps table and index names to ARNs; batch and transaction calls
// are authorized per table (transactions per item, by its kind).
func (r *Recorder) dynamodb(op string, in fields) []Request {
	table := func(name string) string {
		if strings.HasPrefix(name, "arn:") {
			return name
		}
		return r.arn("dynamodb", "table/"+name)
	}
	switch op {
	case "BatchGetItem", "BatchWriteItem":
		var out []Request
		for _, name := range in.mapKeys("RequestItems") {
			out = append(out, Request{Action: "dynamodb:" + op, Resource: table(name)})
		}
		return out
	case "TransactWriteItems", "TransactGetItems":
		var out []Request
		for _, item := range in.list("TransactItems") {
			for kind, action := range map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"} {
				if name := item.sub(kind).str("TableName"); name != "" {
					out = append(out, Request{Action: "dynamodb:" + action, Resource: table(name)})
				}
			}
		}
		return out
	}
	name := in.str("TableName")
	if name == "" {
		return []Request{{Action: "dynamodb:" + op, Resource: "*"}}
	}
	res := table(name)
	if idx := in.str("IndexName"); idx != "" {
		res += "/index/" + idx
	}
	return []Request{{Action: "dynamodb:" + op, Resource: res}}
}

// s3 maps S3 operations to the actions IAM names differently (a versioned
// delete is DeleteObjectVersion, listing versions is ListBucketVersions)
// on the bucket or object ARN.
func (r *Recorder) s3(op string, in fields) []Request {
	bucket := "arn:" + r.partition + ":s3:::" + in.str("Bucket")
	object := func(key string) string { return bucket + "/" + key }
	versioned := func(base string, f fields) string {
		if f.str("VersionId") != "" {
			return base + "Version"
		}
		return base
	}
	switch op {
	case "ListObjectVersions":
		return []Request{{Action: "s3:ListBucketVersions", Resource: bucket}}
	case "ListObjects", "ListObjectsV2", "HeadBucket":
		return []Request{{Action: "s3:ListBucket", Resource: bucket}}
	case "HeadObject", "GetObject":
		return []Request{{Action: "s3:" + versioned("GetObject", in), Resource: object(in.str("Key"))}}
	case "DeleteObject":
		return []Request{{Action: "s3:" + versioned("DeleteObject", in), Resource: object(in.str("Key"))}}
	case "DeleteObjects":
		var out []Request
		for _, o := range in.sub("Delete").list("Objects") {
			out = append(out, Request{Action: "s3:" + versioned("DeleteObject", o), Resource: object(o.str("Key"))})
		}
		return out
	}
	if key := in.str("Key"); key != "" {
		return []Request{{Action: "s3:" + op, Resource: object(key)}}
	}
	return []Request{{Action: "s3:" + op, Resource: bucket}}
}

// fields reads an SDK input struct by field name: every input of the
// services above names its resources the same way (Arn, TableName,
// Bucket...), so one reader serves them all without linking each
// service's package.
type fields struct{ v any }

func (f fields) value(name string) reflect.Value {
	v := reflect.ValueOf(f.v)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.FieldByName(name)
}

func (f fields) str(name string) string {
	v := f.value(name)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.String {
		return v.String()
	}
	return ""
}

func (f fields) sub(name string) fields {
	v := f.value(name)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return fields{}
	}
	return fields{v.Interface()}
}

func (f fields) list(name string) []fields {
	v := f.value(name)
	if v.Kind() != reflect.Slice {
		return nil
	}
	out := make([]fields, v.Len())
	for i := range out {
		out[i] = fields{v.Index(i).Addr().Interface()}
	}
	return out
}

func (f fields) mapKeys(name string) []string {
	v := f.value(name)
	if v.Kind() != reflect.Map {
		return nil
	}
	var keys []string
	for _, k := range v.MapKeys() {
		if k.Kind() == reflect.String {
			keys = append(keys, k.String())
		}
	}
	sort.Strings(keys)
	return keys
}

// tags reads a Tags member of type map[string]string (IVS's shape).
func (f fields) tags() map[string]string {
	v := f.value("Tags")
	if !v.IsValid() {
		return nil
	}
	m, _ := v.Interface().(map[string]string)
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
