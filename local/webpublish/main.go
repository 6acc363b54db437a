// Command webpublish publishes the built web app (web-ui/dist) to a deployed
// stack (`make deploy` runs it after `sam deploy`): it writes /config.json
// from the stack's outputs, adds to index.html a CSP naming the stack's API
// exactly (NarrowCSP), uploads to the stack's web bucket every file
// whose bytes, Content-Type or Cache-Control differ from the bucket's copy
// (compared by MD5/ETag, so a re-deploy without changes uploads nothing),
// content-hashed assets first and index.html last, then invalidates the
// uploaded unhashed paths (index.html, config.json) in CloudFront and
// prints the app's URL.
//
//	go run ./local/webpublish -stack onair-dev [-dir web-ui/dist]
//	go run ./local/webpublish -outputs outputs.json -endpoint http://127.0.0.1:4566 -bucket NAME
//
// The stack's outputs and the invalidation come from the AWS CLI (which
// `make deploy` and `make destroy` need anyway); the uploads use the AWS SDK.
// It lives under local/ so that its tests run against the offline stack's
// S3 emulator (local/internal/s3emu).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, ErrNotPublished) {
			fmt.Println("webpublish:", err)
			return
		}
		fmt.Fprintln(os.Stderr, "webpublish:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("webpublish", flag.ContinueOnError)
	stack := fs.String("stack", "", "stack whose outputs say where to publish (aws cloudformation describe-stacks)")
	outputsFile := fs.String("outputs", "", "the stack's outputs as JSON (describe-stacks --query Stacks[0].Outputs), instead of -stack")
	dir := fs.String("dir", "web-ui/dist", "the built web app")
	endpoint := fs.String("endpoint", "", "S3 endpoint (path-style, the offline stack's credentials); no CloudFront invalidation")
	bucket := fs.String("bucket", "", "bucket to publish to (default: the WebAppBucketName output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var raw []byte
	var err error
	switch {
	case *outputsFile != "":
		raw, err = os.ReadFile(*outputsFile)
	case *stack != "":
		raw, err = awsCLI(ctx, "cloudformation", "describe-stacks", "--stack-name", *stack, "--query", "Stacks[0].Outputs", "--output", "json")
	default:
		return errors.New("set -stack or -outputs")
	}
	if err != nil {
		return err
	}
	outputs, err := ParseOutputs(raw)
	if err != nil {
		return err
	}
	if *bucket == "" {
		*bucket = outputs["WebAppBucketName"]
	}
	if *bucket == "" {
		return ErrNotPublished
	}

	cfg, err := awsConfig(ctx, outputs["Region"], *endpoint)
	if err != nil {
		return err
	}
	api := sdks3.NewFromConfig(cfg, func(o *sdks3.Options) {
		o.UsePathStyle = *endpoint != ""
		// Content-MD5 guards each upload; no streaming checksum trailers
		// (which the emulator does not decode).
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	var inv invalidator
	if *endpoint == "" && outputs["WebAppDistributionId"] != "" {
		inv = cliInvalidator(outputs["WebAppDistributionId"])
	}
	return publish(ctx, outputs, *dir, Publisher{S3: api, Bucket: *bucket}, inv, out)
}

// invalidator drops paths from CloudFront's caches.
type invalidator func(ctx context.Context, paths []string) (string, error)

func publish(ctx context.Context, outputs Outputs, dir string, p Publisher, inv invalidator, out io.Writer) error {
	cfgJSON, err := ConfigJSON(outputs)
	if err != nil {
		return err
	}
	files, warnings, err := Plan(dir, cfgJSON)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(out, "warning:", w)
	}
	for i, f := range files {
		if f.Key == "index.html" {
			if files[i].Body, err = NarrowCSP(f.Body, outputs); err != nil {
				return err
			}
		}
	}
	res, err := p.Publish(ctx, files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "web app: %d files uploaded to s3://%s, %d unchanged\n", len(res.Uploaded), p.Bucket, res.Unchanged)
	for _, k := range res.Uploaded {
		fmt.Fprintln(out, "  put", k)
	}
	if len(res.Invalidate) > 0 && inv != nil {
		id, err := inv(ctx, res.Invalidate)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "web app: invalidated %s (%s)\n", strings.Join(res.Invalidate, " "), id)
	}
	if url := outputs["WebAppUrl"]; url != "" {
		fmt.Fprintln(out, "web app:", url)
	}
	return nil
}

func awsConfig(ctx context.Context, region, endpoint string) (aws.Config, error) {
	if endpoint != "" {
		return aws.Config{Region: region, BaseEndpoint: aws.String(endpoint),
			Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	return cfg, nil
}

func cliInvalidator(distributionID string) invalidator {
	return func(ctx context.Context, paths []string) (string, error) {
		args := append([]string{"cloudfront", "create-invalidation", "--distribution-id", distributionID, "--query", "Invalidation.Id", "--output", "text", "--paths"}, paths...)
		id, err := awsCLI(ctx, args...)
		return strings.TrimSpace(string(id)), err
	}
}

func awsCLI(ctx context.Context, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "aws", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("aws %s: %w: %s", strings.Join(args[:2], " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
