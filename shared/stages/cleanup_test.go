package stages

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestCleanupThresholds(t *testing.T) {
	e := newEnv(t)
	fresh := e.open(t, e.ann, false)   // used 29 minutes ago: kept without asking IVS
	idle := e.open(t, e.bob, false)    // no session, idle 31 minutes: deleted
	crowded := e.open(t, e.cat, false) // idle record, but people connected: kept, marked active
	dave := e.store.addUser(onair.User{Sub: "sub-dan", Username: "dan"})
	emptied := e.open(t, dave, false) // session still active, nobody connected: deleted

	set := func(id string, last time.Time) {
		_, err := e.store.UpdateStage(e.ctx(), id, func(s *onair.Stage) error { s.LastActivity = last; return nil })
		require.NoError(t, err)
	}
	now := t0.Add(2 * time.Hour)
	e.clock.Set(now)
	set(fresh.ID, now.Add(-29*time.Minute))
	set(idle.ID, now.Add(-31*time.Minute))
	set(crowded.ID, now.Add(-3*time.Hour))
	set(emptied.ID, now.Add(-time.Hour))
	e.ivs.join(crowded.Arn, onair.RealTimeParticipant{ParticipantID: "p1", UserID: "x"})
	e.ivs.join(emptied.Arn, onair.RealTimeParticipant{ParticipantID: "p2", UserID: "y", State: onair.ParticipantDisconnected})

	rep, err := e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, CleanupReport{Checked: 4, Active: 2, Deleted: 2}, rep)

	for _, st := range []onair.Stage{fresh, crowded} {
		_, ok := e.store.stage(st.ID)
		assert.True(t, ok, st.ID)
		assert.Contains(t, e.ivs.stages, st.Arn)
	}
	for _, st := range []onair.Stage{idle, emptied} {
		_, ok := e.store.stage(st.ID)
		assert.False(t, ok, st.ID)
		assert.NotContains(t, e.ivs.stages, st.Arn)
		assert.Empty(t, e.store.user(st.OwnerSub).StageID, "the owner forgets the stage")
	}
	got, _ := e.store.stage(crowded.ID)
	assert.Equal(t, now, got.LastActivity, "a stage with participants counts as active now")

	// Once the crowd leaves, the stage goes IdleAfter later, not before.
	e.ivs.participants[crowded.Arn][0].State = onair.ParticipantDisconnected
	e.clock.Advance(29 * time.Minute)
	_, err = e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Contains(t, e.ivs.stages, crowded.Arn)
	e.clock.Advance(2 * time.Minute)
	_, err = e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.NotContains(t, e.ivs.stages, crowded.Arn)
	assert.Empty(t, e.store.user("sub-cat").StageID)
}

func TestCleanupIdleSettingAndFreshStagesCostNoIVSCalls(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *env) { c.IdleAfter = 5 * time.Minute })
	st := e.open(t, e.ann, false)
	e.clock.Advance(4 * time.Minute)
	before := e.ivs.count("GetStage")
	_, err := e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, before, e.ivs.count("GetStage"))
	e.clock.Advance(2 * time.Minute)
	rep, err := e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Deleted)
	assert.NotContains(t, e.ivs.stages, st.Arn)
}

func TestCleanupForgetsStagesGoneFromIVS(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	delete(e.ivs.stages, st.Arn)
	e.clock.Advance(time.Hour)
	rep, err := e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Deleted)
	_, ok := e.store.stage(st.ID)
	assert.False(t, ok)
	assert.Empty(t, e.store.user("sub-ann").StageID)
}

func TestCleanupSparesStageUsedSinceTheListing(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	e.clock.Advance(time.Hour)
	// A token is issued between the listing and the delete.
	e.ivs.onGetStage = func() {
		_, err := e.store.UpdateStage(e.ctx(), st.ID, func(s *onair.Stage) error { s.LastActivity = e.clock.Now(); return nil })
		require.NoError(t, err)
	}
	rep, err := e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, 0, rep.Deleted)
	assert.Contains(t, e.ivs.stages, st.Arn)
}

func TestCleanupDeletesOldOrphans(t *testing.T) {
	e := newEnv(t)
	now := t0.Add(time.Hour)
	e.clock.Set(now)
	tags := func(owner string, age time.Duration) map[string]string {
		return map[string]string{"project": "onair-test", "onair:owner": owner, "createdAt": now.Add(-age).Format(time.RFC3339Nano)}
	}
	old := e.ivs.addStage("OldOrphan001", tags("sub-ann", 45*time.Minute))
	young := e.ivs.addStage("NewOrphan001", tags("sub-bob", 5*time.Minute))
	foreign := e.ivs.addStage("Foreign00001", map[string]string{"project": "another-stack", "onair:owner": "sub-ann", "createdAt": "2020-01-01T00:00:00Z"})
	untagged := e.ivs.addStage("Manual000001", map[string]string{"project": "onair-test"})
	recorded := e.open(t, e.cat, false)
	_, err := e.store.UpdateStage(e.ctx(), recorded.ID, func(s *onair.Stage) error { s.LastActivity = now; return nil })
	require.NoError(t, err)
	e.ivs.stages[recorded.Arn] = func() onair.RealTimeStage {
		s := e.ivs.stages[recorded.Arn]
		s.Tags["createdAt"] = "2020-01-01T00:00:00Z"
		return s
	}()

	rep, err := e.svc.Cleanup(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Orphans)
	assert.NotContains(t, e.ivs.stages, old.Arn)
	for _, kept := range []onair.RealTimeStage{young, foreign, untagged, {Arn: recorded.Arn}} {
		assert.Contains(t, e.ivs.stages, kept.Arn)
	}
}

func TestCleanupGoesOnAfterAFailure(t *testing.T) {
	e := newEnv(t)
	a := e.open(t, e.ann, false)
	b := e.open(t, e.bob, false)
	e.clock.Advance(time.Hour)
	e.ivs.failArn = map[string]error{a.Arn: onair.Wrap(onair.Throttled, "TooManyRequestsException", "slow down", nil)}
	rep, err := e.svc.Cleanup(e.ctx())
	require.Error(t, err)
	assert.Equal(t, 1, rep.Failures)
	assert.Equal(t, 1, rep.Deleted)
	assert.Contains(t, e.ivs.stages, a.Arn)
	assert.NotContains(t, e.ivs.stages, b.Arn)
	assert.Contains(t, e.logs.String(), "stage cleanup failed")
}
