package stack_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/stack"
	"github.com/onair/onair/shared/iam"
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
