package storetest

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

func counterCases() []testCase {
	// Counters expire by the real clock in DynamoDB (TTL), so these use it.
	later := func() time.Time { return time.Now().Add(time.Hour) }
	return []testCase{
		{"Counter/CountsPerName", func(t *testing.T, s store.Store) {
			for i := int64(1); i <= 3; i++ {
				n, err := s.IncrementCounter(ctx(t), "room|u1|100", later())
				require.NoError(t, err)
				assert.Equal(t, i, n)
			}
			n, err := s.IncrementCounter(ctx(t), "room|u2|100", later())
			require.NoError(t, err)
			assert.Equal(t, int64(1), n, "another name counts on its own")
			n, err = s.IncrementCounter(ctx(t), "room|u1|105", later())
			require.NoError(t, err)
			assert.Equal(t, int64(1), n, "another window counts on its own")
		}},
		{"Counter/RejectsAnEmptyName", func(t *testing.T, s store.Store) {
			_, err := s.IncrementCounter(ctx(t), "", later())
			requireCode(t, err, onair.Invalid)
		}},
		{"Counter/ConcurrentIncrementsAreAtomic", func(t *testing.T, s store.Store) {
			got := make([]int64, writers)
			errs := race(func(i int) error {
				var err error
				got[i], err = s.IncrementCounter(ctx(t), "busy", later())
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
			for i := range got {
				assert.Equal(t, int64(i+1), got[i], "every increment got its own value")
			}
		}},
	}
}
