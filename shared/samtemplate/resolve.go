package samtemplate

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNoValue is returned by Resolve when the value is AWS::NoValue (the
// property, or environment variable, is then absent).
var ErrNoValue = errors.New("AWS::NoValue")

// noValue is the evaluated form of Ref AWS::NoValue.
type noValue struct{}

// Resolver holds what intrinsic functions evaluate against.
type Resolver struct {
	// Params are the parameter values after overrides (Template.ParameterValues).
	Params map[string]string
	// Refs maps a resource's logical id to what Ref returns (its physical
	// name, id or ARN, depending on the type).
	Refs map[string]string
	// Attrs maps "LogicalId.Attribute" to what Fn::GetAtt returns.
	Attrs map[string]string
	// Pseudo holds the pseudo parameters: AWS::Region, AWS::AccountId,
	// AWS::StackName, AWS::Partition, AWS::URLSuffix...
	Pseudo map[string]string
	// Conditions, Mappings and ListParams come from the template
	// (Template.Resolver and Template.Env fill them).
	Conditions map[string]Value
	Mappings   map[string]Value
	// ListParams names the list-typed parameters: Ref gives a list.
	ListParams map[string]bool
}

// Resolver returns a Resolver for t with the given parameter values and
// pseudo parameters (DefaultPseudo when nil), and no physical names.
func (t *Template) Resolver(params, pseudo map[string]string) Resolver {
	r := Resolver{Params: params, Pseudo: pseudo, Refs: map[string]string{}, Attrs: map[string]string{}}
	if r.Pseudo == nil {
		r.Pseudo = DefaultPseudo("onair-local", "us-east-1", "000000000000")
	}
	return t.complete(r)
}

// complete fills the template-derived fields of r that are unset.
func (t *Template) complete(r Resolver) Resolver {
	if r.Conditions == nil {
		r.Conditions = t.Conditions
	}
	if r.Mappings == nil {
		r.Mappings = t.Mappings
	}
	if r.ListParams == nil {
		r.ListParams = map[string]bool{}
		for name, p := range t.Parameters {
			if p.IsList() {
				r.ListParams[name] = true
			}
		}
	}
	return r
}

// DefaultPseudo returns the pseudo parameters of a stack.
func DefaultPseudo(stack, region, account string) map[string]string {
	partition, suffix := "aws", "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		partition, suffix = "aws-cn", "amazonaws.com.cn"
	} else if strings.HasPrefix(region, "us-gov-") {
		partition = "aws-us-gov"
	}
	return map[string]string{
		"AWS::Region":           region,
		"AWS::AccountId":        account,
		"AWS::StackName":        stack,
		"AWS::StackId":          fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000", partition, region, account, stack),
		"AWS::Partition":        partition,
		"AWS::URLSuffix":        suffix,
		"AWS::NotificationARNs": "",
	}
}

// Resolve evaluates v to a string. Lists are an error (use ResolveList);
// AWS::NoValue gives ErrNoValue.
func Resolve(v Value, r Resolver) (string, error) {
	x, err := r.eval(v, 0)
	if err != nil {
		return "", err
	}
	return toString(x)
}

// ResolveList evaluates v to a list of strings (a literal list, a list
// parameter, Fn::Split, ...). A single string gives a one-item list.
func ResolveList(v Value, r Resolver) ([]string, error) {
	x, err := r.eval(v, 0)
	if err != nil {
		return nil, err
	}
	return toList(x)
}

// ResolveDeep evaluates every intrinsic inside v, keeping its structure:
// maps and lists are rebuilt, AWS::NoValue entries dropped, scalars kept
// (numbers and booleans as they were).
func ResolveDeep(v Value, r Resolver) (Value, error) {
	x, err := r.deep(v, 0)
	if err != nil {
		return nil, err
	}
	if _, ok := x.(noValue); ok {
		return nil, ErrNoValue
	}
	return x, nil
}

// Condition evaluates the template condition name.
func (r Resolver) Condition(name string) (bool, error) {
	return r.condition(name, 0)
}

