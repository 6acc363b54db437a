package channels

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/accounts"
	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/dynamo/dynamotest"
	"github.com/onair/onair/shared/onair"
)

// crasher ends the goroutine of a request (runtime.Goexit: no further code
// of the request runs, as when the process dies or Lambda times out) at the
// at-th side effect it sees, before or after performing it.
type crasher struct {
	mu      sync.Mutex
	n, at   int
	after   bool
	armed   bool
	crashed bool
}

func (c *crasher) step(do func() error) error {
	c.mu.Lock()
	hit := c.armed && c.n == c.at
	c.n++
	if hit {
		c.crashed = true
	}
	c.mu.Unlock()
	if hit && !c.after {
		runtime.Goexit()
	}
	err := do()
	if hit {
		runtime.Goexit()
	}
	return err
}

// disarm lets every later call through; it reports whether a crash happened.
func (c *crasher) disarm() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	return c.crashed
}

// crashingStore and crashingAccounts put a crasher in front of every write
// a rename makes.
type crashingStore struct {
	Store
	c *crasher
}

func (s crashingStore) UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (u onair.User, err error) {
	err = s.c.step(func() error {
		u, err = s.Store.UpdateUser(ctx, sub, fn)
		return err
	})
	return u, err
}

type crashingAccounts struct {
	Accounts
	c *crasher
}

func (a crashingAccounts) AdminUpdateUserAttributes(ctx context.Context, username string, attrs map[string]string) error {
	return a.c.step(func() error { return a.Accounts.AdminUpdateUserAttributes(ctx, username, attrs) })
}

// renameStore is a real store adapter the rename tests run on.
type renameStore struct {
	name string
	open func(t *testing.T) Store
}

// renameStores: bbolt on a temporary file, and DynamoDB on moto_server
// (dynamotest; without it the dynamodb subtest is skipped with the reason).
func renameStores(t *testing.T) []renameStore {
	cfg, skip := dynamotest.Endpoint(t)
	return []renameStore{
		{name: "bolt", open: func(t *testing.T) Store {
			return bolttest.New(t)
		}},
		{name: "dynamodb", open: func(t *testing.T) Store {
			if skip != "" {
				t.Skip(skip)
			}
			return dynamotest.Open(t, cfg)
		}},
	}
}

// crashRun runs one request on its own goroutine, which c may end.
func crashRun(req func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		req()
	}()
	<-done
}

// TestRenameConvergesAfterACrashAtEachStep interrupts a rename at each of
// its writes (the intent, Cognito, the profile), before and after the write
// lands, then makes the next call: the same rename retried, GET /channel,
// or a rename to a third name once the intent is stale. Afterwards Cognito's
// preferred_username, the profile and the username index name one user, the
// names not kept are free, no intent is left, and the pre-authentication
// trigger lets the user in under the name the app shows. It runs on bbolt
// and on DynamoDB (moto).
func TestRenameConvergesAfterACrashAtEachStep(t *testing.T) {
	nexts := []string{"retry", "get channel", "rename again later"}
	for _, sc := range renameStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.open(t)
			ctx := context.Background()
			for op := range 3 {
				for _, after := range []bool{false, true} {
					for ni, next := range nexts {
						when := "before"
						if after {
							when = "after"
						}
						name := fmt.Sprintf("crash %s write %d, then %s", when, op+1, next)
						t.Run(name, func(t *testing.T) {
							id := fmt.Sprintf("%d%d%d", op, btoi(after), ni)
							caller := onair.Caller{Sub: "sub-" + id, Username: "user" + id}
							oldName, newName, thirdName := caller.Username, "New_"+id, "Third_"+id
							require.NoError(t, st.CreateUser(ctx, onair.User{
								Sub: caller.Sub, Username: oldName, Email: caller.Username + "@example.com",
								ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/" + id, CreatedAt: testNow,
							}))
							cognito := newFakeAccounts(&journal{})
							cognito.add(caller.Username, map[string]string{"sub": caller.Sub})
							now := testNow
							c := &crasher{at: op, after: after, armed: true}
							svc := &service{
								Store: crashingStore{st, c}, Accounts: crashingAccounts{cognito, c},
								Now: func() time.Time { return now },
							}

							crashRun(func() { _, _ = svc.Rename(ctx, caller, newName) })
							require.True(t, c.disarm(), "the rename was interrupted")

							want := newName
							switch next {
							case "retry":
								got, err := svc.Rename(ctx, caller, newName)
								require.NoError(t, err)
								assert.Equal(t, newName, got)
							case "get channel":
								w := do(svc.GetChannel(), caller, http.MethodGet, "/channel", "")
								require.Equal(t, http.StatusOK, w.Code, w.Body.String())
								if op == 0 && !after {
									want = oldName // the rename left no trace: nothing to finish
								}
								assert.Contains(t, w.Body.String(), `"username":"`+want+`"`, "the name shown is the name settled on")
							case "rename again later":
								got, err := svc.Rename(ctx, caller, thirdName)
								if pending := (op > 0 || after) && !(op == 2 && after); pending {
									// An intent is pending: a rename to
									// another name waits until it is stale.
									require.Equal(t, onair.Conflict, onair.ErrorCode(err), "%v", err)
									now = now.Add(RenameTTL)
									got, err = svc.Rename(ctx, caller, thirdName)
								}
								require.NoError(t, err)
								assert.Equal(t, thirdName, got)
								want = thirdName
							}
							assertOneName(t, st, cognito, caller, want, oldName, newName, thirdName)
						})
					}
				}
			}
		})
	}
}

