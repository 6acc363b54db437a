package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/onair"
)

// crashChildEnv makes the test binary run the offline stack itself (run),
// so the crash test needs no separate build.
const crashChildEnv = "ONAIR_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestCrash is the kill -9 test of the offline stack (make crash; not part
// of make test, since a provisioning interrupted by the kill holds its claim
// for channels.ClaimTTL, two minutes, before a retry may take it over). Each
// round it runs a burst of concurrent sign-ups with first-login
// provisioning, renames, stream-key resets and account deletions, kills the
// stack (SIGKILL) in the middle of it, restarts it on the same data dir,
// signs everyone in again, retries every interrupted call until it succeeds,
// and checks the invariants: one IVS channel and one chat room per user, each
// the one the profile names; Cognito's preferred_username, the profile and
// the username index agree and the user signs in with the name shown; the
// stored stream key is the single key IVS holds; nothing is left of deleted
// accounts (no channel, room, profile, Cognito user, name).
//
//	ONAIR_CRASH=1 [ONAIR_CRASH_ROUNDS=2] [ONAIR_CRASH_USERS=12] go test -run TestCrash ./local/
func TestCrash(t *testing.T) {
	if os.Getenv("ONAIR_CRASH") == "" {
		t.Skip("the kill -9 crash test runs with ONAIR_CRASH=1 (make crash)")
	}
	rounds := envInt(t, "ONAIR_CRASH_ROUNDS", 2)
	perRound := envInt(t, "ONAIR_CRASH_USERS", 12)
	dir := t.TempDir()
	w := &world{t: t, dir: dir, users: map[string]*crashUser{}}
	w.start()
	defer w.kill()

	seq := 0
	for round := 1; round <= rounds; round++ {
		// The burst: new users sign up and provision; existing ones rename,
		// reset their key or delete their account.
		var ops []*op
		for i := range perRound {
			seq++
			u := &crashUser{login: fmt.Sprintf("crash%03d", seq), password: fmt.Sprintf("Passw0rd!%d", seq)}
			u.shown = u.login
			w.users[u.login] = u
			if i%2 == 0 {
				ops = append(ops, &op{kind: "signup", u: u})
				continue
			}
			// Half of them signed up already: the burst is their first
			// login's provisioning (sign-up's password hashing would
			// otherwise take most of the burst).
			require.NoError(t, w.signUp(context.Background(), u), u.login)
			ops = append(ops, &op{kind: "provision", u: u})
		}
		for _, u := range w.live() {
			if u.sub == "" || u.pending != nil {
				continue
			}
			switch rand.IntN(4) {
			case 0:
				ops = append(ops, &op{kind: "rename", u: u, name: fmt.Sprintf("R%d_%s", round, u.login)})
			case 1:
				ops = append(ops, &op{kind: "reset", u: u})
			case 2:
				ops = append(ops, &op{kind: "delete", u: u})
			}
		}
		// Tokens name the issuer, the stack's endpoint, which moved with
		// the restart: everyone signs in again first.
		for _, u := range w.live() {
			if u.sub != "" {
				require.NoError(t, w.signIn(context.Background(), u), u.login)
			}
		}
		killAfter := time.Duration(1500+rand.IntN(2500)) * time.Millisecond
		w.burst(ops, killAfter)
		t.Logf("round %d: killed after %s; calls done/made: %s", round, killAfter, tally(ops))

		began := time.Now()
		w.start()
		restarted := time.Since(began)
		for _, o := range ops {
			o.u.pending = o
		}
		w.retryAll()
		t.Logf("round %d: restart %s, every call retried to success in %s", round, restarted.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
		w.check()
	}
}

type crashUser struct {
	login, password string
	shown           string // the name the app shows: the profile's
	sub             string
	access          string
	deleted         bool
	pending         *op // the call of the last burst, until a retry finished it
}

type op struct {
	kind string // signup (then provision), provision, rename, reset, delete
	u    *crashUser
	name string // rename
	done bool
}

type world struct {
	t     *testing.T
	dir   string
	cmd   *exec.Cmd
	api   string
	aws   string
	cfg   map[string]any
	users map[string]*crashUser
	mu    sync.Mutex
}

var bannerURL = regexp.MustCompile(`^\s+(HTTP API|AWS endpoint)\s+(http://\S+)`)

// start runs the stack on the data dir, every listener on a free port.
func (w *world) start() {
	t := w.t
	t.Helper()
	free := "127.0.0.1:0"
	cmd := exec.Command(os.Args[0], "--data-dir", w.dir, "--template", "../template.yaml", "--web-dir", filepath.Join(w.dir, "no-web"),
		"--web-addr", free, "--api-addr", free, "--aws-addr", free, "--sfu-addr", free, "--rtmp-addr", free, "--webrtc-addr", free,
		"--parameter-overrides", "EnableUserAutoVerify=true")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	w.cmd = cmd
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if m := bannerURL.FindStringSubmatch(line); m != nil {
				if m[1] == "HTTP API" {
					w.api = m[2]
				} else {
					w.aws = m[2]
				}
			}
			if strings.Contains(line, "ready.") && !sent {
				sent = true
				ready <- nil
			}
		}
		if !sent {
			ready <- errors.New("the stack exited before it was ready")
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case err := <-ready:
		require.NoError(t, err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the stack did not start within 60 s: %s", stderr.String())
	}
	resp, err := http.Get(w.aws + "/_local/config")
	require.NoError(t, err)
	defer resp.Body.Close()
	w.cfg = map[string]any{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&w.cfg))
}

