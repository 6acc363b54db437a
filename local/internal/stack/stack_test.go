package stack_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	rt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/stack"
	"github.com/onair/onair/shared/clocktest"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/samtemplate"
)

// boot starts the whole offline stack on free ports with a fresh data dir.
func boot(t *testing.T, overrides map[string]string, now func() time.Time) *stack.Stack {
	t.Helper()
	return bootWith(t, stack.Options{Now: now, ParameterOverrides: overrides})
}

// bootWith is boot with more options (the store, ...).
func bootWith(t *testing.T, opts stack.Options) *stack.Stack {
	t.Helper()
	opts.Template, opts.DataDir = "../../../template.yaml", t.TempDir()
	opts.WebAddr, opts.APIAddr, opts.AWSAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	opts.RecordAWSCalls = true
	if os.Getenv("ONAIR_TEST_LOG") != "" { // the stack's own log, for debugging a failure
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := stack.Start(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	// Every AWS call the test made the functions perform must be allowed by
	// their policies in template.yaml (iam_test.go).
	t.Cleanup(func() { checkPolicies(t, s) })
	return s
}

func awsConfig(s *stack.Stack) aws.Config {
	return aws.Config{Region: s.Region, BaseEndpoint: aws.String(s.AWSURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
}

type client struct {
	t       *testing.T
	s       *stack.Stack
	cognito *cip.Client
}

type user struct {
	name, email, password string
	access, refresh       string
}

func (c client) mail(to, kind string) string {
	c.t.Helper()
	var code string
	eventually(c.t, 5*time.Second, func() bool {
		resp, err := http.Get(c.s.AWSURL + "/_local/mail?to=" + url.QueryEscape(to))
		require.NoError(c.t, err)
		defer resp.Body.Close()
		var mails []struct{ Code, Kind, Body string }
		require.NoError(c.t, json.NewDecoder(resp.Body).Decode(&mails))
		for _, m := range mails {
			if m.Kind == kind && m.Code != "" {
				code = m.Code
				return true
			}
		}
		return false
	})
	return code
}

// signUp registers and confirms a user with the mailed code, then signs in.
func (c client) signUp(name string) *user {
	c.t.Helper()
	ctx := context.Background()
	u := &user{name: name, email: name + "@example.com", password: "Passw0rd!" + name}
	_, err := c.cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(c.s.ClientID), Username: aws.String(name), Password: aws.String(u.password),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}},
		ClientMetadata: map[string]string{"avatar": "bear", "color": "green"},
	})
	require.NoError(c.t, err)
	code := c.mail(u.email, "SignUp")
	// Cognito gives PostConfirmation the ClientMetadata of ConfirmSignUp.
	_, err = c.cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(c.s.ClientID),
		Username: aws.String(name), ConfirmationCode: aws.String(code),
		ClientMetadata: map[string]string{"avatar": "bear", "color": "green"}})
	require.NoError(c.t, err)
	c.signIn(u)
	return u
}

func (c client) signIn(u *user) {
	c.t.Helper()
	out, err := c.cognito.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(c.s.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": u.name, "PASSWORD": u.password},
		ClientMetadata: map[string]string{"submittedUsername": u.name},
	})
	require.NoError(c.t, err)
	u.access, u.refresh = aws.ToString(out.AuthenticationResult.AccessToken), aws.ToString(out.AuthenticationResult.RefreshToken)
}

// api calls the HTTP API; token may be "" (anonymous).
func (c client) api(method, path, token string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.s.APIURL+path, rd)
	require.NoError(c.t, err)
	if token != "" {
		req.Header.Set("Authorization", token) // bare, as the reference's web app sends it
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	// Every response of every route uses one time format (docs/api.md).
	assert.Empty(c.t, httpapi.BadTimes(raw), "%s %s: times not in %s", method, path, httpapi.TimeLayout)
	out := map[string]any{}
	if len(raw) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &out), string(raw))
	}
	return resp.StatusCode, out
}

