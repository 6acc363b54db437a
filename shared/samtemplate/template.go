// Package samtemplate reads onair's SAM template (template.yaml): the
// parameters, the functions with their Globals merged in, their routes,
// event rules, schedules, Cognito triggers and queue/bucket events, the other
// resources, and the outputs; and it evaluates CloudFormation intrinsic
// functions (Ref, Fn::Sub, Fn::GetAtt, Fn::If, ...) against parameter values
// and physical names. The offline stack and `make invoke` run functions from
// it, and the consistency tests check the repository against it.
package samtemplate

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Value is a template value as decoded from YAML: string, int, float64, bool,
// nil, []any or map[string]any. Intrinsic functions are in their long form
// ({"Ref": "X"}, {"Fn::Sub": "..."}), whichever form the template used.
type Value = any

// Template is a parsed SAM template.
type Template struct {
	Description string
	Parameters  map[string]Parameter
	// Conditions and Mappings are raw; Resolver evaluates them.
	Conditions map[string]Value
	Mappings   map[string]Value
	// Functions are the AWS::Serverless::Function resources, by logical id,
	// with Globals.Function merged in.
	Functions map[string]Function
	// Resources holds every resource, functions included (their Properties
	// as written, without Globals).
	Resources map[string]Resource
	Outputs   map[string]Output
	// Globals is the template's Globals section, raw.
	Globals map[string]Value
	// Rules is the template's Rules section, raw; CheckRules evaluates it.
	Rules map[string]Value
}

// Parameter is a template parameter.
type Parameter struct {
	Type                 string
	Default              string
	HasDefault           bool
	AllowedValues        []string
	AllowedPattern       string
	MinValue, MaxValue   *float64
	MinLength, MaxLength *int
	Description          string
}

// IsList reports whether the parameter's value is a list (CommaDelimitedList
// or List<...>): Ref gives a list, whose items are checked one by one.
func (p Parameter) IsList() bool {
	return p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<")
}

// Resource is any template resource.
type Resource struct {
	Type       string
	Properties map[string]Value
	Metadata   map[string]Value
	Condition  string
	DependsOn  []string
}

// Output is a template output.
type Output struct {
	Description string
	Value       Value
	Condition   string
	Export      Value
}

// Function is an AWS::Serverless::Function with Globals.Function merged in.
type Function struct {
	// Name is the logical id.
	Name string
	// Environment holds Environment.Variables, unresolved (see Template.Env).
	Environment   map[string]Value
	Runtime       string
	Handler       string
	Architectures []string
	// Timeout in seconds and MemorySize in MB; 0 when unset (Lambda's
	// defaults are 3 and 128).
	Timeout    int
	MemorySize int
	// Properties are the merged properties, raw.
	Properties map[string]Value
	Metadata   map[string]Value
	Condition  string

	Routes     []Route
	EventRules []EventRule
	Schedules  []Schedule
	// CognitoTriggers are the LambdaConfig keys ("PreSignUp", ...) of user
	// pools that invoke this function, sorted.
	CognitoTriggers []string
	S3Events        []S3Event
	SQSEvents       []SQSEvent
}

// Auth values of a Route.
const (
	AuthJWT  = "jwt"  // behind the API's JWT authorizer
	AuthIAM  = "iam"  // AWS_IAM
	AuthNone = "none" // public at the gateway
)

// Route is an HttpApi event: the function serves Method Path.
type Route struct {
	Function string
	// Event is the event's key under Events.
	Event string
	// API is the logical id of the AWS::Serverless::HttpApi ("" for the
	// implicit API).
	API string
	// Method is upper case ("GET"); "ANY" matches every method.
	Method string
	// Path is as written: "/channels/{username}".
	Path string
	// Auth is AuthJWT, AuthIAM or AuthNone.
	Auth string
	// Authorizer is the authorizer's name when Auth is AuthJWT.
	Authorizer string
}

// Pattern returns the route as a net/http ServeMux pattern ("GET /channels/{username}").
// ANY routes have no method. A greedy {proxy+} becomes {proxy...}.
func (r Route) Pattern() string {
	p := strings.ReplaceAll(r.Path, "+}", "...}")
	if r.Method == "" || r.Method == "ANY" {
		return p
	}
	return r.Method + " " + p
}

// EventRule is an EventBridgeRule (or CloudWatchEvent) event.
type EventRule struct {
	Name    string
	Pattern map[string]Value
	// EventBus is the bus name or ARN (raw; "" for the default bus).
	EventBus Value
	// Input and InputPath, when set, replace what the target receives.
	Input     string
	InputPath string
	// RetryAttempts and MaxEventAgeSeconds are the RetryPolicy (nil: EventBridge's defaults, 185 and 86400).
	RetryAttempts      *int
	MaxEventAgeSeconds *int
	// DeadLetter is the DeadLetterConfig, raw (nil when none).
	DeadLetter map[string]Value
	Enabled    bool
}