// kill ends the stack with SIGKILL: no shutdown code runs.
func (w *world) kill() {
	if w.cmd == nil || w.cmd.Process == nil {
		return
	}
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
	w.cmd = nil
}

func (w *world) live() []*crashUser {
	var out []*crashUser
	for _, u := range w.users {
		if !u.deleted {
			out = append(out, u)
		}
	}
	return out
}

func (w *world) awsConfig() aws.Config {
	return aws.Config{Region: w.cfg["region"].(string), BaseEndpoint: aws.String(w.aws),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
}

func (w *world) cognito() *cip.Client { return cip.NewFromConfig(w.awsConfig()) }

// tally says, per kind, how many calls finished before the kill.
func tally(ops []*op) string {
	kinds := []string{"signup", "provision", "rename", "reset", "delete"}
	done, made := map[string]int{}, map[string]int{}
	for _, o := range ops {
		made[o.kind]++
		if o.done {
			done[o.kind]++
		}
	}
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d/%d", k, done[k], made[k]))
	}
	return strings.Join(parts, ", ")
}

// burst runs ops at once and kills the stack after d.
func (w *world) burst(ops []*op, d time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, o := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the calls over the burst.
			time.Sleep(time.Duration(rand.IntN(int(d/time.Millisecond)+200)) * time.Millisecond)
			o.done = w.do(ctx, o) == nil
		}()
	}
	time.Sleep(d)
	w.kill()
	cancel()
	wg.Wait()
}

// errRetry: the call was refused for now (409, 5xx, a closed connection).
var errRetry = errors.New("retry")

// do makes one call of o; nil when it succeeded.
func (w *world) do(ctx context.Context, o *op) error {
	u := o.u
	switch o.kind {
	case "signup", "provision":
		if u.access == "" {
			if err := w.signUp(ctx, u); err != nil {
				return err
			}
		}
		status, _, err := w.call(ctx, "POST", "/channel/resources/create", u.access, nil)
		if err != nil {
			return err
		}
		if status != http.StatusCreated && status != http.StatusOK {
			return fmt.Errorf("%w: provisioning %d", errRetry, status)
		}
		return nil
	case "rename":
		status, body, err := w.call(ctx, "PUT", "/channel/username/update", u.access, map[string]string{"newUsername": o.name})
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("%w: rename %d %s", errRetry, status, body["__type"])
		}
		w.mu.Lock()
		u.shown = o.name
		w.mu.Unlock()
		return nil
	case "reset":
		status, _, err := w.call(ctx, "POST", "/channel/streamKey/reset", u.access, nil)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("%w: reset %d", errRetry, status)
		}
		return nil
	case "delete":
		status, _, err := w.call(ctx, "DELETE", "/channel", u.access, nil)
		if err != nil {
			return err
		}
		if status != http.StatusNoContent {
			return fmt.Errorf("%w: delete %d", errRetry, status)
		}
		return nil
	}
	return fmt.Errorf("unknown op %s", o.kind)
}

