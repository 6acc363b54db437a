package invoke

// Real functions of the repository, built from functions/ and run with their
// template.yaml environment: paths that need no AWS.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func repoOptions(t *testing.T, fn string, event string) Options {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a real function")
	}
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	return Options{
		Root:     root,
		Function: fn,
		Event:    []byte(event),
		BuildDir: t.TempDir(),
		Logs:     &bytes.Buffer{},
		// No credentials and no metadata service: nothing may reach AWS.
		HostEnv: []string{"PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_ENDPOINT_URL=http://127.0.0.1:9"},
	}
}

// GET /channels without the isLive filter is refused before any storage call.
func TestRealListChannelsWithoutFilter(t *testing.T) {
	o := repoOptions(t, "ListChannels", `{
		"version": "2.0", "routeKey": "GET /channels", "rawPath": "/channels", "rawQueryString": "",
		"headers": {"accept": "application/json"},
		"requestContext": {"http": {"method": "GET", "path": "/channels", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
			"requestId": "r1", "routeKey": "GET /channels", "stage": "$default"},
		"isBase64Encoded": false}`)
	res, err := Run(context.Background(), o)
	require.NoError(t, err, o.Logs.(*bytes.Buffer).String())
	require.Nil(t, res.Err, "logs: %s", o.Logs.(*bytes.Buffer).String())

	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	require.NoError(t, json.Unmarshal(res.Payload, &resp))
	assert.Equal(t, 400, resp.StatusCode)
	var body map[string]string
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
	assert.Equal(t, "BadRequestException", body["__type"])
	assert.Contains(t, body["message"], "isLive")
	assert.Equal(t, "onair-local-ChannelsTable", res.Env["CHANNELS_TABLE"], "the template's environment")
	assert.Positive(t, res.Build)
}

// The custom message trigger turns the sign-up code into a link to the web
// app (ClientBaseUrl's default), in Cognito's response shape.
func TestRealCustomMessage(t *testing.T) {
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	ev, err := os.ReadFile(filepath.Join(root, "events", "CustomMessage.json"))
	require.NoError(t, err)
	o := repoOptions(t, "CustomMessage", string(ev))
	o.ParameterOverrides = map[string]string{"ClientBaseUrl": "https://onair.example"}
	res, err := Run(context.Background(), o)
	require.NoError(t, err, o.Logs.(*bytes.Buffer).String())
	require.Nil(t, res.Err, "logs: %s", o.Logs.(*bytes.Buffer).String())

	var out struct {
		TriggerSource string `json:"triggerSource"`
		Response      struct {
			EmailMessage string `json:"emailMessage"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	assert.Equal(t, "CustomMessage_SignUp", out.TriggerSource, "the event comes back with its response")
	assert.Contains(t, out.Response.EmailMessage, "https://onair.example/login?")
	assert.Contains(t, out.Response.EmailMessage, "{####}", "Cognito replaces the code placeholder")
	assert.Equal(t, "https://onair.example", res.Env["CLIENT_BASE_URL"])
	assert.NotContains(t, res.Env, "USER_POOL_ID", "a trigger does not reference its pool")
}
