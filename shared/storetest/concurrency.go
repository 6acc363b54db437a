package storetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// writers is how many goroutines race in each concurrency test.
const writers = 20

// race runs f(i) for i in [0, writers) at once and returns their errors.
func race(f func(i int) error) []error {
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func concurrencyCases() []testCase {
	return []testCase{
		{"Concurrency/UpdateUserLosesNoUpdate", func(t *testing.T, s store.Store) {
			mustCreate(t, s, onair.User{Sub: "u1", Username: "alice"})
			errs := race(func(i int) error {
				_, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error {
					if u.ChannelAssets == nil {
						u.ChannelAssets = map[string]onair.Asset{}
					}
					u.ChannelAssets[fmt.Sprintf("k%02d", i)] = onair.Asset{URL: fmt.Sprint(i)}
					return nil
				})
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Len(t, got.ChannelAssets, writers, "every writer's item survived")
			assert.Equal(t, int64(writers+1), got.Version, "one version per write")
		}},
		{"Concurrency/PutFollowCreatesOnce", func(t *testing.T, s store.Store) {
			var mu sync.Mutex
			created := 0
			errs := race(func(i int) error {
				ok, err := s.PutFollow(ctx(t), onair.Follow{FollowerSub: "a", FollowedSub: "b", At: at(time.Duration(i) * time.Second)})
				if ok {
					mu.Lock()
					created++
					mu.Unlock()
				}
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, 1, created, "exactly one writer created the edge")
			list, err := s.ListFollowing(ctx(t), "a")
			require.NoError(t, err)
			assert.Len(t, list, 1)
		}},
		{"Concurrency/CreateUserOnce", func(t *testing.T, s store.Store) {
			errs := race(func(i int) error {
				return s.CreateUser(ctx(t), onair.User{Sub: "u1", Username: fmt.Sprint("name", i)})
			})
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					assert.ErrorIs(t, err, onair.ErrConflict)
				}
			}
			assert.Equal(t, 1, ok)
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version)
		}},
		{"Concurrency/UpdateSessionCreatesAndAppends", func(t *testing.T, s store.Store) {
			// Every writer finds the session missing at first: one creates
			// it, the others must re-apply their event to what it created.
			errs := race(func(i int) error {
				_, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
					id := fmt.Sprintf("e%02d", i)
					for _, e := range v.Events {
						if e.ID == id {
							return onair.ErrUnchanged
						}
					}
					v.Events = append(v.Events, onair.StreamEvent{ID: id, Time: at(time.Duration(i) * time.Second)})
					return nil
				})
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			got, err := s.GetSession(ctx(t), chanA, "st-1")
			require.NoError(t, err)
			var ids []string
			for _, e := range got.Events {
				ids = append(ids, e.ID)
			}
			sort.Strings(ids)
			var want []string
			for i := range writers {
				want = append(want, fmt.Sprintf("e%02d", i))
			}
			assert.Equal(t, want, ids)
			assert.Equal(t, int64(writers), got.Version)
		}},
		{"Concurrency/UpdateStageAndFnErrors", func(t *testing.T, s store.Store) {
			require.NoError(t, s.PutStage(ctx(t), onair.Stage{ID: "s1", CreatedAt: at(0)}))
			// Half the writers add an invitation, half fail after
			// changing the record: only the successful ones may show.
			errs := race(func(i int) error {
				_, err := s.UpdateStage(ctx(t), "s1", func(st *onair.Stage) error {
					if st.Invited == nil {
						st.Invited = map[string]time.Time{}
					}
					st.Invited[fmt.Sprint("guest", i)] = at(0)
					if i%2 == 1 {
						return errBoom
					}
					return nil
				})
				return err
			})
			for i, err := range errs {
				if i%2 == 1 {
					assert.True(t, errors.Is(err, errBoom), "writer %d: %v", i, err)
				} else {
					assert.NoError(t, err)
				}
			}
			got, err := s.GetStage(ctx(t), "s1")
			require.NoError(t, err)
			assert.Len(t, got.Invited, writers/2)
			for name := range got.Invited {
				var i int
				_, _ = fmt.Sscanf(name, "guest%d", &i)
				assert.Equal(t, 0, i%2, "failed writer %s leaked", name)
			}
			assert.Equal(t, int64(writers/2+1), got.Version)
		}},
	}
}
