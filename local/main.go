// Command local is onair's offline stack: `make dev` runs the whole product on
// one machine (no AWS account, no Docker); `local invoke` runs one function's
// real binary under an in-repo Lambda Runtime API (make invoke).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/onair/onair/local/internal/stack"
	"github.com/onair/onair/shared/samtemplate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "invoke" {
		return invokeCommand(args[1:])
	}
	if len(args) > 0 && args[0] == "cert" {
		return certCommand(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "new-function" {
		return newFunctionCommand(args[1:], stdout, stderr)
	}
	return devCommand(args, stdout, stderr)
}

// overrides collects --parameter-overrides values; like sam, it takes
// several Key=Value words after one flag, or the flag repeated.
type overrides []string

func (o *overrides) String() string     { return strings.Join(*o, " ") }
func (o *overrides) Set(v string) error { *o = append(*o, v); return nil }

func devCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		// The subcommands are found here or nowhere: name them.
		fmt.Fprint(stderr, `usage: local [flags]                        run the offline stack (make dev)
       local invoke [flags] <Function>      run one function (make invoke; local invoke -h)
       local cert [-data-dir d] [-info]     print the local CA's path (make trust)
       local new-function -name N -route R  scaffold an HTTP function (make new-function)

flags:
`)
		fs.PrintDefaults()
	}
	webAddr := fs.String("web-addr", "127.0.0.1:3000", "web app listen address")
	apiAddr := fs.String("api-addr", "127.0.0.1:3001", "HTTP API listen address")
	awsAddr := fs.String("aws-addr", "127.0.0.1:4566", "AWS-compatible endpoint listen address")
	sfuAddr := fs.String("sfu-addr", stack.DefaultSFUAddr, "stage media (SFU: WHIP, WHEP, presence) HTTPS listen address")
	dataDir := fs.String("data-dir", ".local-data", "where state is kept (survives restarts)")
	tmpl := fs.String("template", "template.yaml", "SAM template")
	rtmpAddr := fs.String("rtmp-addr", "127.0.0.1:1935", "RTMP ingest listen address (the channels' ingestEndpoint)")
	rtmpsAddr := fs.String("rtmps-addr", "127.0.0.1:1936", "RTMPS ingest listen address (RTMP over TLS with the stack's local CA certificate)")
	webrtcAddr := fs.String("webrtc-addr", "127.0.0.1:4443", "WebRTC ingest (web broadcast SDK /v1/offer, WHIP) HTTPS listen address")
	webDir := fs.String("web-dir", "web-ui/dist", "built web app to serve")
	storeKind := fs.String("store", "bolt", "store: bolt (embedded, on disk) or dynamodb")
	ddb := fs.String("dynamodb-endpoint", "", "DynamoDB endpoint for --store dynamodb (moto_server, DynamoDB Local, or AWS)")
	verbose := fs.Bool("v", false, "debug logs (every function invocation and metric)")
	var params overrides
	fs.Var(&params, "parameter-overrides", "template parameters as Key=Value (repeatable; several words allowed)")
	// sam accepts several Key=Value words after --parameter-overrides; so do we.
	args = gatherOverrides(args)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ov, err := samtemplate.ParameterOverrides(params)
	if err != nil {
		fmt.Fprintln(stderr, "local:", err)
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(newConsoleHandler(stderr, level))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := stack.Start(ctx, stack.Options{
		Template: *tmpl, DataDir: *dataDir, WebAddr: *webAddr, APIAddr: *apiAddr, AWSAddr: *awsAddr, SFUAddr: *sfuAddr,
		ParameterOverrides: ov, Store: *storeKind, DynamoDBEndpoint: *ddb, WebDir: *webDir, RTMPAddr: *rtmpAddr, RTMPSAddr: *rtmpsAddr, WebRTCAddr: *webrtcAddr,
		Logger: logger, Out: stdout,
	})
	if err != nil {
		fmt.Fprintln(stderr, "local:", err)
		if errors.Is(err, syscall.EADDRINUSE) {
			// Usually another make dev: say how to move this one.
			fmt.Fprintln(stderr, "local: another program (another make dev?) has that port; give this stack other ports with the -*-addr flags,\n"+
				"       or make dev WEB_ADDR= API_ADDR= AWS_ADDR= RTMP_ADDR= RTMPS_ADDR= WEBRTC_ADDR= SFU_ADDR= (and its own DATA_DIR=)")
		}
		return 1
	}
	fmt.Fprintf(stdout, `
  onair offline stack (no AWS account is used)
    web app        %s
    HTTP API       %s
    AWS endpoint   %s   (Cognito, IVS, IVS Chat, IVS Real-Time, EventBridge, Lambda, Secrets Manager)
    chat socket    %s
    stage media    %s   (SFU: WHIP, WHEP, presence)
    RTMP ingest    %s<streamKey>
    RTMPS ingest   %s<streamKey>   (local CA: make trust)
    WebRTC ingest  %s   (web broadcast SDK /v1/offer, WHIP /whip; make trust)
    config         %s/_local/config
    mailbox        %s/_local/mail
    data           %s
  ready. Ctrl-C stops.

`, s.WebURL, s.APIURL, s.AWSURL, s.Config()["chatUrl"], s.SFUURL, s.Config()["rtmpIngest"], s.Config()["rtmpsIngest"], s.Config()["webrtcIngestEndpoint"], s.AWSURL, s.AWSURL, *dataDir)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\n  stopping…")
	if err := s.Close(); err != nil {
		fmt.Fprintln(stderr, "local: shutdown:", err)
		return 1
	}
	return 0
}

// gatherOverrides rewrites "--parameter-overrides A=1 B=2 --x" into one
// flag per pair so the flag package can read it.
func gatherOverrides(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a != "--parameter-overrides" && a != "-parameter-overrides" {
			out = append(out, a)
			continue
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			out = append(out, "--parameter-overrides", args[i])
		}
	}
	return out
}
