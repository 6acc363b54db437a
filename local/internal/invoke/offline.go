package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultEndpoint is where `make dev` serves its AWS-compatible endpoint.
const DefaultEndpoint = "http://127.0.0.1:4566"

// stackRunning reports whether an offline stack answers at endpoint (its
// /_local/config, which only the offline stack serves).
func stackRunning(ctx context.Context, endpoint string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+"/_local/config", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var cfg struct {
		Offline bool `json:"offline"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&cfg) == nil && cfg.Offline
}

// hasCredentials reports whether the AWS SDK would find credentials without
// an instance metadata service: environment keys, a profile, container or
// web-identity credentials, or a shared credentials/config file.
func hasCredentials(env map[string]string) bool {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		if env[k] != "" {
			return true
		}
	}
	files := []string{env["AWS_SHARED_CREDENTIALS_FILE"], env["AWS_CONFIG_FILE"]}
	if home := env["HOME"]; home != "" {
		files = append(files, filepath.Join(home, ".aws", "credentials"), filepath.Join(home, ".aws", "config"))
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	return false
}

// invokeOffline runs the function in the offline stack at endpoint through
// its Lambda Invoke API: there the function's AWS clients already point at
// the stack's emulators and its store, as `sam local invoke` users point
// theirs at LocalStack. It returns the payload and, for a function error,
// the error payload.
func invokeOffline(ctx context.Context, endpoint, function string, event []byte) (payload []byte, funcErr bool, err error) {
	u := strings.TrimRight(endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(function) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(event))
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("offline stack at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, false, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("offline stack at %s answered %d: %s", endpoint, resp.StatusCode, bytes.TrimSpace(body))
	}
	return body, resp.Header.Get("X-Amz-Function-Error") != "", nil
}

// errNoAWS is the one line `make invoke` prints when the function could
// reach neither AWS nor an offline stack.
func errNoAWS(function, endpoint string) error {
	return errors.New(function + " calls AWS, but there are no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID) " +
		"and no offline stack answers at " + endpoint + " (start one with `make dev`, or set AWS_ENDPOINT)")
}
