package stages

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestOpenStageCreatesOnceAndReturnsTheSameStage(t *testing.T) {
	e := newEnv(t)
	yes := true
	o, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), &yes)
	require.NoError(t, err)
	assert.True(t, o.Created)
	require.Equal(t, 1, e.ivs.count("CreateStage"))

	live := e.ivs.stages[o.Stage.Arn]
	assert.Equal(t, "Ann-stage", live.Name)
	assert.Equal(t, map[string]string{"project": "onair-test", "onair:owner": "sub-ann", "createdAt": t0.Format(time.RFC3339Nano)}, live.Tags)

	st, ok := e.store.stage(o.Stage.ID)
	require.True(t, ok)
	assert.Equal(t, "sub-ann", st.OwnerSub)
	assert.True(t, st.AllowAnonymous)
	assert.Equal(t, live.Endpoints, st.Endpoints)
	assert.Equal(t, t0, st.CreatedAt)
	assert.Equal(t, t0, st.LastActivity)
	u := e.store.user("sub-ann")
	assert.Equal(t, o.Stage.ID, u.StageID)
	assert.Nil(t, u.StageClaim, "the claim is released")

	again, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, o.Stage.ID, again.Stage.ID)
	assert.True(t, again.Stage.AllowAnonymous, "nil leaves the setting alone")
	assert.Equal(t, 1, e.ivs.count("CreateStage"))

	no := false
	again, err = e.svc.OpenStage(e.ctx(), *caller(e.ann), &no)
	require.NoError(t, err)
	assert.False(t, again.Stage.AllowAnonymous, "an explicit setting updates the open stage")
	st, _ = e.store.stage(o.Stage.ID)
	assert.False(t, st.AllowAnonymous)
}

func TestOpenStageConcurrentCallsCreateOneStage(t *testing.T) {
	e := newEnv(t)
	// Hold CreateStage open long enough for every other call to hit the claim.
	e.ivs.onCreate = func() { time.Sleep(50 * time.Millisecond) }
	const n = 8
	var wg sync.WaitGroup
	results := make([]Opened, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, e.ivs.count("CreateStage"))
	assert.Len(t, e.ivs.stages, 1)
	id := e.store.user("sub-ann").StageID
	require.NotEmpty(t, id)
	for i := range n {
		if errs[i] != nil {
			assert.Equal(t, StageBusyType, onair.ErrorType(errs[i]))
			assert.Equal(t, onair.Conflict, onair.ErrorCode(errs[i]))
			continue
		}
		assert.Equal(t, id, results[i].Stage.ID)
	}
}

func TestOpenStageRefusedWhileAnotherAttemptHoldsTheClaim(t *testing.T) {
	e := newEnv(t)
	_, err := e.store.UpdateUser(e.ctx(), "sub-ann", func(u *onair.User) error {
		u.StageClaim = &onair.Claim{Token: "other", StartedAt: t0.Add(-10 * time.Second)}
		return nil
	})
	require.NoError(t, err)
	_, err = e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	assert.Equal(t, StageBusyType, onair.ErrorType(err))
	assert.Equal(t, 0, e.ivs.count("CreateStage"))
	assert.Equal(t, "other", e.store.user("sub-ann").StageClaim.Token, "someone else's claim is left alone")
}

func TestOpenStageAdoptsOrphanAfterStaleClaim(t *testing.T) {
	e := newEnv(t)
	_, err := e.store.UpdateUser(e.ctx(), "sub-ann", func(u *onair.User) error {
		u.StageClaim = &onair.Claim{Token: "dead", StartedAt: t0.Add(-5 * time.Minute)}
		return nil
	})
	require.NoError(t, err)
	older := e.ivs.addStage("OldOrphan001", map[string]string{"project": "onair-test", "onair:owner": "sub-ann", "createdAt": "2026-01-10T17:00:00Z"})
	newer := e.ivs.addStage("NewOrphan001", map[string]string{"project": "onair-test", "onair:owner": "sub-ann", "createdAt": "2026-01-10T17:30:00Z"})
	other := e.ivs.addStage("BobsStage001", map[string]string{"project": "onair-test", "onair:owner": "sub-bob", "createdAt": "2026-01-10T17:00:00Z"})

	o, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.NoError(t, err)
	assert.Equal(t, "NewOrphan001", o.Stage.ID, "the newest orphan is adopted")
	assert.Equal(t, 0, e.ivs.count("CreateStage"))
	assert.Equal(t, time.Date(2026, 1, 10, 17, 30, 0, 0, time.UTC), o.Stage.CreatedAt, "creation time comes from the tag")
	assert.Equal(t, newer.Endpoints, o.Stage.Endpoints, "endpoints come from GetStage")
	assert.NotContains(t, e.ivs.stages, older.Arn, "surplus orphans are deleted")
	assert.Contains(t, e.ivs.stages, other.Arn, "other users' stages are not touched")
	assert.Equal(t, "NewOrphan001", e.store.user("sub-ann").StageID)
}