// TestRenameUndoneWhenTheNameWasTakenMeanwhile: a rename interrupted before
// Cognito took the new name, which another user then took, is undone by the
// next call: the user keeps the old name everywhere.
func TestRenameUndoneWhenTheNameWasTakenMeanwhile(t *testing.T) {
	for _, sc := range renameStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.open(t)
			ctx := context.Background()
			caller := onair.Caller{Sub: "sub-alice", Username: "alice"}
			require.NoError(t, st.CreateUser(ctx, onair.User{Sub: caller.Sub, Username: "alice", Email: "alice@example.com",
				ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/a", CreatedAt: testNow}))
			cognito := newFakeAccounts(&journal{})
			cognito.add("alice", map[string]string{"sub": caller.Sub})
			c := &crasher{at: 0, after: true, armed: true} // died after writing the intent
			svc := &service{Store: crashingStore{st, c}, Accounts: crashingAccounts{cognito, c}, Now: func() time.Time { return testNow }}
			crashRun(func() { _, _ = svc.Rename(ctx, caller, "Wanted") })
			require.True(t, c.disarm())

			cognito.add("carol", map[string]string{"sub": "sub-carol", "preferred_username": "wanted"})
			w := do(svc.GetChannel(), caller, http.MethodGet, "/channel", "")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), `"username":"alice"`)
			assertOneName(t, st, cognito, caller, "alice", "Wanted")
		})
	}
}

// assertOneName checks that caller's Cognito user, profile and username index
// agree on want, with no rename pending, that every other name in names is
// free of caller, and that sign-in under want passes the trigger.
func assertOneName(t *testing.T, st Store, cognito *fakeAccounts, caller onair.Caller, want string, names ...string) {
	t.Helper()
	ctx := context.Background()
	p, err := st.GetUser(ctx, caller.Sub)
	require.NoError(t, err)
	assert.Equal(t, want, p.Username, "profile")
	assert.Nil(t, p.Rename, "no rename left pending")
	preferred := cognito.attr(caller.Username, "preferred_username")
	if preferred == "" {
		assert.Equal(t, caller.Username, want, "never renamed in Cognito: the profile keeps the Cognito username")
	} else {
		assert.Equal(t, want, preferred, "Cognito preferred_username")
	}
	owner, err := st.GetUserByUsername(ctx, want)
	require.NoError(t, err)
	assert.Equal(t, caller.Sub, owner.Sub, "the name's index entry is the caller's")
	for _, n := range names {
		if n == want {
			continue
		}
		_, err := st.GetUserByUsername(ctx, n)
		assert.ErrorIs(t, err, onair.ErrNotFound, "%s is free", n)
	}
	var ev events.CognitoEventUserPoolsPreAuthentication
	ev.Request.UserAttributes = map[string]string{"preferred_username": preferred}
	ev.Request.ValidationData = map[string]string{"submittedUsername": p.Username}
	_, err = accounts.PreAuthentication(ctx, ev)
	assert.NoError(t, err, "sign-in under the name the app shows")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRenameSettleCrashesToo: the call settling an interrupted rename may be
// interrupted itself, at each of its writes (Cognito, the profile); the call
// after it still converges.
func TestRenameSettleCrashesToo(t *testing.T) {
	for _, sc := range renameStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.open(t)
			ctx := context.Background()
			for op := range 2 {
				for _, after := range []bool{false, true} {
					id := fmt.Sprintf("%d%d", op, btoi(after))
					caller := onair.Caller{Sub: "sub-s" + id, Username: "settle" + id}
					require.NoError(t, st.CreateUser(ctx, onair.User{Sub: caller.Sub, Username: caller.Username,
						ChannelArn: "arn:aws:ivs:us-east-1:111122223333:channel/s" + id, CreatedAt: testNow}))
					cognito := newFakeAccounts(&journal{})
					cognito.add(caller.Username, map[string]string{"sub": caller.Sub})
					c := &crasher{at: 1, after: true, armed: true} // the rename died after Cognito took the name
					svc := &service{Store: crashingStore{st, c}, Accounts: crashingAccounts{cognito, c}, Now: func() time.Time { return testNow }}
					crashRun(func() { _, _ = svc.Rename(ctx, caller, "Renamed_"+id) })
					require.True(t, c.disarm())

					c2 := &crasher{at: op, after: after, armed: true}
					svc2 := &service{Store: crashingStore{st, c2}, Accounts: crashingAccounts{cognito, c2}, Now: func() time.Time { return testNow }}
					crashRun(func() { do(svc2.GetChannel(), caller, http.MethodGet, "/channel", "") })
					require.True(t, c2.disarm(), "the settling call was interrupted at write %d", op+1)

					w := do(svc2.GetChannel(), caller, http.MethodGet, "/channel", "")
					require.Equal(t, http.StatusOK, w.Code, w.Body.String())
					assertOneName(t, st, cognito, caller, "Renamed_"+id, caller.Username)
				}
			}
		})
	}
}
