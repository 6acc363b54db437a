package functions_test

// template.yaml against the code: every function the template declares has a
// builder (and no builder is left out of it), every builder builds with the
// template's environment, every route behind the JWT authorizer refuses a
// request without claims, every route with optional login refuses an invalid
// token, and the tables match the store adapter's schema.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/functions"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/samtemplate"
)

func loadTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	require.NoError(t, err)
	tpl, err := samtemplate.Parse(data)
	require.NoError(t, err)
	return tpl
}

func TestFunctionsMatchTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	var builders []string
	for name := range functions.ByName() {
		builders = append(builders, name)
	}
	sort.Strings(builders)
	assert.Equal(t, tpl.FunctionNames(), builders, "template.yaml's functions and functions.All() must agree")
}

// rejectingVerifier refuses every token and counts the calls.
type rejectingVerifier struct {
	mu    sync.Mutex
	calls int
}

func (v *rejectingVerifier) Verify(ctx context.Context, token string) (onair.Caller, error) {
	v.mu.Lock()
	v.calls++
	v.mu.Unlock()
	return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "invalid token")
}

func (v *rejectingVerifier) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.calls
}

// deps builds a function's Deps from its template environment, with a local
// store, the given verifier, and AWS clients pointed at a closed port so
// that nothing can reach AWS.
func deps(t *testing.T, tpl *samtemplate.Template, name string, v *rejectingVerifier) *app.Platform {
	t.Helper()
	params, err := tpl.ParameterValues(nil)
	require.NoError(t, err)
	const stack, region, account = "onair-test", "us-east-1", "123456789012"
	refs, attrs := tpl.Placeholders(stack, region, account)
	r := samtemplate.Resolver{Params: params, Refs: refs, Attrs: attrs, Pseudo: samtemplate.DefaultPseudo(stack, region, account)}
	env, err := tpl.Env(name, r)
	require.NoError(t, err)

	st := bolttest.New(t)
	return &app.Platform{
		Name: name,
		Env:  func(k string) string { return env[k] },
		AWS: aws.Config{
			Region:           region,
			Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint:     aws.String("http://127.0.0.1:9"),
			RetryMaxAttempts: 1,
		},
		Offline: app.Offline{Store: st, Verifier: v},
	}
}

func TestEveryFunctionBuildsWithItsTemplateEnvironment(t *testing.T) {
	tpl := loadTemplate(t)
	builders := functions.ByName()
	for _, name := range tpl.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			if _, ok := builders[name]; !ok {
				t.Skip("no builder (TestFunctionsMatchTemplate reports it)")
			}
			h, err := builders[name].Build(context.Background(), deps(t, tpl, name, &rejectingVerifier{}))
			require.NoError(t, err)
			require.NotNil(t, h)
		})
	}
}

// request makes the API Gateway (payload v2) event of route, with path
// parameters filled in and no authorizer claims.
func request(route samtemplate.Route, header map[string]string) events.APIGatewayV2HTTPRequest {
	params := map[string]string{}
	path := regexp.MustCompile(`\{([^}+]+)\+?\}`).ReplaceAllStringFunc(route.Path, func(m string) string {
		name := strings.Trim(m, "{}+")
		params[name] = "someone"
		return "someone"
	})
	req := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: route.Method + " " + route.Path,
		RawPath:  path,
		Headers:  map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  route.Method + " " + route.Path,
			RequestID: "test-request",
			Stage:     "$default",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: route.Method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7"},
		},
		PathParameters: params,
	}
	for k, v := range header {
		req.Headers[k] = v
	}
	if route.Method != "GET" && route.Method != "DELETE" {
		req.Body = `{"chatRoomOwnerUsername":"someone","followedUsername":"someone","bannedUsername":"someone","newUsername":"someone"}`
	}
	return req
}

