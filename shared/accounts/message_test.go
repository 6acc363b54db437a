package accounts

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cmEvent(source, username, code string) string {
	return `{
	  "version": "1", "triggerSource": "` + source + `", "region": "us-east-1",
	  "userPoolId": "us-east-1_AbCdEfGhI", "userName": ` + jsonString(username) + `,
	  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "4abcdefghij1234567890klmno"},
	  "request": {"userAttributes": {"sub": "6f1c", "email_verified": "false", "cognito:user_status": "UNCONFIRMED", "email": "ann@example.com"},
	              "codeParameter": ` + jsonString(code) + `, "linkParameter": "{##Click Here##}", "usernameParameter": null},
	  "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}
	}`
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

type messageOut struct {
	Response struct {
		SMSMessage   *string `json:"smsMessage"`
		EmailMessage *string `json:"emailMessage"`
		EmailSubject *string `json:"emailSubject"`
	} `json:"response"`
	Request map[string]any `json:"request"`
	Version string         `json:"version"`
}

func TestCustomMessage(t *testing.T) {
	cases := []struct {
		name     string
		base     string
		source   string
		username string
		code     string
		contains []string
		absent   []string
		subject  string
	}{
		{
			name: "sign-up", base: "https://app.example.com", source: "CustomMessage_SignUp", username: "ann_1", code: "{####}",
			subject: "Confirm your email",
			contains: []string{
				`<a href="https://app.example.com/login?code={####}&amp;username=ann_1">Confirm Email</a>`,
				"confirm your email", "Hi ann_1,",
			},
		},
		{
			name: "resent code, base URL with a slash", base: "http://localhost:3000/", source: "CustomMessage_ResendCode", username: "bob", code: "{####}",
			subject:  "Confirm your email",
			contains: []string{`href="http://localhost:3000/login?code={####}&amp;username=bob"`},
		},
		{
			name: "forgot password", base: "https://app.example.com", source: "CustomMessage_ForgotPassword", username: "ann_1", code: "{####}",
			subject: "Reset your password",
			contains: []string{
				`<a href="https://app.example.com/reset?code={####}&amp;username=ann_1">Reset Password</a>`,
				"valid for 1 hour",
			},
		},
		{
			name: "values are escaped", base: "https://app.example.com", source: "CustomMessage_SignUp", username: `a&b<script>"x"`, code: "{####}",
			subject: "Confirm your email",
			contains: []string{
				`href="https://app.example.com/login?code={####}&amp;username=a%26b%3Cscript%3E%22x%22"`,
				"Hi a&amp;b&lt;script&gt;&#34;x&#34;,",
			},
			absent: []string{"<script>", `"x"`},
		},
		{
			name: "a real code (offline pools) is escaped too", base: "https://app.example.com", source: "CustomMessage_SignUp", username: "ann_1", code: "12 34&5",
			subject:  "Confirm your email",
			contains: []string{`login?code=12+34%265&amp;username=ann_1`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &Emails{ClientBaseURL: tc.base}
			raw, err := e.CustomMessage(t.Context(), json.RawMessage(cmEvent(tc.source, tc.username, tc.code)))
			require.NoError(t, err)
			var out messageOut
			require.NoError(t, json.Unmarshal(raw, &out))
			require.NotNil(t, out.Response.EmailMessage)
			require.NotNil(t, out.Response.EmailSubject)
			assert.Equal(t, tc.subject, *out.Response.EmailSubject)
			msg := *out.Response.EmailMessage
			for _, c := range tc.contains {
				assert.Contains(t, msg, c)
			}
			for _, a := range tc.absent {
				assert.NotContains(t, msg, a)
			}
			if tc.code == CodePlaceholder {
				assert.Contains(t, msg, "{####}", "Cognito requires the placeholder")
			}
			assert.Nil(t, out.Response.SMSMessage, "smsMessage must stay null")
			assert.Equal(t, "1", out.Version, "the rest of the event is kept")
			assert.Equal(t, tc.code, out.Request["codeParameter"])
		})
	}
}

func TestCustomMessageOtherSourcesPassThrough(t *testing.T) {
	e := &Emails{ClientBaseURL: "https://app.example.com"}
	for _, source := range []string{"CustomMessage_AdminCreateUser", "CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute", "CustomMessage_Authentication"} {
		in := cmEvent(source, "ann_1", "{####}")
		out, err := e.CustomMessage(t.Context(), json.RawMessage(in))
		require.NoError(t, err)
		assert.Equal(t, in, string(out), source)
	}
}

func TestCustomMessageBadEvent(t *testing.T) {
	_, err := (&Emails{}).CustomMessage(t.Context(), json.RawMessage(`[1,2]`))
	assert.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "decode"))
}
