package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/onair/onair/shared/samtemplate"
)

const usage = `usage: local invoke [flags] <FunctionLogicalId>

When an offline stack (make dev) answers at -endpoint, the function runs
there, through the stack's Lambda Invoke API, with its AWS clients pointed at
the stack's emulators and store. Otherwise it builds functions/<FunctionLogicalId>
for this machine, runs it under a local Lambda Runtime API with its
environment from template.yaml and the caller's AWS credentials. Either way
it sends one event and prints the response on stdout (logs and timings on
stderr). Exits 1 when the function fails, 2 when it cannot be run.

flags:
`

// Main is `local invoke` (make invoke): it returns the exit status.
func Main(args []string) int {
	return main(context.Background(), args, os.Stdin, os.Stdout, os.Stderr)
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var (
		event, envVars, tplPath, binary, configEnv string
		stack, region, account, endpoint           string
		local                                      bool
		timeout                                    time.Duration
		overrides                                  stringList
	)
	fs.StringVar(&event, "event", "", "event file (default events/<Function>.json; - reads stdin)")
	fs.StringVar(&event, "e", "", "shorthand for -event")
	fs.StringVar(&envVars, "env-vars", "", "JSON file of environment overrides, as sam local invoke --env-vars")
	fs.StringVar(&envVars, "n", "", "shorthand for -env-vars")
	fs.Var(&overrides, "parameter-overrides", "template parameter overrides, 'Key=Value ...' (repeatable)")
	fs.StringVar(&configEnv, "config-env", "", "also take parameter_overrides from this samconfig.toml environment (dev, prod)")
	fs.StringVar(&tplPath, "template", "template.yaml", "SAM template")
	fs.StringVar(&tplPath, "t", "template.yaml", "shorthand for -template")
	fs.StringVar(&binary, "binary", "", "run this binary instead of building functions/<Function>")
	fs.StringVar(&stack, "stack", "onair-local", "stack name: PROJECT_TAG, and physical names <stack>-<LogicalId>")
	fs.StringVar(&region, "region", "", "AWS region (default $AWS_REGION or us-east-1)")
	fs.StringVar(&account, "account", "000000000000", "AWS account id in ARNs")
	fs.DurationVar(&timeout, "timeout", 0, "function timeout (default: the template's Timeout)")
	fs.StringVar(&endpoint, "endpoint", firstNonEmpty(os.Getenv("AWS_ENDPOINT"), DefaultEndpoint), "offline stack's AWS endpoint (default $AWS_ENDPOINT or "+DefaultEndpoint+")")
	fs.BoolVar(&local, "local", false, "run the binary here even when an offline stack is running")

	// Flags may come before or after the function name.
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return 2
	}
	name := rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "local invoke: unexpected arguments %q\n", fs.Args())
		return 2
	}

	root := filepath.Dir(tplPath)
	opts := Options{Root: root, Template: tplPath, Function: name, Binary: binary, Stack: stack, Region: region, Account: account, Timeout: timeout, Logs: stderr}

	var list []string
	if configEnv != "" {
		cfg, err := os.ReadFile(filepath.Join(root, "samconfig.toml"))
		if err != nil {
			return fail(stderr, err)
		}
		l, err := samtemplate.SamConfigOverrides(cfg, configEnv)
		if err != nil {
			return fail(stderr, err)
		}
		list = append(list, l...)
	}
	list = append(list, overrides...)
	po, err := samtemplate.ParameterOverrides(list)
	if err != nil {
		return fail(stderr, err)
	}
	opts.ParameterOverrides = po

	if envVars != "" {
		b, err := os.ReadFile(envVars)
		if err != nil {
			return fail(stderr, err)
		}
		if opts.EnvVars, err = ReadEnvVars(b); err != nil {
			return fail(stderr, err)
		}
	}

	switch event {
	case "-":
		opts.Event, err = io.ReadAll(stdin)
	case "":
		event = filepath.Join(root, "events", name+".json")
		opts.Event, err = os.ReadFile(event)
		// A mistyped name has no sample event either: name the mistake
		// (and the functions there are), not the missing file.
		if errors.Is(err, os.ErrNotExist) {
			if tpl, terr := loadTemplate(tplPath); terr == nil {
				if _, ok := tpl.Functions[name]; !ok {
					return fail(stderr, fmt.Errorf("no function %q in %s (functions: %s)", name, tplPath, strings.Join(tpl.FunctionNames(), ", ")))
				}
			}
		}
	default:
		opts.Event, err = os.ReadFile(event)
	}
	if err != nil {
		return fail(stderr, fmt.Errorf("event: %w", err))
	}
	if !json.Valid(opts.Event) {
		return fail(stderr, fmt.Errorf("event %s is not valid JSON", event))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if binary == "" && !local {
		if stackRunning(ctx, endpoint) {
			return invokeInStack(ctx, endpoint, name, opts.Event, stdout, stderr)
		}
		if !hasCredentials(envMap(os.Environ())) {
			return fail(stderr, errNoAWS(name, endpoint))
		}
	}
	res, err := Run(ctx, opts)
	if err != nil {
		return fail(stderr, err)
	}
	out := res.Payload
	if res.Err != nil {
		out, _ = json.Marshal(res.Err)
	}
	fmt.Fprintln(stdout, pretty(out))
	fmt.Fprintf(stderr, "REPORT RequestId: %s\tInit Duration: %s\tDuration: %s\tCold start: %s",
		res.RequestID, ms(res.Init), ms(res.Duration), ms(res.ColdStart))
	if res.Build > 0 {
		fmt.Fprintf(stderr, "\tBuild: %s", ms(res.Build))
	}
	fmt.Fprintln(stderr)
	if res.Err != nil {
		fmt.Fprintf(stderr, "local invoke: %s failed: %s\n", name, res.Err)
		return 1
	}
	return 0
}

// invokeInStack runs the function in the offline stack at endpoint.
func invokeInStack(ctx context.Context, endpoint, name string, event []byte, stdout, stderr io.Writer) int {
	fmt.Fprintf(stderr, "local invoke: running %s in the offline stack at %s (its logs are in make dev's output)\n", name, endpoint)
	start := time.Now()
	out, funcErr, err := invokeOffline(ctx, endpoint, name, event)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, pretty(out))
	fmt.Fprintf(stderr, "REPORT Duration: %s (offline stack, round trip)\n", ms(time.Since(start)))
	if funcErr {
		fmt.Fprintf(stderr, "local invoke: %s failed: %s\n", name, bytes.TrimSpace(out))
		return 1
	}
	return 0
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "local invoke: %v\n", err)
	return 2
}

func pretty(b []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return string(b)
	}
	return buf.String()
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