// signUp registers u (an existing user is fine: a retry) and signs in.
func (w *world) signUp(ctx context.Context, u *crashUser) error {
	_, err := w.cognito().SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(w.cfg["userPoolClientId"].(string)), Username: aws.String(u.login), Password: aws.String(u.password),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(u.login + "@example.com")}},
	})
	var exists *ciptypes.UsernameExistsException
	if err != nil && !errors.As(err, &exists) {
		return err
	}
	return w.signIn(ctx, u)
}

// signIn signs u in under the name the app shows, or, after a rename that
// may not have reached Cognito, the other name it may have.
func (w *world) signIn(ctx context.Context, u *crashUser) error {
	names := []string{u.shown}
	if o := u.pending; o != nil && o.kind == "rename" {
		names = append(names, o.name)
	}
	var last error
	for _, name := range append(names, u.login) {
		out, err := w.cognito().InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(w.cfg["userPoolClientId"].(string)), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": u.login, "PASSWORD": u.password},
			ClientMetadata: map[string]string{"submittedUsername": name},
		})
		if err == nil {
			w.mu.Lock()
			u.access = aws.ToString(out.AuthenticationResult.AccessToken)
			w.mu.Unlock()
			return nil
		}
		last = err
	}
	return last
}

func (w *world) call(ctx context.Context, method, path, token string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, w.api+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", errRetry, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, nil
}

