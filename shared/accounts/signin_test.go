package accounts

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPreAuthentication(t *testing.T) {
	cases := []struct {
		name       string
		preferred  string // "" = never renamed
		validation string // the validationData JSON
		ok         bool
	}{
		{name: "never renamed, any submitted name", validation: `{"submittedUsername":"ann_1"}`, ok: true},
		{name: "never renamed, email typed", validation: `{"submittedUsername":"ann@example.com"}`, ok: true},
		{name: "renamed, new name", preferred: "Annie", validation: `{"submittedUsername":"Annie"}`, ok: true},
		{name: "renamed, new name with spaces around", preferred: "Annie", validation: `{"submittedUsername":"  Annie "}`, ok: true},
		{name: "renamed, old name refused", preferred: "Annie", validation: `{"submittedUsername":"ann_1"}`},
		{name: "renamed, email refused", preferred: "Annie", validation: `{"submittedUsername":"ann@example.com"}`},
		{name: "renamed, other case refused", preferred: "Annie", validation: `{"submittedUsername":"annie"}`},
		{name: "no submitted name", validation: `{}`},
		{name: "blank submitted name", validation: `{"submittedUsername":"   "}`},
		{name: "no validation data at all", validation: `null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := `{"sub":"6f1c","email":"ann@example.com","email_verified":"true","cognito:user_status":"CONFIRMED"`
			if tc.preferred != "" {
				attrs += `,"preferred_username":` + jsonString(tc.preferred)
			}
			attrs += "}"
			raw := `{"version":"1","triggerSource":"PreAuthentication_Authentication","region":"us-east-1",
			  "userPoolId":"us-east-1_AbCdEfGhI","userName":"ann_1",
			  "callerContext":{"awsSdkVersion":"aws-sdk-js-3.0.0","clientId":"4abcdefghij1234567890klmno"},
			  "request":{"userAttributes":` + attrs + `,"validationData":` + tc.validation + `,"userNotFound":false},
			  "response":{}}`
			var ev events.CognitoEventUserPoolsPreAuthentication
			require.NoError(t, json.Unmarshal([]byte(raw), &ev))
			out, err := PreAuthentication(t.Context(), ev)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, ev, out)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "UserNotFoundException")
		})
	}
}
