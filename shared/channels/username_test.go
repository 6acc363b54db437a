package channels

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const renamePath = "/channel/username/update"

func TestUpdateUsername(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(e *env)
		caller onair.Caller
		body   string
		status int
		typ    string
		// username of alice's profile and her preferred_username afterwards
		profile, alias string
	}{
		{name: "renamed", body: `{"newUsername":"AliceLive"}`, status: 200, profile: "AliceLive", alias: "AliceLive"},
		{name: "case of own name changes", body: `{"newUsername":"ALICE"}`, status: 200, profile: "ALICE", alias: "ALICE"},
		{name: "same name is a no-op", body: `{"newUsername":"alice"}`, status: 200, profile: "alice", alias: ""},
		{name: "reserved", body: `{"newUsername":"Settings"}`, status: 400, typ: "ReservedUsernameException", profile: "alice"},
		{name: "reserved route", body: `{"newUsername":"profile"}`, status: 400, typ: "ReservedUsernameException", profile: "alice"},
		{name: "too short", body: `{"newUsername":"abc"}`, status: 400, typ: "ChangeUsernameException", profile: "alice"},
		{name: "too long", body: `{"newUsername":"` + strings.Repeat("a", 21) + `"}`, status: 400, typ: "ChangeUsernameException", profile: "alice"},
		{name: "bad characters", body: `{"newUsername":"alice live"}`, status: 400, typ: "ChangeUsernameException", profile: "alice"},
		{name: "empty", body: `{"newUsername":""}`, status: 400, typ: "ChangeUsernameException", profile: "alice"},
		{name: "missing field", body: `{"username":"alice2"}`, status: 400, typ: "BadRequestException", profile: "alice"},
		{name: "wrong type", body: `{"newUsername":42}`, status: 400, typ: "BadRequestException", profile: "alice"},
		{name: "no body", body: ``, status: 400, typ: "BadRequestException", profile: "alice"},
		{name: "malformed body", body: `{"newUsername":`, status: 400, typ: "BadRequestException", profile: "alice"},
		{
			name:  "taken by another profile",
			setup: func(e *env) { e.signUp(onair.Caller{Sub: "carol-sub", Username: "Carol"}) },
			body:  `{"newUsername":"CAROL"}`, status: 409, typ: "AliasExistsException", profile: "alice",
		},
		{
			name:  "taken in Cognito",
			setup: func(e *env) { e.accounts.add("carol", map[string]string{"preferred_username": "newname"}) },
			body:  `{"newUsername":"NewName"}`, status: 409, typ: "AliasExistsException", profile: "alice",
		},
		{
			name:  "Cognito throttled",
			setup: func(e *env) { e.accounts.inject("AdminUpdateUserAttributes", errThrottled) },
			body:  `{"newUsername":"alice2"}`, status: 429, typ: "TooManyRequestsException", profile: "alice",
		},
		{
			// Whether Cognito applied it is unknown: the intent stays for
			// the next call (TestRenameConvergesAfterACrashAtEachStep).
			name:  "Cognito failure",
			setup: func(e *env) { e.accounts.inject("AdminUpdateUserAttributes", errBoom) },
			body:  `{"newUsername":"alice2"}`, status: 500, typ: "ChangeUsernameException", profile: "alice",
		},
		{
			name:  "intent write fails: nothing changes",
			setup: func(e *env) { e.store.Fail("UpdateUser", errBoom) },
			body:  `{"newUsername":"alice2"}`, status: 500, typ: "ChangeUsernameException", profile: "alice",
		},
		{
			name:  "profile write fails: the intent stays, Cognito has the new name",
			setup: func(e *env) { e.store.Fail("UpdateUser", nil, errBoom) },
			body:  `{"newUsername":"alice2"}`, status: 500, typ: "ChangeUsernameException", profile: "alice", alias: "alice2",
		},
		{
			name: "provisioning in progress",
			setup: func(e *env) {
				e.claim(alice, testNow)
			},
			body: `{"newUsername":"alice2"}`, status: 409, typ: "ConflictException", profile: "alice",
		},
		{name: "no caller", caller: onair.Caller{}, body: `{"newUsername":"alice2"}`, status: 401, typ: "UnauthorizedException", profile: "alice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.signUp(alice)
			e.signUp(bob)
			if tc.setup != nil {
				tc.setup(e)
			}
			caller := alice
			if tc.name == "no caller" {
				caller = tc.caller
			}
			w := do(e.svc.UpdateUsername(), caller, http.MethodPut, renamePath, tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.status == http.StatusOK {
				assert.JSONEq(t, `{"username":"`+tc.profile+`"}`, w.Body.String())
			} else {
				assert.Equal(t, tc.typ, errorType(t, w))
			}
			assert.Equal(t, tc.profile, e.store.user(t, alice.Sub).Username)
			assert.Equal(t, tc.alias, e.accounts.attr("alice", "preferred_username"))
			assert.Equal(t, "bob", e.store.user(t, bob.Sub).Username, "others untouched")
		})
	}
}

func TestUpdateUsernameMissingProfile(t *testing.T) {
	e := newEnv(t)
	e.accounts.add("alice", map[string]string{"sub": alice.Sub})
	w := do(e.svc.UpdateUsername(), alice, http.MethodPut, renamePath, `{"newUsername":"alice2"}`)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "UserNotFoundException", errorType(t, w))
	assert.Empty(t, e.accounts.attr("alice", "preferred_username"), "Cognito untouched")
}

func TestRenamedUserProvisionsUnderNewName(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	w := do(e.svc.UpdateUsername(), alice, http.MethodPut, renamePath, `{"newUsername":"Ally_1"}`)
	require.Equal(t, http.StatusOK, w.Code)
	u := e.provision(t, alice)
	assert.Equal(t, "Ally_1s-channel", e.video.channels[u.ChannelArn].Name)
}