// retryAll signs every user in again (tokens of the killed stack are still
// valid, but a user whose sign-up was cut short has none), then retries each
// interrupted call until it succeeds: a claim left by the killed stack
// answers 409 until it is stale (a key reset's after 20 s, a provisioning's
// after two minutes).
func (w *world) retryAll() {
	t := w.t
	deadline := time.Now().Add(channels.ClaimTTL + time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, len(w.users))
	for _, u := range w.users {
		if u.pending == nil || u.deleted {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := u.pending
			for {
				err := w.retryOnce(o)
				if err == nil {
					w.mu.Lock()
					u.pending = nil
					if o.kind == "delete" {
						u.deleted = true
					}
					w.mu.Unlock()
					return
				}
				if time.Now().After(deadline) {
					errs <- fmt.Errorf("%s of %s never succeeded: %w", o.kind, u.login, err)
					return
				}
				time.Sleep(time.Second)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
}

func (w *world) retryOnce(o *op) error {
	ctx := context.Background()
	u := o.u
	if err := w.signIn(ctx, u); err != nil {
		switch {
		case o.kind == "delete" && w.subOf(u) == "":
			return nil // the killed request got as far as the Cognito user: done
		case o.kind == "signup" || o.kind == "provision":
			u.access = "" // signs up (again: an existing user is fine) first
		default:
			return err
		}
	}
	if err := w.do(ctx, o); err != nil {
		return err
	}
	if o.kind == "signup" || o.kind == "provision" {
		if u.sub = w.subOf(u); u.sub == "" {
			return fmt.Errorf("%w: no sub for %s", errRetry, u.login)
		}
	}
	return nil
}

func (w *world) subOf(u *crashUser) string {
	out, err := w.cognito().AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(w.cfg["userPoolId"].(string)), Username: aws.String(u.login)})
	if err != nil {
		return ""
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// check verifies the invariants over every user, IVS channel and room.
func (w *world) check() {
	t := w.t
	ctx := context.Background()
	cfg := w.awsConfig()
	ivs, chat, cog := sdkivs.NewFromConfig(cfg), sdkchat.NewFromConfig(cfg), w.cognito()
	pool := w.cfg["userPoolId"].(string)

	// Every channel and room by owner.
	chans := map[string][]string{}
	var next *string
	for {
		out, err := ivs.ListChannels(ctx, &sdkivs.ListChannelsInput{NextToken: next})
		require.NoError(t, err)
		for _, c := range out.Channels {
			chans[c.Tags[onair.TagOwner]] = append(chans[c.Tags[onair.TagOwner]], aws.ToString(c.Arn))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	rooms := map[string][]string{}
	next = nil
	for {
		out, err := chat.ListRooms(ctx, &sdkchat.ListRoomsInput{NextToken: next})
		require.NoError(t, err)
		for _, r := range out.Rooms {
			rooms[r.Tags[onair.TagOwner]] = append(rooms[r.Tags[onair.TagOwner]], aws.ToString(r.Arn))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}

	owners := map[string]bool{}
	for _, u := range w.users {
		if u.deleted {
			_, err := cog.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(u.login)})
			assert.Error(t, err, "%s: deleted, no Cognito user", u.login)
			if u.sub != "" {
				assert.Empty(t, chans[u.sub], "%s: deleted, no channel", u.login)
				assert.Empty(t, rooms[u.sub], "%s: deleted, no room", u.login)
			}
			status, _, err := w.call(ctx, "GET", "/channels/"+u.shown, "", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusNotFound, status, "%s: deleted, its name %s is free", u.login, u.shown)
			continue
		}
		require.NotEmpty(t, u.sub, "%s has a Cognito user", u.login)
		owners[u.sub] = true
		require.NoError(t, w.signIn(ctx, u), "%s signs in", u.login)
		status, me, err := w.call(ctx, "GET", "/channel", u.access, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status, "%s: GET /channel %v", u.login, me)
		name, _ := me["username"].(string)

		// Names agree: Cognito, profile, the name's index entry, sign-in.
		got, err := cog.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(u.login)})
		require.NoError(t, err)
		preferred := ""
		for _, a := range got.UserAttributes {
			if aws.ToString(a.Name) == "preferred_username" {
				preferred = aws.ToString(a.Value)
			}
		}
		if preferred == "" {
			assert.Equal(t, u.login, name, "%s: never renamed in Cognito, so the profile keeps the login", u.login)
		} else {
			assert.Equal(t, preferred, name, "%s: Cognito's preferred_username is the profile's name", u.login)
		}
		assert.Equal(t, u.shown, name, "%s: the rename that returned 200 last is the name", u.login)
		status, page, err := w.call(ctx, "GET", "/channels/"+name, "", nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status, "%s: its channel page by name %s", u.login, name)
		assert.Equal(t, name, page["username"], "%s: the name's owner", u.login)
		u.access = ""
		u.shown = name
		require.NoError(t, w.signIn(ctx, u), "%s signs in with the name shown", u.login)

		// One channel, one room, the profile's; one stream key, the stored one.
		assert.Len(t, chans[u.sub], 1, "%s: one channel", u.login)
		assert.Len(t, rooms[u.sub], 1, "%s: one room", u.login)
		if len(chans[u.sub]) == 1 {
			arn := chans[u.sub][0]
			assert.Equal(t, onair.ResourceID(arn), me["channelResourceId"], "%s: the profile's channel", u.login)
			keys, err := ivs.ListStreamKeys(ctx, &sdkivs.ListStreamKeysInput{ChannelArn: aws.String(arn)})
			require.NoError(t, err)
			if assert.Len(t, keys.StreamKeys, 1, "%s: one stream key", u.login) {
				k, err := ivs.GetStreamKey(ctx, &sdkivs.GetStreamKeyInput{Arn: keys.StreamKeys[0].Arn})
				require.NoError(t, err)
				assert.Equal(t, aws.ToString(k.StreamKey.Value), me["streamKeyValue"], "%s: the stored key is IVS's", u.login)
			}
		}
	}
	for owner, arns := range chans {
		assert.True(t, owners[owner], "channels %v of %q: no live user owns them (orphans)", arns, owner)
	}
	for owner, arns := range rooms {
		assert.True(t, owners[owner], "rooms %v of %q: no live user owns them (orphans)", arns, owner)
	}
	if t.Failed() {
		t.FailNow()
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	return n
}
