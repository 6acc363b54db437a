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
		refusal    string // the exception name when not ok; default UserNotFoundException
	}{
		{name: "never renamed, any submitted name", validation: `{"submittedUsername":"ann_1"}`, ok: true},
		{name: "never renamed, email typed", validation: `{"submittedUsername":"ann@example.com"}`, ok: true},
		{name: "renamed, new name", preferred: "Annie", validation: `{"submittedUsername":"Annie"}`, ok: true},
		{name: "renamed, new name with spaces around", preferred: "Annie", validation: `{"submittedUsername":"  Annie "}`, ok: true},
		{name: "renamed, old name refused", preferred: "Annie", validation: `{"submittedUsername":"ann_1"}`},
		{name: "renamed, email refused", preferred: "Annie", validation: `{"submittedUsername":"ann@example.com"}`},
		{name: "renamed, other case accepted (names are unique regardless of case)", preferred: "Annie", validation: `{"submittedUsername":"aNNIE"}`, ok: true},
		{name: "never renamed, no submitted name (awscli, boto3)", validation: `{}`, ok: true},
		{name: "never renamed, no validation data at all", validation: `null`, ok: true},
		{name: "renamed, no submitted name: says what is missing", preferred: "Annie", validation: `{}`, refusal: MissingSubmittedUsername},
		{name: "renamed, blank submitted name", preferred: "Annie", validation: `{"submittedUsername":"   "}`, refusal: MissingSubmittedUsername},
		{name: "renamed, no validation data at all", preferred: "Annie", validation: `null`, refusal: MissingSubmittedUsername},
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
			want := tc.refusal
			if want == "" {
				want = "UserNotFoundException"
			}
			assert.Contains(t, err.Error(), want)
			if want == MissingSubmittedUsername {
				assert.Contains(t, err.Error(), "submittedUsername", "says what is missing")
			}
		})
	}
}
