package awstest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type response struct {
	status  int
	errType string
	ctype   string
	body    string
}

func post(t *testing.T, url, target, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{res.StatusCode, res.Header.Get("X-Amzn-ErrorType"), res.Header.Get("Content-Type"), string(raw)}
}

func TestServerConfig(t *testing.T) {
	cfg := Server(t, http.NotFoundHandler())
	require.NotNil(t, cfg.BaseEndpoint)
	assert.True(t, strings.HasPrefix(*cfg.BaseEndpoint, "http://127.0.0.1:"))
	assert.Equal(t, "us-east-1", cfg.Region)
	creds, err := cfg.Credentials.Retrieve(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "test", creds.AccessKeyID)
	require.NotNil(t, cfg.Retryer)
	assert.Equal(t, 1, cfg.Retryer().MaxAttempts())
}

func TestFake(t *testing.T) {
	f := &Fake{Replies: map[string][]Reply{
		"ListThings":   {{Body: `{"page":1}`}, {Body: `{"page":2}`}},
		"GetThing":     {{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"no"}`}},
		"AdminGetUser": {{Status: 400, Body: `{"__type":"UserNotFoundException"}`}},
	}}
	url := *Server(t, f).BaseEndpoint

	assert.Equal(t, response{200, "", "application/json", `{"page":1}`}, post(t, url+"/ListThings", "", `{"a":"b"}`))
	assert.Equal(t, response{200, "", "application/json", `{"page":2}`}, post(t, url+"/ListThings", "", `{}`))
	assert.Equal(t, response{200, "", "application/json", `{"page":2}`}, post(t, url+"/ListThings", "", ``), "the last reply repeats")
	assert.Equal(t, response{404, "ResourceNotFoundException", "application/json", `{"exceptionMessage":"no"}`}, post(t, url+"/GetThing", "", `{}`))
	assert.Equal(t, response{400, "", "application/x-amz-json-1.1", `{"__type":"UserNotFoundException"}`},
		post(t, url+"/", "AWSCognitoIdentityProviderService.AdminGetUser", `{"Username":"x"}`))

	unexpected := post(t, url+"/DeleteThing", "", `{}`)
	assert.Equal(t, 400, unexpected.status)
	assert.Equal(t, "ValidationException", unexpected.errType)
	assert.JSONEq(t, `{"__type":"ValidationException","message":"unexpected call DeleteThing","exceptionMessage":"unexpected call DeleteThing"}`, unexpected.body)

	assert.Equal(t, []string{"ListThings", "ListThings", "ListThings", "GetThing", "AdminGetUser", "DeleteThing"}, f.Ops())
	assert.Equal(t, map[string]any{"a": "b"}, f.Body(0))
	assert.Nil(t, f.Body(2), "no body")
	assert.Equal(t, Call{Op: "AdminGetUser", Body: map[string]any{"Username": "x"}}, f.Calls()[4])
}