func TestOpenStageRetryAdoptsStageLeftByFailedRecord(t *testing.T) {
	e := newEnv(t)
	e.store.Fail("PutStage", errors.New("dynamo: boom"))
	_, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.Error(t, err)
	assert.Equal(t, onair.Internal, onair.ErrorCode(err))
	u := e.store.user("sub-ann")
	require.NotNil(t, u.StageClaim, "the claim stays, stale, to make the retry look for the stage")
	assert.True(t, u.StageClaim.StartedAt.IsZero())
	assert.Empty(t, u.StageID)
	require.Len(t, e.ivs.stages, 1)

	o, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, e.ivs.count("CreateStage"), "the retry adopts instead of creating")
	assert.Len(t, e.ivs.stages, 1)
	assert.Equal(t, o.Stage.ID, e.store.user("sub-ann").StageID)
	assert.Nil(t, e.store.user("sub-ann").StageClaim)
}

func TestOpenStageReleasesClaimWhenIVSFails(t *testing.T) {
	e := newEnv(t)
	e.ivs.fail["CreateStage"] = onair.Wrap(onair.Throttled, "ServiceQuotaExceededException", "A service quota was reached.", nil)
	_, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	assert.Equal(t, "ServiceQuotaExceededException", onair.ErrorType(err))
	assert.Nil(t, e.store.user("sub-ann").StageClaim)
	delete(e.ivs.fail, "CreateStage")
	_, err = e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.NoError(t, err)
	assert.Equal(t, 0, e.ivs.count("ListStagesTagged"), "no orphan search after a clean failure")
}

func TestOpenStageReplacesStageDeletedOutsideOnair(t *testing.T) {
	e := newEnv(t)
	first := e.open(t, e.ann, false)
	delete(e.ivs.stages, first.Arn)
	o, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, o.Stage.ID)
	_, ok := e.store.stage(first.ID)
	assert.False(t, ok, "the dead record is dropped")
	assert.Equal(t, o.Stage.ID, e.store.user("sub-ann").StageID)
}

func TestOpenStageWithoutProfile(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.OpenStage(e.ctx(), onair.Caller{Sub: "sub-nobody"}, nil)
	assert.Equal(t, UserNotFoundType, onair.ErrorType(err))
	assert.Equal(t, onair.NotFound, onair.ErrorCode(err))
}

func TestOpenStageLosingTheClaimKeepsTheWinnersStage(t *testing.T) {
	e := newEnv(t)
	winner := e.ivs.addStage("Winner000001", map[string]string{"project": "onair-test", "onair:owner": "sub-ann"})
	// While our CreateStage runs, another attempt takes the claim over and
	// commits its own stage.
	e.ivs.onCreate = func() {
		require.NoError(t, e.store.PutStage(e.ctx(), onair.Stage{ID: "Winner000001", Arn: winner.Arn, OwnerSub: "sub-ann", CreatedAt: t0}))
		_, err := e.store.UpdateUser(e.ctx(), "sub-ann", func(u *onair.User) error {
			u.StageClaim = nil
			u.StageID = "Winner000001"
			return nil
		})
		require.NoError(t, err)
	}
	o, err := e.svc.OpenStage(e.ctx(), *caller(e.ann), nil)
	require.NoError(t, err)
	assert.Equal(t, "Winner000001", o.Stage.ID)
	assert.Len(t, e.ivs.stages, 1, "our surplus stage is deleted")
	assert.Contains(t, e.ivs.stages, winner.Arn)
	stages, err := e.store.ListStages(e.ctx(), 10)
	require.NoError(t, err)
	assert.Len(t, stages, 1)
}

func TestStageNameUsesIVSAlphabet(t *testing.T) {
	assert.Equal(t, "Ann-stage", stageName(onair.User{Username: "Ann"}))
	assert.Equal(t, "a_b-c-stage", stageName(onair.User{Username: "a_b-c"}))
	assert.Equal(t, "ab-stage", stageName(onair.User{Username: "a b!"}))
	assert.Equal(t, "user-stage", stageName(onair.User{Username: "!!"}))
}