func invoke(t *testing.T, d *app.Platform, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	h, err := functions.ByName()[d.Name].Build(context.Background(), d)
	require.NoError(t, err)
	payload, err := json.Marshal(req)
	require.NoError(t, err)
	out, err := h.Invoke(context.Background(), payload)
	require.NoError(t, err)
	var resp events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

func assertUnauthorized(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	assert.Equal(t, 401, resp.StatusCode, "body: %s", resp.Body)
	var body map[string]string
	if assert.NoError(t, json.Unmarshal([]byte(resp.Body), &body), resp.Body) {
		assert.Equal(t, "UnauthorizedException", body["__type"])
	}
}

// Routes behind the gateway's JWT authorizer answer 401 when the request
// carries no claims: the function is the second lock on the door.
func TestAuthorizedRoutesRefuseRequestsWithoutClaims(t *testing.T) {
	tpl := loadTemplate(t)
	builders := functions.ByName()
	routes := tpl.Routes()
	require.NotEmpty(t, routes)
	for _, route := range routes {
		if route.Auth != samtemplate.AuthJWT {
			continue
		}
		t.Run(route.Method+" "+route.Path, func(t *testing.T) {
			if _, ok := builders[route.Function]; !ok {
				t.Skip("no builder (TestFunctionsMatchTemplate reports it)")
			}
			v := &rejectingVerifier{}
			resp := invoke(t, deps(t, tpl, route.Function, v), request(route, nil))
			assertUnauthorized(t, resp)
			resp = invoke(t, deps(t, tpl, route.Function, v), request(route, map[string]string{"authorization": "Bearer forged"}))
			assertUnauthorized(t, resp)
		})
	}
}

// Routes public at the gateway where login is optional verify a token when
// one is sent: an invalid one is refused with 401, not served anonymously.
// Routes that are public outright never look at the token.
func TestOptionalLoginRoutesRefuseInvalidTokens(t *testing.T) {
	tpl := loadTemplate(t)
	builders := functions.ByName()
	optional := map[string]bool{}
	for _, route := range tpl.Routes() {
		if route.Auth != samtemplate.AuthNone {
			continue
		}
		key := route.Method + " " + route.Path
		t.Run(key, func(t *testing.T) {
			if _, ok := builders[route.Function]; !ok {
				t.Skip("no builder (TestFunctionsMatchTemplate reports it)")
			}
			v := &rejectingVerifier{}
			resp := invoke(t, deps(t, tpl, route.Function, v), request(route, map[string]string{"authorization": "not-a-valid-token"}))
			if v.count() == 0 {
				assert.NotEqual(t, 401, resp.StatusCode, "a public route that ignores tokens must not answer 401")
				return
			}
			optional[key] = true
			assertUnauthorized(t, resp)
		})
	}
	// The reference's optional-login routes (the ones present so far).
	for _, key := range []string{"POST /channel/chatToken/create", "GET /channels/{username}"} {
		for _, route := range tpl.Routes() {
			if route.Method+" "+route.Path == key {
				if _, built := builders[route.Function]; built {
					assert.True(t, optional[key], "%s must verify a token when one is sent", key)
				}
			}
		}
	}
}

// tableShape is a table's definition, comparable between template.yaml and
// dynamo.Schema.
type tableShape struct {
	BillingMode string
	Attributes  map[string]string
	Key         []string
	GSIs        map[string][]string // name → key ("attr HASH", "attr RANGE"), projection last
	LSIs        map[string][]string
}

func templateShape(t *testing.T, p map[string]any) tableShape {
	t.Helper()
	s := tableShape{Attributes: map[string]string{}, GSIs: map[string][]string{}, LSIs: map[string][]string{}}
	s.BillingMode, _ = p["BillingMode"].(string)
	for _, a := range p["AttributeDefinitions"].([]any) {
		m := a.(map[string]any)
		s.Attributes[m["AttributeName"].(string)] = m["AttributeType"].(string)
	}
	keys := func(v any) []string {
		var out []string
		for _, k := range v.([]any) {
			m := k.(map[string]any)
			out = append(out, fmt.Sprintf("%s %s", m["AttributeName"], m["KeyType"]))
		}
		return out
	}
	s.Key = keys(p["KeySchema"])
	for field, dst := range map[string]map[string][]string{"GlobalSecondaryIndexes": s.GSIs, "LocalSecondaryIndexes": s.LSIs} {
		list, _ := p[field].([]any)
		for _, ix := range list {
			m := ix.(map[string]any)
			proj := m["Projection"].(map[string]any)["ProjectionType"].(string)
			dst[m["IndexName"].(string)] = append(keys(m["KeySchema"]), proj)
		}
	}
	return s
}

func keyStrings(ks []types.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, fmt.Sprintf("%s %s", aws.ToString(k.AttributeName), k.KeyType))
	}
	return out
}

func TestTablesMatchTheStoreSchema(t *testing.T) {
	tpl := loadTemplate(t)
	schema := dynamo.Schema(dynamo.Tables{Channels: "ChannelsTable", Streams: "StreamsTable"})
	require.Len(t, schema, 2)
	for _, in := range schema {
		id := aws.ToString(in.TableName)
		t.Run(id, func(t *testing.T) {
			r, ok := tpl.Resources[id]
			require.True(t, ok, "template.yaml has no %s", id)
			require.Equal(t, "AWS::DynamoDB::Table", r.Type)
			want := tableShape{BillingMode: string(in.BillingMode), Attributes: map[string]string{}, GSIs: map[string][]string{}, LSIs: map[string][]string{}}
			for _, a := range in.AttributeDefinitions {
				want.Attributes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
			}
			want.Key = keyStrings(in.KeySchema)
			for _, g := range in.GlobalSecondaryIndexes {
				want.GSIs[aws.ToString(g.IndexName)] = append(keyStrings(g.KeySchema), string(g.Projection.ProjectionType))
			}
			for _, l := range in.LocalSecondaryIndexes {
				want.LSIs[aws.ToString(l.IndexName)] = append(keyStrings(l.KeySchema), string(l.Projection.ProjectionType))
			}
			assert.Equal(t, want, templateShape(t, r.Properties))
		})
	}
}