// Schedule is a Schedule or ScheduleV2 event.
type Schedule struct {
	Name string
	// Expression is rate(...) or cron(...), unresolved when it is an intrinsic
	// (see ExpressionValue).
	Expression      string
	ExpressionValue Value
	Input           string
	Enabled         bool
}

// S3Event is an S3 event: object events of a bucket.
type S3Event struct {
	Name   string
	Bucket Value
	Events []string
	// Filter rules (prefix/suffix), lower-case names.
	Prefix, Suffix string
}

// SQSEvent is an SQS event source mapping.
type SQSEvent struct {
	Name      string
	Queue     Value
	BatchSize int
	// ReportBatchItemFailures is set when FunctionResponseTypes has it.
	ReportBatchItemFailures  bool
	MaxBatchingWindowSeconds int
	Enabled                  bool
}

// Parse parses a SAM template.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	root, err := convert(&doc)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	top, ok := root.(map[string]Value)
	if !ok {
		return nil, errors.New("template: not a mapping")
	}
	t := &Template{
		Parameters: map[string]Parameter{},
		Conditions: mapOf(top["Conditions"]),
		Mappings:   mapOf(top["Mappings"]),
		Rules:      mapOf(top["Rules"]),
		Functions:  map[string]Function{},
		Resources:  map[string]Resource{},
		Outputs:    map[string]Output{},
		Globals:    mapOf(top["Globals"]),
	}
	t.Description, _ = top["Description"].(string)
	for name, raw := range mapOf(top["Parameters"]) {
		p, err := parseParameter(mapOf(raw))
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		t.Parameters[name] = p
	}
	resources, ok := top["Resources"].(map[string]Value)
	if !ok {
		return nil, errors.New("template: no Resources")
	}
	for id, raw := range resources {
		m, ok := raw.(map[string]Value)
		if !ok {
			return nil, fmt.Errorf("resource %s: not a mapping", id)
		}
		r := Resource{Properties: mapOf(m["Properties"]), Metadata: mapOf(m["Metadata"])}
		r.Type, _ = m["Type"].(string)
		if r.Type == "" {
			return nil, fmt.Errorf("resource %s: no Type", id)
		}
		r.Condition, _ = m["Condition"].(string)
		switch d := m["DependsOn"].(type) {
		case string:
			r.DependsOn = []string{d}
		case []Value:
			for _, x := range d {
				if s, ok := x.(string); ok {
					r.DependsOn = append(r.DependsOn, s)
				}
			}
		}
		t.Resources[id] = r
	}
	for id, raw := range mapOf(top["Outputs"]) {
		m := mapOf(raw)
		o := Output{Value: m["Value"], Export: m["Export"]}
		o.Description, _ = m["Description"].(string)
		o.Condition, _ = m["Condition"].(string)
		t.Outputs[id] = o
	}
	globals := mapOf(mapOf(top["Globals"])["Function"])
	for id, r := range t.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		f, err := t.function(id, r, globals)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		t.Functions[id] = f
	}
	if err := t.addCognitoTriggers(); err != nil {
		return nil, err
	}
	return t, nil
}

func parseParameter(m map[string]Value) (Parameter, error) {
	p := Parameter{}
	p.Type, _ = m["Type"].(string)
	if p.Type == "" {
		return p, errors.New("no Type")
	}
	p.Description, _ = m["Description"].(string)
	p.AllowedPattern, _ = m["AllowedPattern"].(string)
	if d, ok := m["Default"]; ok {
		s, err := scalarString(d)
		if err != nil {
			return p, fmt.Errorf("Default: %w", err)
		}
		p.Default, p.HasDefault = s, true
	}
	if av, ok := m["AllowedValues"].([]Value); ok {
		for _, v := range av {
			s, err := scalarString(v)
			if err != nil {
				return p, fmt.Errorf("AllowedValues: %w", err)
			}
			p.AllowedValues = append(p.AllowedValues, s)
		}
	}
	for key, dst := range map[string]**float64{"MinValue": &p.MinValue, "MaxValue": &p.MaxValue} {
		if v, ok := m[key]; ok {
			s, err := scalarString(v)
			if err != nil {
				return p, fmt.Errorf("%s: %w", key, err)
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return p, fmt.Errorf("%s: %w", key, err)
			}
			*dst = &f
		}
	}
	for key, dst := range map[string]**int{"MinLength": &p.MinLength, "MaxLength": &p.MaxLength} {
		if v, ok := m[key]; ok {
			n, ok := intOf(v)
			if !ok {
				return p, fmt.Errorf("%s is not an integer", key)
			}
			*dst = &n
		}
	}
	return p, nil
}

