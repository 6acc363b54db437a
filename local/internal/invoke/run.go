package invoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onair/onair/shared/samtemplate"
)

// Options say what to run.
type Options struct {
	// Root is the repository root (template.yaml, functions/); default ".".
	Root string
	// Template is the path of the SAM template; default Root/template.yaml.
	Template string
	// Function is the logical id to run.
	Function string
	// Event is the payload to send.
	Event []byte
	// ParameterOverrides are applied over the template's defaults.
	ParameterOverrides map[string]string
	// EnvVars are environment overrides in `sam local invoke --env-vars`
	// form: {"Parameters": {...}} for every function, {"<LogicalId>": {...}}
	// for one (the function's own win).
	EnvVars map[string]map[string]string
	// Binary, when set, is run instead of building functions/<Function>.
	Binary string
	// BuildDir receives the binary; default a temporary directory, removed
	// afterwards.
	BuildDir string
	// Stack, Region and Account name the pretend stack (physical names are
	// "<Stack>-<LogicalId>"); defaults onair-local, AWS_REGION or us-east-1,
	// 000000000000.
	Stack, Region, Account string
	// Timeout overrides the function's Timeout.
	Timeout time.Duration
	// InitTimeout bounds the runtime's init (Lambda: 10 s).
	InitTimeout time.Duration
	// Logs receives the function's stdout and stderr; default os.Stderr.
	Logs io.Writer
	// HostEnv is the environment credentials and endpoints are taken from
	// (AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_ENDPOINT_URL*, ...); default
	// os.Environ().
	HostEnv []string
}

// Result is what Run observed.
type Result struct {
	Function string
	Response
	// Build is how long building the binary took (0 with Options.Binary).
	Build time.Duration
	// Init runs from the process start to its first request for an event.
	Init time.Duration
	// ColdStart runs from the process start to the response.
	ColdStart time.Duration
	// Env is the environment the function ran with.
	Env map[string]string
}

// Run builds the function for this machine, starts it under a Runtime with
// its environment and sends it one event. A function error or timeout is in
// Result.Err; the error return is for everything else (no such function,
// build failure, an environment that does not resolve).
func Run(ctx context.Context, o Options) (Result, error) {
	o = o.withDefaults()
	res := Result{Function: o.Function}
	tpl, err := loadTemplate(o.Template)
	if err != nil {
		return res, err
	}
	fn, ok := tpl.Functions[o.Function]
	if !ok {
		return res, fmt.Errorf("no function %q in %s (functions: %s)", o.Function, o.Template, strings.Join(tpl.FunctionNames(), ", "))
	}
	env, err := Environment(tpl, fn, o)
	if err != nil {
		return res, err
	}
	res.Env = env

	bin := o.Binary
	if bin == "" {
		dir := o.BuildDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "onair-invoke-")
			if err != nil {
				return res, err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		start := time.Now()
		bin, err = Build(ctx, o.Root, o.Function, filepath.Join(dir, o.Function))
		if err != nil {
			return res, err
		}
		res.Build = time.Since(start)
	}

	timeout := o.Timeout
	if timeout == 0 {
		timeout = 3 * time.Second // Lambda's default
		if fn.Timeout > 0 {
			timeout = time.Duration(fn.Timeout) * time.Second
		}
	}
	arn := env["AWS_LAMBDA_FUNCTION_ARN"]
	delete(env, "AWS_LAMBDA_FUNCTION_ARN")
	rt, err := NewRuntime(arn)
	if err != nil {
		return res, err
	}
	defer rt.Close()
	env["AWS_LAMBDA_RUNTIME_API"] = rt.Addr()

	r, err := start(bin, env, o.Logs)
	if err != nil {
		return res, err
	}
	defer r.stop()

	// Init: until the runtime polls for its first event, posts an init
	// error, exits, or runs out of time.
	initTimer := time.NewTimer(o.InitTimeout)
	defer initTimer.Stop()
	select {
	case <-rt.Ready():
		res.Init = rt.ReadyAt().Sub(r.started)
	case fe := <-rt.InitError():
		res.Init = time.Since(r.started)
		res.Err = fe
		return res, nil
	case <-r.exited:
		res.Init = time.Since(r.started)
		res.Err = exitError(r)
		return res, nil
	case <-initTimer.C:
		res.Init = o.InitTimeout
		res.Err = &FunctionError{Type: "Runtime.InitTimeout", Message: fmt.Sprintf("the runtime did not ask for an event within %s", o.InitTimeout)}
		return res, nil
	case <-ctx.Done():
		return res, ctx.Err()
	}

	// A process that dies mid-invocation fails the invocation.
	go func() {
		select {
		case <-r.exited:
			rt.Fail(exitError(r))
		case <-rt.closed:
		}
	}()
	resp, err := rt.Invoke(ctx, o.Event, timeout)
	if err != nil {
		return res, err
	}
	res.Response = resp
	res.ColdStart = time.Since(r.started)
	return res, nil
}