// Env resolves the environment of function fn. Variables that resolve to
// AWS::NoValue are left out. r's Conditions, Mappings and ListParams default
// to the template's.
func (t *Template) Env(fn string, r Resolver) (map[string]string, error) {
	f, ok := t.Functions[fn]
	if !ok {
		return nil, fmt.Errorf("no function %q in the template", fn)
	}
	r = t.complete(r)
	env := make(map[string]string, len(f.Environment))
	var errs []error
	for _, k := range sortedKeys(f.Environment) {
		s, err := Resolve(f.Environment[k], r)
		if errors.Is(err, ErrNoValue) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			continue
		}
		env[k] = s
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("environment of %s: %w", fn, errors.Join(errs...))
	}
	return env, nil
}

const maxDepth = 64

func (r Resolver) deep(v Value, depth int) (Value, error) {
	if depth > maxDepth {
		return nil, errors.New("value nested too deeply")
	}
	switch x := v.(type) {
	case map[string]Value:
		// An Fn::If may choose between mappings (a whole CorsConfiguration,
		// a ViewerCertificate): resolve the chosen branch deeply.
		if l, ok := x["Fn::If"].([]Value); ok && len(x) == 1 && len(l) == 3 {
			name, ok := l[0].(string)
			if !ok {
				return nil, errors.New("Fn::If: the condition must be a name")
			}
			c, err := r.condition(name, depth)
			if err != nil {
				return nil, fmt.Errorf("Fn::If: %w", err)
			}
			if c {
				return r.deep(l[1], depth+1)
			}
			return r.deep(l[2], depth+1)
		}
		if isIntrinsic(x) {
			return r.eval(x, depth+1)
		}
		out := make(map[string]Value, len(x))
		for k, item := range x {
			y, err := r.deep(item, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, ok := y.(noValue); ok {
				continue
			}
			out[k] = y
		}
		return out, nil
	case []Value:
		return evalItems(x, func(v Value) (Value, error) { return r.deep(v, depth+1) })
	}
	return v, nil
}

// eval evaluates v: the result is a string, a []Value of evaluated items, a
// bool (conditions), noValue, or a plain map (only through ResolveDeep).
func (r Resolver) eval(v Value, depth int) (Value, error) {
	if depth > maxDepth {
		return nil, errors.New("intrinsic functions nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool, int, float64:
		return scalarString(x)
	case []Value:
		return evalItems(x, func(v Value) (Value, error) { return r.eval(v, depth+1) })
	case map[string]Value:
		if !isIntrinsic(x) {
			return nil, fmt.Errorf("a mapping is not a value: %v", x)
		}
		for fn, arg := range x {
			y, err := r.call(fn, arg, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fn, err)
			}
			return y, nil
		}
	}
	return nil, fmt.Errorf("unsupported value %T", v)
}

func (r Resolver) call(fn string, arg Value, depth int) (Value, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, errors.New("needs a name")
		}
		return r.ref(name)
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return nil, errors.New("needs a condition name")
		}
		return r.condition(name, depth)
	case "Fn::GetAtt":
		args, err := r.args(arg, 2, depth)
		if err != nil {
			return nil, err
		}
		return r.getAtt(args[0], args[1])
	case "Fn::Sub":
		return r.sub(arg, depth)
	case "Fn::Join":
		delim, rest, err := r.strAnd(arg, "[delimiter, list]", depth)
		if err != nil {
			return nil, err
		}
		items, err := r.list(rest, depth)
		if err != nil {
			return nil, err
		}
		return strings.Join(items, delim), nil
	case "Fn::Select":
		is, rest, err := r.strAnd(arg, "[index, list]", depth)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, fmt.Errorf("index %q is not a number", is)
		}
		items, err := r.list(rest, depth)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("index %d out of range (%d items)", i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		delim, rest, err := r.strAnd(arg, "[delimiter, string]", depth)
		if err != nil {
			return nil, err
		}
		s, err := r.str(rest, depth)
		if err != nil {
			return nil, err
		}
		var out []Value
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		l, ok := arg.([]Value)
		if !ok || len(l) != 3 {
			return nil, errors.New("needs [condition, then, else]")
		}
		name, ok := l[0].(string)
		if !ok {
			return nil, errors.New("the condition must be a name")
		}
		c, err := r.condition(name, depth)
		if err != nil {
			return nil, err
		}
		if c {
			return r.eval(l[1], depth+1)
		}
		return r.eval(l[2], depth+1)
	case "Fn::Equals":
		args, err := r.args(arg, 2, depth)
		if err != nil {
			return nil, err
		}
		return args[0] == args[1], nil
	case "Fn::Not":
		l, ok := arg.([]Value)
		if !ok || len(l) != 1 {
			return nil, errors.New("needs [condition]")
		}
		b, err := r.boolean(l[0], depth)
		if err != nil {
			return nil, err
		}
		return !b, nil
	case "Fn::And", "Fn::Or":
		l, ok := arg.([]Value)
		if !ok || len(l) < 2 || len(l) > 10 {
			return nil, errors.New("needs 2 to 10 conditions")
		}
		and := fn == "Fn::And"
		for _, c := range l {
			b, err := r.boolean(c, depth)
			if err != nil {
				return nil, err
			}
			if and && !b {
				return false, nil
			}
			if !and && b {
				return true, nil
			}
		}
		return and, nil
	case "Fn::Contains":
		// A rule function: is the string among the list's strings.
		l, ok := arg.([]Value)
		if !ok || len(l) != 2 {
			return nil, errors.New("needs [list, string]")
		}
		list, err := r.eval(l[0], depth+1)
		if err != nil {
			return nil, err
		}
		item, err := r.str(l[1], depth)
		if err != nil {
			return nil, err
		}
		items, ok := list.([]Value)
		if !ok {
			return nil, errors.New("first argument is not a list")
		}
		for _, it := range items {
			if it == item {
				return true, nil
			}
		}
		return false, nil
	case "Fn::FindInMap":
		args, err := r.args(arg, 3, depth)
		if err != nil {
			return nil, err
		}
		m, ok := r.Mappings[args[0]].(map[string]Value)
		if !ok {
			return nil, fmt.Errorf("no mapping %q", args[0])
		}
		top, ok := m[args[1]].(map[string]Value)
		if !ok {
			return nil, fmt.Errorf("mapping %s has no key %q", args[0], args[1])
		}
		val, ok := top[args[2]]
		if !ok {
			return nil, fmt.Errorf("mapping %s.%s has no key %q", args[0], args[1], args[2])
		}
		return r.eval(val, depth+1)
	case "Fn::Base64":
		s, err := r.str(arg, depth)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	}
	return nil, fmt.Errorf("not supported offline")
}

