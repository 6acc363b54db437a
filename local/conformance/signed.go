package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Response is the answer to a signed request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ErrorType is the response's error code: the x-amzn-ErrorType header
// (without its ":…" suffix) or the JSON body's __type (without a namespace).
func (r Response) ErrorType() string {
	if t := r.Header.Get("X-Amzn-ErrorType"); t != "" {
		return strings.SplitN(t, ":", 2)[0]
	}
	var body struct {
		Type string `json:"__type"`
	}
	_ = json.Unmarshal(r.Body, &body)
	if i := strings.LastIndex(body.Type, "#"); i >= 0 {
		return body.Type[i+1:]
	}
	return body.Type
}

// Signed sends a SigV4-signed request for services whose SDK client is not
// a dependency of onair (EventBridge, Lambda): to the target's endpoint, or
// https://<endpointPrefix>.<region>.amazonaws.com on AWS. op ("<service>/<Op>")
// is recorded; signingName is the SigV4 service name.
func (t Target) Signed(ctx context.Context, op, signingName, endpointPrefix, method, path string, header http.Header, body []byte) (Response, error) {
	t.Recorder.Record(op)
	base := t.Endpoint()
	if base == "" {
		base = fmt.Sprintf("https://%s.%s.amazonaws.com", endpointPrefix, t.Config.Region)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return Response{}, fmt.Errorf("%s: %w", op, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	creds, err := t.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return Response{}, fmt.Errorf("%s: credentials: %w", op, err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), signingName, t.Config.Region, time.Now()); err != nil {
		return Response{}, fmt.Errorf("%s: sign: %w", op, err)
	}
	client := t.Config.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s: %w", op, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, fmt.Errorf("%s: read: %w", op, err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: raw}, nil
}