func eventually(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type frame struct {
	Type, Id, RequestId, Content, EventName string
	Attributes                              map[string]string
	Sender                                  struct{ UserId string }
	ErrorCode                               int
	ErrorMessage                            string
}

func dialChat(t *testing.T, s *stack.Stack, token string) *websocket.Conn {
	t.Helper()
	chatURL := s.Config()["chatUrl"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, chatURL, &websocket.DialOptions{Subprotocols: []string{token}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return conn
}

func send(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	require.NoError(t, conn.Write(context.Background(), websocket.MessageText, b))
}

// next reads frames until one satisfies match.
func next(t *testing.T, conn *websocket.Conn, match func(frame) bool) frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		require.NoError(t, err)
		var f frame
		require.NoError(t, json.Unmarshal(b, &f))
		if match(f) {
			return f
		}
	}
}

func chatToken(t *testing.T, c client, owner, token string) (int, string) {
	t.Helper()
	status, out := c.api("POST", "/channel/chatToken/create", token, map[string]string{"chatRoomOwnerUsername": owner})
	tok, _ := out["token"].(string)
	return status, tok
}

// TestOfflineStack walks the product through the offline stack with the AWS
// SDK, plain HTTP and WebSockets, as a user of onair would.
func TestOfflineStack(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	clk := clocktest.Running()
	s := boot(t, map[string]string{"EnableUserAutoVerify": "false"}, clk.Now)
	cfg := awsConfig(s)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(cfg)}
	ctx := context.Background()

	// Sign-up with the mailed code, confirmation, sign-in, refresh.
	alice := c.signUp("alice")
	bob := c.signUp("bobby")
	refreshed, err := c.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
		AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": alice.refresh}})
	require.NoError(t, err)
	alice.access = aws.ToString(refreshed.AuthenticationResult.AccessToken)

	// First-login provisioning.
	status, _ := c.api("GET", "/channel", "", nil)
	assert.Equal(t, http.StatusUnauthorized, status, "no token")
	status, _ = c.api("GET", "/channel", alice.access, nil)
	assert.Equal(t, http.StatusNotFound, status, "not provisioned yet")
	for _, u := range []*user{alice, bob} {
		status, _ = c.api("POST", "/channel/resources/create", "Bearer "+u.access, map[string]string{"email": u.email})
		require.Equal(t, http.StatusCreated, status)
	}
	status, me := c.api("GET", "/channel", alice.access, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "alice", me["username"])
	assert.Equal(t, "bear", me["avatar"])
	assert.NotEmpty(t, me["streamKeyValue"])
	channelID := me["channelResourceId"].(string)
	require.NotEmpty(t, channelID)

	// The channel page, public and signed in.
	status, page := c.api("GET", "/channels/alice", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, false, page["isLive"])
	assert.Equal(t, false, page["isViewerFollowing"])
	status, _ = c.api("GET", "/channels/nobody-here", "", nil)
	assert.Equal(t, http.StatusNotFound, status)

	// Follow.
	status, _ = c.api("PUT", "/channel/followingList/add", bob.access, map[string]string{"followedUsername": "alice"})
	require.Equal(t, http.StatusOK, status)
	_, page = c.api("GET", "/channels/alice", bob.access, nil)
	assert.Equal(t, true, page["isViewerFollowing"])

	// Chat between two users, a moderator's delete, and a ban that disconnects.
	status, aliceTok := chatToken(t, c, "alice", alice.access)
	require.Equal(t, http.StatusOK, status)
	status, bobTok := chatToken(t, c, "alice", bob.access)
	require.Equal(t, http.StatusOK, status)
	aliceConn, bobConn := dialChat(t, s, aliceTok), dialChat(t, s, bobTok)
	send(t, bobConn, map[string]any{"Action": "SEND_MESSAGE", "Content": "hello alice", "RequestId": "r1"})
	msg := next(t, aliceConn, func(f frame) bool { return f.Type == "MESSAGE" })
	assert.Equal(t, "hello alice", msg.Content)
	echo := next(t, bobConn, func(f frame) bool { return f.Type == "MESSAGE" })
	assert.Equal(t, "r1", echo.RequestId, "the sender gets its own message back")
	send(t, bobConn, map[string]any{"Action": "DELETE_MESSAGE", "Id": msg.Id, "RequestId": "r2"})
	denied := next(t, bobConn, func(f frame) bool { return f.Type == "ERROR" })
	assert.Equal(t, 403, denied.ErrorCode, "a viewer cannot delete")
	send(t, aliceConn, map[string]any{"Action": "DELETE_MESSAGE", "Id": msg.Id, "Reason": "spam", "RequestId": "r3"})
	del := next(t, bobConn, func(f frame) bool { return f.Type == "EVENT" && f.EventName == "aws:DELETE_MESSAGE" })
	assert.Equal(t, msg.Id, del.Attributes["MessageID"])

	// The room's message review handler (ChatReview, invoked in process as
	// IVS Chat invokes it): the owner's blocked words, then the per-user
	// rate limit.
	status, _ = c.api("PUT", "/channel/preferences/update", alice.access, map[string]any{"blockedWords": []string{"Spoiler"}})
	require.Equal(t, http.StatusOK, status)
	send(t, bobConn, map[string]any{"Action": "SEND_MESSAGE", "Content": "SPOILER: he wins", "RequestId": "w1"})
	blocked := next(t, bobConn, func(f frame) bool { return f.RequestId == "w1" })
	assert.Equal(t, "ERROR", blocked.Type)
	assert.Equal(t, 406, blocked.ErrorCode)
	assert.Equal(t, "Your message contains a word the channel owner blocked.", blocked.ErrorMessage)
	// Two windows' worth and one more, at once: wherever the window
	// boundary falls, some are refused.
	for i := range 2*5 + 1 {
		send(t, bobConn, map[string]any{"Action": "SEND_MESSAGE", "Content": "flood", "RequestId": fmt.Sprintf("f%d", i)})
	}
	limited := 0
	for i := range 2*5 + 1 {
		f := next(t, bobConn, func(f frame) bool { return f.RequestId == fmt.Sprintf("f%d", i) })
		if f.Type == "ERROR" && f.ErrorCode == 406 {
			limited++
		}
	}
	assert.NotZero(t, limited, "the per-user rate limit refuses a flood")

	// A token bob got before the ban, to try after it.
	status, spareTok := chatToken(t, c, "alice", bob.access)
	require.Equal(t, http.StatusOK, status)
	status, _ = c.api("POST", "/channel/ban", alice.access, map[string]string{"bannedUsername": "bobby"})
	require.Equal(t, http.StatusOK, status)
	disc := next(t, bobConn, func(f frame) bool { return f.Type == "EVENT" && f.EventName == "aws:DISCONNECT_USER" })
	assert.Equal(t, msg.Sender.UserId, disc.Attributes["UserId"], "the ban disconnects the id the token used")
	// The token minted before the ban still opens a connection (IVS Chat
	// cannot revoke tokens), but nothing sent on it is delivered.
	again := dialChat(t, s, spareTok)
	send(t, again, map[string]any{"Action": "SEND_MESSAGE", "Content": "I am back", "RequestId": "b1"})
	refused := next(t, again, func(f frame) bool { return f.RequestId == "b1" })
	assert.Equal(t, "ERROR", refused.Type)
	assert.Equal(t, 406, refused.ErrorCode)
	assert.Equal(t, "You are banned from this chat.", refused.ErrorMessage)
	send(t, aliceConn, map[string]any{"Action": "SEND_MESSAGE", "Content": "still here", "RequestId": "a1"})
	after := next(t, aliceConn, func(f frame) bool { return f.Type == "MESSAGE" && f.Content != "flood" })
	assert.Equal(t, "still here", after.Content, "the banned user's message reached nobody")
	status, _ = chatToken(t, c, "alice", bob.access)
	assert.Equal(t, http.StatusForbidden, status, "banned users get no chat token")
	_, page = c.api("GET", "/channels/alice", bob.access, nil)
	assert.Equal(t, true, page["isViewerBanned"])
	assert.Nil(t, page["playbackUrl"], "banned viewers get no playback URL")
	status, bans := c.api("GET", "/channel/bans", alice.access, nil)
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, bans["bannedUsers"], "bannedAt is checked by api")
	status, _ = c.api("POST", "/channel/unban", alice.access, map[string]string{"bannedUsername": "bobby"})
	require.Equal(t, http.StatusOK, status)

	// The directory while a simulated stream is live.
	resp, err := http.Post(s.AWSURL+"/_local/streams/alice/start", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	eventually(t, 10*time.Second, func() bool {
		_, dir := c.api("GET", "/channels?isLive=true", "", nil)
		chans, _ := dir["channels"].([]any)
		return len(chans) == 1 && chans[0].(map[string]any)["username"] == "alice"
	})
	_, following := c.api("GET", "/channel/followingList", bob.access, nil)
	require.Len(t, following["channels"], 1)
	assert.Equal(t, true, following["channels"].([]any)[0].(map[string]any)["isLive"])
	_, page = c.api("GET", "/channels/alice", "", nil)
	assert.Equal(t, true, page["isLive"])
	assert.NotEmpty(t, page["playbackUrl"])

	// An overlay while live: its times, sent and active.
	status, sent := c.api("POST", "/channel/actions/send", alice.access, map[string]any{"name": "quiz", "data": map[string]any{
		"question": "Which planet is closest to the sun?", "answers": []string{"Venus", "Mercury", "Mars"}, "correctAnswerIndex": 1, "duration": 15}})
	require.Equal(t, http.StatusOK, status, sent)
	require.NotEmpty(t, sent["expiry"])
	status, active := c.api("GET", "/channel/actions/active", alice.access, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, sent["startTime"], active["startTime"])

	// The health routes for that session, a few simulated minutes in.
	clk.Advance(3 * time.Minute)
	status, sessions := c.api("GET", "/metrics/"+channelID+"/streamSessions", alice.access, nil)
	require.Equal(t, http.StatusOK, status)
	list := sessions["streamSessions"].([]any)
	require.Len(t, list, 1)
	streamID := list[0].(map[string]any)["streamId"].(string)
	status, _ = c.api("GET", "/metrics/"+channelID+"/streamSessions", bob.access, nil)
	assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, "only the owner sees its sessions")
	status, detail := c.api("GET", "/metrics/"+channelID+"/streamSessions/"+streamID, alice.access, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, detail["isLive"])
	assert.NotNil(t, detail["ingestConfiguration"])
	assert.NotEmpty(t, detail["metrics"])

	resp, err = http.Post(s.AWSURL+"/_local/streams/alice/stop", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	eventually(t, 10*time.Second, func() bool {
		_, dir := c.api("GET", "/channels?isLive=true", "", nil)
		chans, _ := dir["channels"].([]any)
		return len(chans) == 0
	})

	// Password reset through the mailbox.
	_, err = c.cognito.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: aws.String("alice")})
	require.NoError(t, err)
	code := c.mail(alice.email, "ForgotPassword")
	alice.password = "N3w-Passw0rd!"
	_, err = c.cognito.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.ClientID),
		Username: aws.String("alice"), ConfirmationCode: aws.String(code), Password: aws.String(alice.password)})
	require.NoError(t, err)
	c.signIn(alice)

	// A custom avatar: presigned POST, upload, the S3 event updates the URL,
	// and the image is served.
	status, post := c.api("POST", "/channel/assets/imagePresignedPost/create", alice.access,
		map[string]string{"assetType": "avatar", "contentType": "image/png"})
	require.Equal(t, http.StatusOK, status, post)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for k, v := range post["fields"].(map[string]any) {
		require.NoError(t, mw.WriteField(k, v.(string)))
	}
	require.NoError(t, mw.WriteField("Content-Type", "image/png"))
	fw, err := mw.CreateFormFile("file", "avatar.png")
	require.NoError(t, err)
	_, _ = fw.Write(png)
	require.NoError(t, mw.Close())
	up, err := http.Post(post["url"].(string), mw.FormDataContentType(), &form)
	require.NoError(t, err)
	upBody, _ := io.ReadAll(up.Body)
	up.Body.Close()
	require.Less(t, up.StatusCode, 300, string(upBody))
	var avatarURL string
	eventually(t, 5*time.Second, func() bool {
		_, me := c.api("GET", "/channel", alice.access, nil)
		urls, _ := me["channelAssetUrls"].(map[string]any)
		avatarURL, _ = urls["avatar"].(string)
		return strings.Contains(avatarURL, "versionId=")
	})
	img, err := http.Get(avatarURL)
	require.NoError(t, err)
	got, _ := io.ReadAll(img.Body)
	img.Body.Close()
	assert.Equal(t, png, got, "the uploaded image is served at the stored URL")

	// Account deletion leaves no IVS channel, chat room or record behind.
	channelArn := me["channelArn"]
	if channelArn == nil {
		_, p := c.api("GET", "/channels/alice", "", nil)
		channelArn = p["channelArn"]
	}
	u, err := s.Store().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, u.ChannelArn, channelArn, "the channel the API showed is the one deleted")
	status, _ = c.api("DELETE", "/channel", alice.access, nil)
	require.Equal(t, http.StatusNoContent, status)
	_, err = sdkivs.NewFromConfig(cfg).GetChannel(ctx, &sdkivs.GetChannelInput{Arn: aws.String(u.ChannelArn)})
	assert.Error(t, err, "IVS channel deleted")
	_, err = sdkchat.NewFromConfig(cfg).GetRoom(ctx, &sdkchat.GetRoomInput{Identifier: aws.String(u.ChatRoomArn)})
	assert.Error(t, err, "chat room deleted")
	_, err = s.Store().GetUser(ctx, u.Sub)
	assert.Error(t, err, "profile deleted")
	_, err = c.cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("alice")})
	assert.Error(t, err, "Cognito user deleted")
	_, following = c.api("GET", "/channel/followingList", bob.access, nil)
	assert.Empty(t, following["channels"], "follow edges to the deleted user are gone")
	img, err = http.Get(avatarURL)
	require.NoError(t, err)
	img.Body.Close()
	assert.Equal(t, http.StatusNotFound, img.StatusCode, "uploaded images are deleted with the account")
}

