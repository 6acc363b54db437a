package stack_test

import (
	"context"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	chattypes "github.com/aws/aws-sdk-go-v2/service/ivschat/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/stack"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/clocktest"
	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/iam"
	"github.com/onair/onair/shared/onair"
)

// checkPolicies is the proof that template.yaml's policies are sufficient:
// every AWS operation a function performed during the test (recorded by
// the stack, with the resource's tags as the emulators held them) is
// evaluated against that function's policy, and the test fails naming the
// function, the operation and the permission it lacked. It then removes,
// one at a time, each action a function used from its policy and checks
// that the evaluation notices: a check that cannot fail proves nothing.
func checkPolicies(t *testing.T, s *stack.Stack) {
	t.Helper()
	calls := s.AWSCalls()
	violations, err := s.CheckPolicies()
	require.NoError(t, err, "the template's policies must be readable by the evaluator")
	for _, v := range violations {
		t.Errorf("IAM: %s", v)
	}
	policies, err := s.Policies()
	require.NoError(t, err)
	used := iam.Used(calls)
	names := make([]string, 0, len(used))
	for fn := range used {
		names = append(names, fn)
	}
	sort.Strings(names)
	for _, fn := range names {
		for _, action := range used[fn] {
			mutated := map[string]iam.Policy{}
			for name, p := range policies {
				mutated[name] = p
			}
			mutated[fn] = policies[fn].Without(action)
			found := false
			for _, v := range iam.Check(mutated, calls) {
				if v.Call.Function == fn && strings.EqualFold(v.Request.Action, action) {
					found = true
					break
				}
			}
			assert.True(t, found, "IAM: removing %s from %s's policy went unnoticed", action, fn)
		}
		t.Logf("IAM: %s used %s", fn, strings.Join(used[fn], ", "))
	}
}

// TestEveryFunctionsAWSCallsAreAllowed walks every function that calls an
// AWS service the offline stack serves at the AWS API through its paths,
// the rare ones included (adopting an orphaned channel and room, the
// cleanups), so that checkPolicies (run by boot) evaluates each of their
// calls; then it checks that each such function was reached. On DynamoDB
// (moto) the functions' table calls are recorded and checked too.
func TestEveryFunctionsAWSCallsAreAllowed(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	t.Run("bolt", func(t *testing.T) {
		clk := clocktest.Running()
		s := bootWith(t, stack.Options{Now: clk.Now, ParameterOverrides: walkParams})
		walkEveryFunction(t, s, clk, map[string]bool{"dynamodb": true, "cloudwatch": true})
	})
	t.Run("dynamodb", func(t *testing.T) {
		cfg, skip := dynamotest.Endpoint(t)
		if skip != "" {
			t.Skip(skip)
		}
		clk := clocktest.Running()
		s := bootWith(t, stack.Options{Now: clk.Now, ParameterOverrides: walkParams,
			Store: "dynamodb", DynamoDBEndpoint: aws.ToString(cfg.BaseEndpoint)})
		t.Cleanup(func() { // a shared moto keeps tables between runs
			db := dynamodb.NewFromConfig(cfg)
			for _, table := range []string{stack.StackName + "-ChannelsTable", stack.StackName + "-StreamsTable"} {
				_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
			}
		})
		walkEveryFunction(t, s, clk, map[string]bool{"cloudwatch": true})
	})
}

var walkParams = map[string]string{"EnableUserAutoVerify": "false", "EnableAmazonProductStreamAction": "true", "StageTokenSigning": "api"}