func (t *Template) function(id string, r Resource, globals map[string]Value) (Function, error) {
	props := mergeGlobals(globals, r.Properties)
	f := Function{Name: id, Properties: props, Metadata: r.Metadata, Condition: r.Condition, Environment: map[string]Value{}}
	f.Runtime, _ = props["Runtime"].(string)
	f.Handler, _ = props["Handler"].(string)
	for _, a := range listOf(props["Architectures"]) {
		if s, ok := a.(string); ok {
			f.Architectures = append(f.Architectures, s)
		}
	}
	f.Timeout, _ = intOf(props["Timeout"])
	f.MemorySize, _ = intOf(props["MemorySize"])
	for k, v := range mapOf(mapOf(props["Environment"])["Variables"]) {
		f.Environment[k] = v
	}
	events := mapOf(props["Events"])
	for _, name := range sortedKeys(events) {
		ev := mapOf(events[name])
		typ, _ := ev["Type"].(string)
		p := mapOf(ev["Properties"])
		switch typ {
		case "HttpApi":
			rt, err := t.route(id, name, p)
			if err != nil {
				return f, fmt.Errorf("event %s: %w", name, err)
			}
			f.Routes = append(f.Routes, rt)
		case "EventBridgeRule", "CloudWatchEvent":
			f.EventRules = append(f.EventRules, eventRule(name, p))
		case "Schedule", "ScheduleV2":
			f.Schedules = append(f.Schedules, schedule(name, typ, p))
		case "S3":
			f.S3Events = append(f.S3Events, s3Event(name, p))
		case "SQS":
			f.SQSEvents = append(f.SQSEvents, sqsEvent(name, p))
		case "Cognito":
			f.CognitoTriggers = append(f.CognitoTriggers, stringsOf(p["Trigger"])...)
		}
	}
	return f, nil
}

// route reads an HttpApi event. Auth: Authorizer NONE is public; a named
// authorizer or the API's DefaultAuthorizer is JWT (or AWS_IAM); an API with
// no default authorizer leaves unnamed routes public.
func (t *Template) route(fn, event string, p map[string]Value) (Route, error) {
	rt := Route{Function: fn, Event: event}
	rt.Method, _ = p["Method"].(string)
	rt.Path, _ = p["Path"].(string)
	if rt.Method == "" || rt.Path == "" {
		return rt, errors.New("HttpApi event needs Method and Path")
	}
	rt.Method = strings.ToUpper(rt.Method)
	if rt.Method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
		rt.Method = "ANY"
	}
	if !strings.HasPrefix(rt.Path, "/") {
		return rt, fmt.Errorf("path %q must start with /", rt.Path)
	}
	rt.API = refName(p["ApiId"])
	authorizer, _ := mapOf(p["Auth"])["Authorizer"].(string)
	if authorizer == "" {
		authorizer, _ = mapOf(t.apiProperties(rt.API)["Auth"])["DefaultAuthorizer"].(string)
	}
	switch authorizer {
	case "", "NONE":
		rt.Auth = AuthNone
	case "AWS_IAM":
		rt.Auth = AuthIAM
	default:
		rt.Auth, rt.Authorizer = AuthJWT, authorizer
	}
	return rt, nil
}

// apiProperties returns the properties of the HttpApi api (Globals.HttpApi
// merged in), or of the implicit API when api is "".
func (t *Template) apiProperties(api string) map[string]Value {
	g := mapOf(t.Globals["HttpApi"])
	if api == "" {
		return g
	}
	return mergeGlobals(g, t.Resources[api].Properties)
}

func eventRule(name string, p map[string]Value) EventRule {
	er := EventRule{Name: name, Pattern: mapOf(p["Pattern"]), EventBus: p["EventBusName"], Enabled: enabled(p)}
	er.Input, _ = p["Input"].(string)
	er.InputPath, _ = p["InputPath"].(string)
	rp := mapOf(p["RetryPolicy"])
	if n, ok := intOf(rp["MaximumRetryAttempts"]); ok {
		er.RetryAttempts = &n
	}
	if n, ok := intOf(rp["MaximumEventAgeInSeconds"]); ok {
		er.MaxEventAgeSeconds = &n
	}
	if dl, ok := p["DeadLetterConfig"].(map[string]Value); ok {
		er.DeadLetter = dl
	}
	return er
}

func schedule(name, typ string, p map[string]Value) Schedule {
	key := "Schedule"
	if typ == "ScheduleV2" {
		key = "ScheduleExpression"
	}
	s := Schedule{Name: name, ExpressionValue: p[key], Enabled: enabled(p)}
	s.Expression, _ = p[key].(string)
	s.Input, _ = p["Input"].(string)
	if st, ok := p["State"].(string); ok {
		s.Enabled = st != "DISABLED"
	}
	return s
}

