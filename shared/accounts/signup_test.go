package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
)

func preSignUpEvent(t *testing.T, source, username, email string) events.CognitoEventUserPoolsPreSignup {
	t.Helper()
	raw := `{
	  "version": "1", "triggerSource": "` + source + `", "region": "us-east-1",
	  "userPoolId": "us-east-1_AbCdEfGhI", "userName": "` + username + `",
	  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "4abcdefghij1234567890klmno"},
	  "request": {"userAttributes": {"email": "` + email + `"}, "validationData": null, "clientMetadata": {"avatar": "bear", "color": "blue"}},
	  "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
	}`
	var ev events.CognitoEventUserPoolsPreSignup
	require.NoError(t, json.Unmarshal([]byte(raw), &ev))
	return ev
}

func TestPreSignUp(t *testing.T) {
	existing := onair.User{Sub: "sub-old", Username: "Taken_1", Email: "Someone@Example.com"}
	cases := []struct {
		name       string
		source     string
		username   string
		email      string
		domains    []string
		autoVerify bool
		storeErr   error
		refusal    string // expected error text; "" = accepted
		confirm    bool
	}{
		{name: "accepted", username: "new_user-1", email: "ann@example.com"},
		{name: "accepted and auto-confirmed", username: "newuser", email: "ann@example.com", autoVerify: true, confirm: true},
		{name: "admin-created users are not auto-confirmed", source: "PreSignUp_AdminCreateUser", username: "newuser", email: "ann@example.com", autoVerify: true},
		{name: "reserved name", username: "settings", email: "a@example.com", refusal: "ReservedUsernameException: This username is unavailable."},
		{name: "reserved name, other case", username: "Health", email: "a@example.com", refusal: "ReservedUsernameException: This username is unavailable."},
		{name: "reserved name, upper case", username: "LOGIN", email: "a@example.com", refusal: "ReservedUsernameException: This username is unavailable."},
		{name: "too short", username: "abc", email: "a@example.com", refusal: "InvalidUsernameException: "},
		{name: "too long", username: strings.Repeat("a", 21), email: "a@example.com", refusal: "InvalidUsernameException: "},
		{name: "bad characters", username: "ann.smith", email: "a@example.com", refusal: "InvalidUsernameException: "},
		{name: "allowed domain, any case", username: "newuser", email: "ann@Corp.EXAMPLE.com", domains: []string{"corp.example.com", "other.org"}},
		{name: "domain not allowed", username: "newuser", email: "ann@gmail.com", domains: []string{"corp.example.com"},
			refusal: "AccountRegistrationException: Sign-up is not open to this email domain."},
		{name: "subdomain is another domain", username: "newuser", email: "ann@evil.corp.example.com", domains: []string{"corp.example.com"},
			refusal: "AccountRegistrationException: "},
		{name: "no email", username: "newuser", email: "", refusal: "AccountRegistrationException: "},
		{name: "email already used, any case", username: "newuser", email: "someone@example.COM", refusal: "EmailExistsException: This email has already been used."},
		{name: "name is someone's public name", username: "taken_1", email: "x@example.com", refusal: "UsernameExistsException: This username has been taken."},
		{name: "store down: no details leak", username: "newuser", email: "x@example.com", storeErr: errors.New("dynamodb: table arn:aws:dynamodb:... unreachable"),
			refusal: "UnexpectedException: Something went wrong; please try again later."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.WithFaults(bolttest.New(t, existing))
			st.Before(func(context.Context, string, []any) error { return tc.storeErr })
			s := &SignUp{Store: st, AllowedDomains: tc.domains, AutoVerify: tc.autoVerify}
			source := tc.source
			if source == "" {
				source = "PreSignUp_SignUp"
			}
			out, err := s.PreSignUp(t.Context(), preSignUpEvent(t, source, tc.username, tc.email))
			if tc.refusal != "" {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), tc.refusal), err.Error())
				var r *Refusal
				assert.ErrorAs(t, err, &r)
				assert.False(t, out.Response.AutoConfirmUser)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.confirm, out.Response.AutoConfirmUser)
			assert.Equal(t, tc.confirm, out.Response.AutoVerifyEmail)
			assert.False(t, out.Response.AutoVerifyPhone)
			assert.Equal(t, tc.username, out.UserName)
		})
	}
}