// walkEveryFunction drives the product through s; substituted names the
// IAM prefixes of services the stack swaps at the port (not called at the
// AWS API, so not recorded).
func walkEveryFunction(t *testing.T, s *stack.Stack, clk *clocktest.Clock, substituted map[string]bool) {
	ctx := context.Background()
	cfg := awsConfig(s)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(cfg)}
	alice, bob, carol := c.signUp("alice"), c.signUp("bobby"), c.signUp("carol")

	// An orphan channel and room for carol (a provisioning that failed
	// after creating them): provisioning adopts them.
	cu, err := s.Store().GetUserByUsername(ctx, "carol")
	require.NoError(t, err)
	tags := map[string]string{"project": stack.StackName, "onair:owner": cu.Sub}
	orphan, err := sdkivs.NewFromConfig(cfg).CreateChannel(ctx, &sdkivs.CreateChannelInput{Name: aws.String(channels.ChannelName("carol")), Tags: tags})
	require.NoError(t, err)
	_, err = sdkchat.NewFromConfig(cfg).CreateRoom(ctx, &sdkchat.CreateRoomInput{Name: aws.String(channels.RoomName("carol")), Tags: tags})
	require.NoError(t, err)
	for _, u := range []*user{alice, bob, carol} {
		status, out := c.api("POST", "/channel/resources/create", u.access, map[string]string{"email": u.email})
		require.Equal(t, http.StatusCreated, status, out)
	}
	cu, err = s.Store().GetUser(ctx, cu.Sub)
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(orphan.Channel.Arn), cu.ChannelArn, "the orphan was adopted")

	status, _ := c.api("POST", "/channel/streamKey/reset", alice.access, nil)
	assert.Equal(t, http.StatusOK, status)
	status, _ = c.api("PUT", "/channel/username/update", carol.access, map[string]string{"newUsername": "caroline"})
	assert.Equal(t, http.StatusOK, status)
	status, tok := chatToken(t, c, "alice", bob.access)
	require.Equal(t, http.StatusOK, status)
	// A message, so that whatever reviews chat messages is reached too.
	conn := dialChat(t, s, tok)
	send(t, conn, map[string]any{"Action": "SEND_MESSAGE", "Content": "hello", "RequestId": "walk1"})
	echo := next(t, conn, func(f frame) bool { return f.RequestId == "walk1" })
	assert.Equal(t, "MESSAGE", echo.Type)
	status, _ = c.api("POST", "/channel/ban", alice.access, map[string]string{"bannedUsername": "bobby"})
	assert.Equal(t, http.StatusOK, status)
	status, _ = c.api("GET", "/channel/bans", alice.access, nil)
	assert.Equal(t, http.StatusOK, status)
	status, _ = c.api("POST", "/channel/unban", alice.access, map[string]string{"bannedUsername": "bobby"})
	assert.Equal(t, http.StatusOK, status)

	// The store-only routes (their DynamoDB calls, on moto).
	for _, r := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"PUT", "/channel/followingList/add", map[string]string{"followedUsername": "alice"}, http.StatusOK},
		{"GET", "/channel/followingList", nil, http.StatusOK},
		{"PUT", "/channel/followingList/remove", map[string]string{"followedUsername": "alice"}, http.StatusOK},
		{"GET", "/channels/alice", nil, http.StatusOK},
		{"GET", "/channels?isLive=true", nil, http.StatusOK},
		{"GET", "/stages", nil, http.StatusOK},
		{"PUT", "/channel/preferences/update", map[string]any{"color": map[string]string{"name": "blue"}}, http.StatusOK},
		{"PUT", "/channel/actions/presets", map[string]any{}, http.StatusOK},
		{"GET", "/channel/actions/presets", nil, http.StatusOK},
		{"GET", "/channel/actions/active", nil, http.StatusOK},
	} {
		status, out := c.api(r.method, r.path, bob.access, r.body)
		assert.Equal(t, r.want, status, "%s %s: %v", r.method, r.path, out)
	}

	// Live: an overlay, the health routes.
	resp, err := http.Post(s.AWSURL+"/_local/streams/alice/start", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var sessionID string
	eventually(t, 10*time.Second, func() bool {
		_, sessions := c.api("GET", "/metrics/"+me2(c, alice)+"/streamSessions", alice.access, nil)
		list, _ := sessions["streamSessions"].([]any)
		if len(list) == 0 {
			return false
		}
		sessionID, _ = list[0].(map[string]any)["streamId"].(string)
		return sessionID != ""
	})
	status, _ = c.api("GET", "/metrics/"+me2(c, alice)+"/streamSessions/"+sessionID, alice.access, nil)
	assert.Equal(t, http.StatusOK, status)
	// A page token is opened with the pagination key (Secrets Manager).
	status, _ = c.api("GET", "/metrics/"+me2(c, alice)+"/streamSessions?nextToken=bm90LWEtdG9rZW4", alice.access, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	status, out := c.api("POST", "/channel/actions/send", alice.access, map[string]any{"name": "notice",
		"data": map[string]any{"title": "Hello", "message": "Welcome", "duration": 10}})
	assert.Equal(t, http.StatusOK, status, out)
	resp, err = http.Post(s.AWSURL+"/_local/streams/alice/stop", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()

	// Images: an upload URL, a deletion.
	status, _ = c.api("POST", "/channel/assets/imagePresignedPost/create", alice.access, map[string]string{"assetType": "avatar", "contentType": "image/png"})
	assert.Equal(t, http.StatusOK, status)
	status, _ = c.api("DELETE", "/channel/asset", alice.access, map[string]string{"assetType": "avatar"})
	assert.Equal(t, http.StatusNoContent, status)

	// The product search reaches its secret (empty offline: not configured).
	status, _ = c.api("GET", "/products/lamp", alice.access, nil)
	assert.NotEqual(t, http.StatusNotFound, status)

	// Stages: the host's, a guest's token, an invitation withdrawn, a
	// participant removed, a stage ended.
	status, out = c.api("POST", "/stages", alice.access, map[string]any{"allowAnonymous": true})
	require.Equal(t, http.StatusCreated, status, out)
	stageID := out["stage"].(map[string]any)["id"].(string)
	status, _ = c.api("GET", "/stages/"+stageID, alice.access, nil)
	assert.Equal(t, http.StatusOK, status)
	status, _ = c.api("POST", "/stages/"+stageID+"/invites", alice.access, map[string]string{"username": "bobby"})
	assert.Equal(t, http.StatusOK, status)
	status, out = c.api("POST", "/stages/"+stageID+"/tokens", bob.access, map[string]string{"role": "publisher"})
	assert.Equal(t, http.StatusOK, status, out)
	status, _ = c.api("DELETE", "/stages/"+stageID+"/invites/bobby", alice.access, nil)
	assert.Equal(t, http.StatusNoContent, status)
	status, _ = c.api("DELETE", "/stages/"+stageID+"/participants/nobody1", alice.access, nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, out = c.api("POST", "/stages", bob.access, nil)
	require.Equal(t, http.StatusCreated, status, out)
	status, _ = c.api("DELETE", "/stages/"+out["stage"].(map[string]any)["id"].(string), bob.access, nil)
	assert.Equal(t, http.StatusNoContent, status)

	// An account deleted (channel, room, stage, images, user).
	status, _ = c.api("POST", "/stages", bob.access, nil)
	assert.Equal(t, http.StatusCreated, status)
	status, _ = c.api("DELETE", "/channel", bob.access, nil)
	assert.Equal(t, http.StatusNoContent, status)

	// The schedules, once there is something to clean: alice's stage idle
	// for longer than StageIdleMinutes, a sign-up unconfirmed for a day.
	_, err = c.cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("daveo"),
		Password: aws.String("Passw0rd!daveo"), UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String("daveo@example.com")}}})
	require.NoError(t, err)
	clk.Advance(25 * time.Hour)
	// The event functions with their sample events (what they look up
	// need not exist: the lookups are what is checked).
	for fn, file := range map[string]string{"StageEvents": "StageEvents.json", "UpdateAssetVersion": "UpdateAssetVersion.json"} {
		payload, err := os.ReadFile("../../../events/" + file)
		require.NoError(t, err)
		_, err = s.Invoke(ctx, fn, payload)
		assert.NoError(t, err, fn)
	}
	// A room set up before the review handler existed (no handler, no
	// setting on the owner's profile), for the sweep to set up.
	au, err := s.Store().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	chat := sdkchat.NewFromConfig(cfg)
	_, err = chat.UpdateRoom(ctx, &sdkchat.UpdateRoomInput{Identifier: aws.String(au.ChatRoomArn),
		MessageReviewHandler: &chattypes.MessageReviewHandler{Uri: aws.String("")}})
	require.NoError(t, err)
	_, err = s.Store().UpdateUser(ctx, au.Sub, func(u *onair.User) error { u.ChatReview = ""; return nil })
	require.NoError(t, err)
	for _, fn := range []string{"CleanupStages", "CleanupUnconfirmedUsers", "SetUpChatRooms"} {
		assert.NoError(t, s.RunSchedule(ctx, fn), fn)
	}
	room, err := chat.GetRoom(ctx, &sdkchat.GetRoomInput{Identifier: aws.String(au.ChatRoomArn)})
	require.NoError(t, err)
	require.NotNil(t, room.MessageReviewHandler, "the sweep set the room up")
	assert.NotEmpty(t, aws.ToString(room.MessageReviewHandler.Uri))
	_, err = c.cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("daveo")})
	assert.Error(t, err, "the unconfirmed sign-up was cleaned up")

	// Every function whose policy grants a service the stack serves at the
	// AWS API was reached (their calls are checked when the test ends).
	policies, err := s.Policies()
	require.NoError(t, err)
	reached := map[string]bool{}
	for _, call := range s.AWSCalls() {
		reached[call.Function] = true
	}
	logUnused(t, policies, s.AWSCalls(), substituted)
	for fn, p := range policies {
		for _, st := range p.Statements {
			for _, a := range st.Actions {
				prefix, _, _ := strings.Cut(a, ":")
				if !substituted[prefix] && !reached[fn] && notWalked[fn] == "" {
					t.Errorf("IAM: %s (granted %s) made no AWS call: walk it here", fn, a)
					reached[fn] = true // once per function
				}
			}
		}
	}
}