func s3Event(name string, p map[string]Value) S3Event {
	e := S3Event{Name: name, Bucket: p["Bucket"], Events: stringsOf(p["Events"])}
	for _, r := range listOf(mapOf(mapOf(p["Filter"])["S3Key"])["Rules"]) {
		m := mapOf(r)
		n, _ := m["Name"].(string)
		v, _ := m["Value"].(string)
		switch strings.ToLower(n) {
		case "prefix":
			e.Prefix = v
		case "suffix":
			e.Suffix = v
		}
	}
	return e
}

func sqsEvent(name string, p map[string]Value) SQSEvent {
	e := SQSEvent{Name: name, Queue: p["Queue"], Enabled: enabled(p)}
	e.BatchSize, _ = intOf(p["BatchSize"])
	if e.BatchSize == 0 {
		e.BatchSize = 10
	}
	e.MaxBatchingWindowSeconds, _ = intOf(p["MaximumBatchingWindowInSeconds"])
	for _, s := range stringsOf(p["FunctionResponseTypes"]) {
		if s == "ReportBatchItemFailures" {
			e.ReportBatchItemFailures = true
		}
	}
	return e
}

func enabled(p map[string]Value) bool {
	if b, ok := p["Enabled"].(bool); ok {
		return b
	}
	return true
}

// addCognitoTriggers records, on each function, the LambdaConfig keys of the
// user pools that point at it (!GetAtt Fn.Arn or !Ref Fn).
func (t *Template) addCognitoTriggers() error {
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		if r.Type != "AWS::Cognito::UserPool" {
			continue
		}
		lc := mapOf(r.Properties["LambdaConfig"])
		for _, key := range sortedKeys(lc) {
			fn := targetFunction(lc[key])
			if fn == "" {
				continue // e.g. CustomEmailSender (a mapping) or a literal ARN
			}
			f, ok := t.Functions[fn]
			if !ok {
				continue
			}
			f.CognitoTriggers = append(f.CognitoTriggers, key)
			t.Functions[fn] = f
		}
	}
	for id, f := range t.Functions {
		sort.Strings(f.CognitoTriggers)
		t.Functions[id] = f
	}
	return nil
}

// targetFunction returns X for !GetAtt X.Arn or !Ref X.
func targetFunction(v Value) string {
	m, ok := v.(map[string]Value)
	if !ok || len(m) != 1 {
		return ""
	}
	if ga, ok := m["Fn::GetAtt"].([]Value); ok && len(ga) == 2 {
		if attr, _ := ga[1].(string); attr == "Arn" {
			s, _ := ga[0].(string)
			return s
		}
	}
	return refName(v)
}

// refName returns X for {"Ref": X}.
func refName(v Value) string {
	m, ok := v.(map[string]Value)
	if !ok {
		return ""
	}
	s, _ := m["Ref"].(string)
	return s
}

// Routes returns every HttpApi route of the template, sorted by path then method.
func (t *Template) Routes() []Route {
	var out []Route
	for _, f := range t.Functions {
		out = append(out, f.Routes...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// FunctionNames returns the functions' logical ids, sorted.
func (t *Template) FunctionNames() []string { return sortedKeys(t.Functions) }

// ResourcesOfType returns the logical ids of the resources of type typ, sorted.
func (t *Template) ResourcesOfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// mergeGlobals applies SAM's Globals rules: function values win over
// globals; maps merge key by key (recursively); lists concatenate, globals
// first.
func mergeGlobals(globals, props map[string]Value) map[string]Value {
	out := map[string]Value{}
	for k, v := range globals {
		out[k] = v
	}
	for k, v := range props {
		g, ok := out[k]
		if !ok {
			out[k] = v
			continue
		}
		gm, gIsMap := g.(map[string]Value)
		pm, pIsMap := v.(map[string]Value)
		gl, gIsList := g.([]Value)
		pl, pIsList := v.([]Value)
		switch {
		case gIsMap && pIsMap && !isIntrinsic(gm) && !isIntrinsic(pm):
			out[k] = mergeGlobals(gm, pm)
		case gIsList && pIsList:
			out[k] = append(append([]Value{}, gl...), pl...)
		default:
			out[k] = v
		}
	}
	return out
}

func isIntrinsic(m map[string]Value) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func mapOf(v Value) map[string]Value {
	if m, ok := v.(map[string]Value); ok {
		return m
	}
	return map[string]Value{}
}

func listOf(v Value) []Value {
	l, _ := v.([]Value)
	return l
}

func stringsOf(v Value) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []Value:
		var out []string
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func intOf(v Value) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// scalarString renders a literal scalar as CloudFormation sees it.
func scalarString(v Value) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("not a scalar: %v", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
