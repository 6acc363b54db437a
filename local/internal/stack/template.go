package stack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onair/onair/local/internal/cognitoidp"
	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/gateway"
	"github.com/onair/onair/local/internal/secretsemu"
	"github.com/onair/onair/shared/samtemplate"
)

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func strs(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, str(it))
	}
	return out
}

func num(v any) int {
	n, _ := strconv.Atoi(str(v))
	return n
}

func boolean(v any) bool { return strings.EqualFold(str(v), "true") }

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// resolvedProps returns the resource's properties with intrinsics evaluated.
func resolvedProps(t *samtemplate.Template, id string, r samtemplate.Resolver) (map[string]any, error) {
	v, err := samtemplate.ResolveDeep(t.Resources[id].Properties, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	return obj(v), nil
}

// cognitoConfig reads the user pool and app client of the template.
func cognitoConfig(t *samtemplate.Template, r samtemplate.Resolver, functionByArn map[string]string) (cognitoidp.Config, error) {
	var cfg cognitoidp.Config
	pools := t.ResourcesOfType("AWS::Cognito::UserPool")
	clients := t.ResourcesOfType("AWS::Cognito::UserPoolClient")
	if len(pools) != 1 || len(clients) != 1 {
		return cfg, fmt.Errorf("the offline stack serves one user pool and one app client; the template has %d and %d", len(pools), len(clients))
	}
	pool, err := resolvedProps(t, pools[0], r)
	if err != nil {
		return cfg, err
	}
	client, err := resolvedProps(t, clients[0], r)
	if err != nil {
		return cfg, err
	}
	cfg.PoolName = str(pool["UserPoolName"])
	if uc := obj(pool["UsernameConfiguration"]); uc != nil {
		cfg.CaseSensitive = boolean(uc["CaseSensitive"])
	}
	cfg.AliasAttributes = strs(pool["AliasAttributes"])
	cfg.AutoVerifiedAttributes = strs(pool["AutoVerifiedAttributes"])
	for _, a := range pool["Schema"].([]any) {
		attr := obj(a)
		name := str(attr["Name"])
		if boolean(attr["Required"]) {
			cfg.RequiredAttributes = append(cfg.RequiredAttributes, name)
		}
		if m, ok := attr["Mutable"]; ok && !boolean(m) {
			cfg.ImmutableAttributes = append(cfg.ImmutableAttributes, name)
		}
	}
	if pp := obj(obj(pool["Policies"])["PasswordPolicy"]); pp != nil {
		cfg.PasswordPolicy = cognitoidp.PasswordPolicy{
			MinimumLength:    num(pp["MinimumLength"]),
			RequireUppercase: boolean(pp["RequireUppercase"]),
			RequireLowercase: boolean(pp["RequireLowercase"]),
			RequireNumbers:   boolean(pp["RequireNumbers"]),
			RequireSymbols:   boolean(pp["RequireSymbols"]),
		}
	}
	if vt := obj(pool["VerificationMessageTemplate"]); vt != nil {
		cfg.VerificationEmailSubject = str(vt["EmailSubject"])
		cfg.VerificationEmailMessage = str(vt["EmailMessage"])
	}
	cfg.Triggers = map[string]string{}
	for trigger, target := range obj(pool["LambdaConfig"]) {
		fn, ok := functionByArn[str(target)]
		if !ok {
			return cfg, fmt.Errorf("user pool trigger %s targets %q, which is not a function of the template", trigger, str(target))
		}
		cfg.Triggers[trigger] = fn
	}
	cfg.ExplicitAuthFlows = strs(client["ExplicitAuthFlows"])
	cfg.PreventUserExistenceErrors = str(client["PreventUserExistenceErrors"]) == "ENABLED"
	if v, ok := client["EnableTokenRevocation"]; ok {
		cfg.DisableTokenRevocation = !boolean(v)
	}
	cfg.ReadAttributes = strs(client["ReadAttributes"])
	cfg.WriteAttributes = strs(client["WriteAttributes"])
	units := obj(client["TokenValidityUnits"])
	validity := func(key, unitKey, defUnit string) time.Duration {
		n := num(client[key])
		if n == 0 {
			return 0
		}
		unit := str(units[unitKey])
		if unit == "" {
			unit = defUnit
		}
		switch unit {
		case "seconds":
			return time.Duration(n) * time.Second
		case "minutes":
			return time.Duration(n) * time.Minute
		case "hours":
			return time.Duration(n) * time.Hour
		default:
			return time.Duration(n) * 24 * time.Hour
		}
	}
	cfg.AccessTokenValidity = validity("AccessTokenValidity", "AccessToken", "hours")
	cfg.IDTokenValidity = validity("IdTokenValidity", "IdToken", "hours")
	cfg.RefreshTokenValidity = validity("RefreshTokenValidity", "RefreshToken", "days")
	return cfg, nil
}

// secretSpecs reads the Secrets Manager secrets the template creates.
func secretSpecs(t *samtemplate.Template, r samtemplate.Resolver) (map[string]secretSpec, error) {
	out := map[string]secretSpec{}
	for _, id := range t.ResourcesOfType("AWS::SecretsManager::Secret") {
		if c := t.Resources[id].Condition; c != "" {
			if ok, err := r.Condition(c); err != nil || !ok {
				continue
			}
		}
		p, err := resolvedProps(t, id, r)
		if err != nil {
			return nil, err
		}
		spec := secretSpec{Name: str(p["Name"]), Description: str(p["Description"]), Value: str(p["SecretString"])}
		if spec.Name == "" {
			spec.Name = "onair-local-" + id
		}
		if g := obj(p["GenerateSecretString"]); g != nil {
			spec.Generate = &secretsemu.Generate{
				Length:             num(g["PasswordLength"]),
				ExcludePunctuation: boolean(g["ExcludePunctuation"]),
				Template:           str(g["SecretStringTemplate"]),
				Key:                str(g["GenerateStringKey"]),
			}
		}
		out[id] = spec
	}
	return out, nil
}

type secretSpec struct {
	Name, Description, Value string
	Generate                 *secretsemu.Generate
}

// routes returns the gateway routes of the deployed functions.
func routes(t *samtemplate.Template, deployed map[string]bool) []gateway.Route {
	var out []gateway.Route
	for _, name := range t.FunctionNames() {
		if !deployed[name] {
			continue
		}
		for _, rt := range t.Functions[name].Routes {
			out = append(out, gateway.Route{Method: rt.Method, Path: rt.Path, Function: name, Authorize: rt.Auth == samtemplate.AuthJWT})
		}
	}
	return out
}

// rules returns the event bus rules of the deployed functions (default bus).
func rules(t *samtemplate.Template, deployed map[string]bool) ([]eventbus.Rule, error) {
	var out []eventbus.Rule
	for _, name := range t.FunctionNames() {
		if !deployed[name] {
			continue
		}
		for _, er := range t.Functions[name].EventRules {
			if !er.Enabled {
				continue
			}
			if bus := str(er.EventBus); bus != "" && bus != "default" {
				continue
			}
			raw, err := json.Marshal(er.Pattern)
			if err != nil {
				return nil, fmt.Errorf("%s.%s pattern: %w", name, er.Name, err)
			}
			out = append(out, eventbus.Rule{Name: name + "." + er.Name, Function: name, Pattern: raw})
		}
	}
	return out, nil
}