func (o Options) withDefaults() Options {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Template == "" {
		o.Template = filepath.Join(o.Root, "template.yaml")
	}
	if o.HostEnv == nil {
		o.HostEnv = os.Environ()
	}
	host := envMap(o.HostEnv)
	if o.Region == "" {
		o.Region = firstNonEmpty(host["AWS_REGION"], host["AWS_DEFAULT_REGION"], "us-east-1")
	}
	if o.Stack == "" {
		o.Stack = "onair-local"
	}
	if o.Account == "" {
		o.Account = "000000000000"
	}
	if o.InitTimeout == 0 {
		o.InitTimeout = 10 * time.Second
	}
	if o.Logs == nil {
		o.Logs = os.Stderr
	}
	if o.Event == nil {
		o.Event = []byte("{}")
	}
	return o
}

func loadTemplate(path string) (*samtemplate.Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tpl, err := samtemplate.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tpl, nil
}

// passThrough are the host variables a function gets (as `sam local` passes
// the caller's credentials): credentials, profiles and endpoint overrides.
func passThrough(name string) bool {
	switch name {
	case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE", "AWS_EC2_METADATA_DISABLED",
		"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"HOME", "PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY":
		return true
	}
	return strings.HasPrefix(name, "AWS_ENDPOINT_URL")
}

// Environment is the environment Lambda would give fn: its variables from
// the template (parameters from defaults and o.ParameterOverrides, resources
// as "<Stack>-<LogicalId>" placeholders), Lambda's own variables, host
// credentials and endpoints, then o.EnvVars. A template variable that does
// not resolve is an error unless o.EnvVars sets it.
func Environment(tpl *samtemplate.Template, fn samtemplate.Function, o Options) (map[string]string, error) {
	o = o.withDefaults()
	params, err := tpl.ParameterValues(o.ParameterOverrides)
	if err != nil {
		return nil, err
	}
	refs, attrs := tpl.Placeholders(o.Stack, o.Region, o.Account)
	r := tpl.Resolver(params, samtemplate.DefaultPseudo(o.Stack, o.Region, o.Account))
	r.Refs, r.Attrs = refs, attrs

	overrides := map[string]string{}
	maps.Copy(overrides, o.EnvVars["Parameters"])
	maps.Copy(overrides, o.EnvVars[fn.Name])

	env := map[string]string{}
	for k, v := range envMap(o.HostEnv) {
		if passThrough(k) {
			env[k] = v
		}
	}
	memory := max(fn.MemorySize, 128)
	name := refs[fn.Name]
	maps.Copy(env, map[string]string{
		"AWS_REGION":                      o.Region,
		"AWS_DEFAULT_REGION":              o.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(memory),
		"AWS_LAMBDA_FUNCTION_ARN":         attrs[fn.Name+".Arn"],
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]local",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
		"AWS_XRAY_DAEMON_ADDRESS":         "127.0.0.1:2000",
		"_HANDLER":                        firstNonEmpty(fn.Handler, "bootstrap"),
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
	})
	if lc, ok := fn.Properties["LoggingConfig"].(map[string]any); ok {
		if f, ok := lc["LogFormat"].(string); ok {
			env["AWS_LAMBDA_LOG_FORMAT"] = f
		}
	}
	var errs []error
	for _, k := range sortedKeys(fn.Environment) {
		if _, set := overrides[k]; set {
			continue
		}
		v, err := samtemplate.Resolve(fn.Environment[k], r)
		if errors.Is(err, samtemplate.ErrNoValue) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w (set it with --env-vars)", k, err))
			continue
		}
		env[k] = v
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("environment of %s: %w", fn.Name, errors.Join(errs...))
	}
	maps.Copy(env, overrides)
	return env, nil
}

// Build compiles functions/<name> for this machine as Lambda does for arm64
// (-tags lambda.norpc, CGO off) and returns the binary's path (out).
func Build(ctx context.Context, root, name, out string) (string, error) {
	if _, err := os.Stat(filepath.Join(root, "functions", name, "main.go")); err != nil {
		return "", fmt.Errorf("no functions/%s/main.go: %w", name, err)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", abs, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./functions/%s: %w\n%s", name, err, b)
	}
	return abs, nil
}

type process struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	err     error
}

func start(bin string, env map[string]string, logs io.Writer) (*process, error) {
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	env["LAMBDA_TASK_ROOT"] = cmd.Dir
	cmd.Env = envList(env)
	cmd.Stdout, cmd.Stderr = logs, logs
	p := &process{cmd: cmd, exited: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop ends the process (Lambda freezes, then discards, the environment).
func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
}

func exitError(p *process) *FunctionError {
	status := "exit status 0"
	if p.err != nil {
		status = p.err.Error()
	}
	return &FunctionError{Type: "Runtime.ExitError", Message: "Runtime exited with error: " + status}
}

// ReadEnvVars reads a `sam local invoke --env-vars` file: an object of
// objects whose values are strings, numbers or booleans.
func ReadEnvVars(data []byte) (map[string]map[string]string, error) {
	var raw map[string]map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("env vars: want {\"<LogicalId>\" or \"Parameters\": {\"NAME\": \"value\"}}: %w", err)
	}
	out := map[string]map[string]string{}
	for scope, vars := range raw {
		out[scope] = map[string]string{}
		for k, v := range vars {
			switch x := v.(type) {
			case string:
				out[scope][k] = x
			case float64:
				out[scope][k] = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				out[scope][k] = strconv.FormatBool(x)
			default:
				return nil, fmt.Errorf("env vars: %s.%s must be a string, number or boolean", scope, k)
			}
		}
	}
	return out, nil
}

func envMap(list []string) map[string]string {
	m := map[string]string{}
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