// TestEveryRouteIsServed checks that every HTTP route of template.yaml reaches
// its function offline (a gateway-level 404 would mean it is not mounted).
func TestEveryRouteIsServed(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	s := boot(t, map[string]string{"EnableAmazonProductStreamAction": "true"}, nil)
	raw, err := readTemplate()
	require.NoError(t, err)
	tmpl, err := samtemplate.Parse(raw)
	require.NoError(t, err)
	n := 0
	for name, fn := range tmpl.Functions {
		for _, r := range fn.Routes {
			path := strings.NewReplacer("{", "x", "}", "").Replace(r.Path)
			req, err := http.NewRequest(r.Method, s.APIURL+path, strings.NewReader("{}"))
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			n++
			if r.Auth == samtemplate.AuthJWT {
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %s (%s) without a token", r.Method, r.Path, name)
				continue
			}
			assert.NotEqual(t, `{"message":"Not Found"}`, strings.TrimSpace(string(body)), fmt.Sprintf("%s %s (%s) is not served", r.Method, r.Path, name))
		}
	}
	assert.Greater(t, n, 20)
}

// TestStagesSelfSigningOffline opens a stage in self-signing mode: the stack
// sets up the key pair at boot, and the host's token is an ES384 JWT whose
// kid is the imported public key.
func TestStagesSelfSigningOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	s := boot(t, map[string]string{"EnableUserAutoVerify": "true", "StageTokenSigning": "self"}, nil)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(awsConfig(s))}
	ctx := context.Background()
	u := &user{name: "hostess", email: "hostess@example.com", password: "Passw0rd!x"}
	_, err := c.cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(u.name),
		Password: aws.String(u.password), UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}}})
	require.NoError(t, err, "auto-verify confirms without a code")
	c.signIn(u)
	status, _ := c.api("POST", "/channel/resources/create", u.access, map[string]string{"email": u.email})
	require.Equal(t, http.StatusCreated, status)

	status, out := c.api("POST", "/stages", u.access, map[string]any{"allowAnonymous": true})
	require.Equal(t, http.StatusCreated, status, out)
	status, again := c.api("POST", "/stages", u.access, map[string]any{"allowAnonymous": true})
	require.Equal(t, http.StatusOK, status, "one open stage per user")
	assert.Equal(t, out["stage"].(map[string]any)["id"], again["stage"].(map[string]any)["id"])
	tok := out["token"].(map[string]any)["token"].(string)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	var header map[string]string
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &header))
	assert.Equal(t, "ES384", header["alg"])
	assert.Contains(t, header["kid"], ":public-key/", "kid is the imported public key's ARN")
	keys, err := rt.NewFromConfig(awsConfig(s)).ListPublicKeys(ctx, &rt.ListPublicKeysInput{})
	require.NoError(t, err)
	require.Len(t, keys.PublicKeys, 1)
	assert.Equal(t, aws.ToString(keys.PublicKeys[0].Arn), header["kid"])

	status, _ = c.api("GET", "/stages", "", nil)
	assert.Equal(t, http.StatusOK, status)

	// The host's view, an invitation and a token: their times too.
	stageID := out["stage"].(map[string]any)["id"].(string)
	guest := &user{name: "guesty", email: "guesty@example.com", password: "Passw0rd!y"}
	_, err = c.cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(guest.name),
		Password: aws.String(guest.password), UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(guest.email)}}})
	require.NoError(t, err)
	status, inv := c.api("POST", "/stages/"+stageID+"/invites", u.access, map[string]string{"username": "guesty"})
	require.Equal(t, http.StatusOK, status, inv)
	status, tokOut := c.api("POST", "/stages/"+stageID+"/tokens", "", map[string]string{"role": "viewer"})
	require.Equal(t, http.StatusOK, status, tokOut)
	status, view := c.api("GET", "/stages/"+stageID, u.access, nil)
	require.Equal(t, http.StatusOK, status, view)
	assert.NotEmpty(t, view["stage"].(map[string]any)["invited"], view)
}