// logUnused lists, per function, the actions its policy grants that the
// walk never needed (rare paths, or permissions to drop).
func logUnused(t *testing.T, policies map[string]iam.Policy, calls []iam.Call, substituted map[string]bool) {
	t.Helper()
	used := iam.Used(calls)
	names := make([]string, 0, len(policies))
	for fn := range policies {
		names = append(names, fn)
	}
	sort.Strings(names)
	for _, fn := range names {
		have := map[string]bool{}
		for _, a := range used[fn] {
			have[strings.ToLower(a)] = true
		}
		var unused []string
		for _, st := range policies[fn].Statements {
			for _, a := range st.Actions {
				prefix, _, _ := strings.Cut(a, ":")
				if !substituted[prefix] && !have[strings.ToLower(a)] {
					unused = append(unused, a)
				}
			}
		}
		if len(unused) > 0 {
			t.Logf("IAM: %s: granted, not exercised here: %s", fn, strings.Join(unused, ", "))
		}
	}
}

// notWalked: functions with grants the walk cannot reach offline, and why.
var notWalked = map[string]string{
	"GetChannel":        "calls Cognito only to finish a rename a crash interrupted (shared/channels' fault-injection tests)",
	"GetStreamSession":  "asks IVS for a session's ingest configuration only when StreamEvents did not cache it",
	"CreateAssetUpload": "signs a POST policy without calling AWS; S3 authorizes the browser's upload against the role",
}

// me2 is the caller's channelResourceId.
func me2(c client, u *user) string {
	c.t.Helper()
	_, me := c.api("GET", "/channel", u.access, nil)
	id, _ := me["channelResourceId"].(string)
	require.NotEmpty(c.t, id)
	return id
}