func (r Resolver) ref(name string) (Value, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if strings.HasPrefix(name, "AWS::") {
		v, ok := r.Pseudo[name]
		if !ok {
			return nil, fmt.Errorf("pseudo parameter %s has no value", name)
		}
		return v, nil
	}
	if v, ok := r.Params[name]; ok {
		if r.ListParams[name] {
			return splitList(v), nil
		}
		return v, nil
	}
	if v, ok := r.Refs[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("unresolved reference %s (no parameter value or physical name)", name)
}

func (r Resolver) getAtt(res, attr string) (Value, error) {
	key := res + "." + attr
	if v, ok := r.Attrs[key]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("unresolved attribute %s", key)
}

// sub evaluates Fn::Sub: "text ${Name} ${Res.Attr} ${!Literal}" or
// [text, {Name: value}].
func (r Resolver) sub(arg Value, depth int) (Value, error) {
	var text string
	vars := map[string]Value{}
	switch x := arg.(type) {
	case string:
		text = x
	case []Value:
		if len(x) != 2 {
			return nil, errors.New("needs a string or [string, variables]")
		}
		s, ok := x[0].(string)
		if !ok {
			return nil, errors.New("the template must be a literal string")
		}
		m, ok := x[1].(map[string]Value)
		if !ok {
			return nil, errors.New("the variables must be a mapping")
		}
		text, vars = s, m
	default:
		return nil, errors.New("needs a string or [string, variables]")
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:i])
		end := strings.IndexByte(text[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed ${ in %q", text)
		}
		name := text[i+2 : i+end]
		text = text[i+end+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var val Value
		var err error
		if local, ok := vars[name]; ok {
			val, err = r.eval(local, depth+1)
		} else if res, attr, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") {
			val, err = r.getAtt(res, attr)
		} else {
			val, err = r.ref(name)
		}
		if err != nil {
			return nil, err
		}
		s, err := toString(val)
		if err != nil {
			return nil, fmt.Errorf("${%s}: %w", name, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (r Resolver) condition(name string, depth int) (bool, error) {
	if depth > maxDepth {
		return false, fmt.Errorf("condition %s: nested too deeply (a cycle?)", name)
	}
	c, ok := r.Conditions[name]
	if !ok {
		return false, fmt.Errorf("no condition %q", name)
	}
	b, err := r.boolean(c, depth+1)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	return b, nil
}

func (r Resolver) boolean(v Value, depth int) (bool, error) {
	x, err := r.eval(v, depth+1)
	if err != nil {
		return false, err
	}
	switch b := x.(type) {
	case bool:
		return b, nil
	case string:
		switch b {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("%v is not a condition", v)
}

// evalItems evaluates the items of a list with eval, leaving out those that
// come to AWS::NoValue.
func evalItems(items []Value, eval func(Value) (Value, error)) ([]Value, error) {
	out := make([]Value, 0, len(items))
	for _, item := range items {
		y, err := eval(item)
		if err != nil {
			return nil, err
		}
		if _, ok := y.(noValue); ok {
			continue
		}
		out = append(out, y)
	}
	return out, nil
}

// strAnd takes the argument [a, b] of a function whose first item is a
// string (a delimiter, an index): a evaluated, b as it is. usage names the
// two items in the error.
func (r Resolver) strAnd(arg Value, usage string, depth int) (string, Value, error) {
	l, ok := arg.([]Value)
	if !ok || len(l) != 2 {
		return "", nil, errors.New("needs " + usage)
	}
	a, err := r.str(l[0], depth)
	if err != nil {
		return "", nil, err
	}
	return a, l[1], nil
}

// args evaluates a list of n string arguments.
func (r Resolver) args(arg Value, n int, depth int) ([]string, error) {
	l, ok := arg.([]Value)
	if !ok || len(l) != n {
		return nil, fmt.Errorf("needs %d arguments", n)
	}
	out := make([]string, n)
	for i, a := range l {
		s, err := r.str(a, depth)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (r Resolver) str(v Value, depth int) (string, error) {
	x, err := r.eval(v, depth+1)
	if err != nil {
		return "", err
	}
	return toString(x)
}

func (r Resolver) list(v Value, depth int) ([]string, error) {
	x, err := r.eval(v, depth+1)
	if err != nil {
		return nil, err
	}
	return toList(x)
}

func toString(x Value) (string, error) {
	switch s := x.(type) {
	case string:
		return s, nil
	case bool:
		return strconv.FormatBool(s), nil
	case noValue:
		return "", ErrNoValue
	case []Value:
		return "", errors.New("a list where a string is needed")
	}
	return "", fmt.Errorf("%T where a string is needed", x)
}

func toList(x Value) ([]string, error) {
	switch l := x.(type) {
	case []Value:
		out := make([]string, 0, len(l))
		for _, it := range l {
			s, err := toString(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case string:
		return []string{l}, nil
	case noValue:
		return nil, ErrNoValue
	}
	return nil, fmt.Errorf("%T where a list is needed", x)
}

// splitList splits a list parameter's value as CloudFormation does.
func splitList(v string) []Value {
	var out []Value
	for _, s := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// Placeholders returns stand-in physical names for every resource of t, for
// running functions outside a deployed stack: Refs (names, ids, URLs) and
// the common attributes (Arn, and per type Name, QueueName, ...), built the
// way AWS builds them, with "<stack>-<LogicalId>" as the name.
func (t *Template) Placeholders(stack, region, account string) (refs, attrs map[string]string) {
	refs, attrs = map[string]string{}, map[string]string{}
	partition := DefaultPseudo(stack, region, account)["AWS::Partition"]
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition, service, region, account, resource)
	}
	ids := sortedKeys(t.Resources)
	for _, id := range ids {
		name := stack + "-" + id
		switch t.Resources[id].Type {
		case "AWS::DynamoDB::Table":
			refs[id] = name
			attrs[id+".Arn"] = arn("dynamodb", "table/"+name)
			attrs[id+".StreamArn"] = arn("dynamodb", "table/"+name+"/stream/1970-01-01T00:00:00.000")
		case "AWS::Cognito::UserPool":
			pool := region + "_" + sanitize(id)
			refs[id] = pool
			attrs[id+".Arn"] = arn("cognito-idp", "userpool/"+pool)
			attrs[id+".ProviderName"] = "cognito-idp." + region + ".amazonaws.com/" + pool
			attrs[id+".ProviderURL"] = "https://cognito-idp." + region + ".amazonaws.com/" + pool
			attrs[id+".UserPoolId"] = pool
		case "AWS::Cognito::UserPoolClient":
			refs[id] = strings.ToLower(sanitize(id)) + "clientid0000000000"
			attrs[id+".ClientId"] = refs[id]
		case "AWS::Serverless::Function", "AWS::Lambda::Function":
			refs[id] = name
			attrs[id+".Arn"] = arn("lambda", "function:"+name)
		case "AWS::S3::Bucket":
			b := strings.ToLower(name)
			refs[id] = b
			attrs[id+".Arn"] = fmt.Sprintf("arn:%s:s3:::%s", partition, b)
			attrs[id+".DomainName"] = b + ".s3.amazonaws.com"
			attrs[id+".RegionalDomainName"] = b + ".s3." + region + ".amazonaws.com"
		case "AWS::SQS::Queue":
			refs[id] = fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, account, name)
			attrs[id+".Arn"] = arn("sqs", name)
			attrs[id+".QueueName"] = name
			attrs[id+".QueueUrl"] = refs[id]
		case "AWS::SNS::Topic":
			refs[id] = arn("sns", name)
			attrs[id+".TopicArn"] = refs[id]
			attrs[id+".TopicName"] = name
		case "AWS::SecretsManager::Secret":
			refs[id] = arn("secretsmanager", "secret:"+name+"-AbCdEf")
			attrs[id+".Id"] = refs[id]
		case "AWS::Logs::LogGroup":
			refs[id] = "/aws/" + name
			attrs[id+".Arn"] = arn("logs", "log-group:/aws/"+name+":*")
		case "AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api":
			apiID := strings.ToLower(sanitize(id))
			if len(apiID) > 10 {
				apiID = apiID[:10]
			}
			refs[id] = apiID
			attrs[id+".ApiEndpoint"] = "https://" + apiID + ".execute-api." + region + ".amazonaws.com"
		case "AWS::CloudFront::Distribution":
			refs[id] = "E" + strings.ToUpper(sanitize(id))
			attrs[id+".DomainName"] = strings.ToLower(sanitize(id)) + ".cloudfront.net"
			attrs[id+".Id"] = refs[id]
		case "AWS::KMS::Key":
			refs[id] = "00000000-0000-0000-0000-" + fmt.Sprintf("%012d", len(id))
			attrs[id+".Arn"] = arn("kms", "key/"+refs[id])
		default:
			refs[id] = name
			attrs[id+".Arn"] = arn("unknown", name)
		}
	}
	return refs, attrs
}

func sanitize(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
