package stages

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func stageEvent(id, stageArn, name, pid, user string, at time.Time) events.EventBridgeEvent {
	d, _ := json.Marshal(StageUpdateDetail{SessionID: "st-1AbCdEfGhIjKl", EventName: name, EventTime: at.Format(time.RFC3339), UserID: user, ParticipantID: pid})
	return events.EventBridgeEvent{ID: id, DetailType: StageUpdateType, Source: "aws.ivs", Time: at, Resources: []string{stageArn}, Detail: d}
}

// state is what the events decide, without the bookkeeping (event ids).
func state(st onair.Stage) map[string]string {
	out := map[string]string{"lastActivity": st.LastActivity.Format(time.RFC3339)}
	for id, p := range st.Publishing {
		out[id] = fmt.Sprintf("published=%v at=%s user=%s session=%s", p.Published, p.EventTime.Format(time.RFC3339), p.UserID, p.SessionID)
	}
	return out
}

func TestStageEventsAreIdempotentAndOrderIndependent(t *testing.T) {
	arn := "arn:aws:ivs:us-east-1:111122223333:stage/Stage0000001"
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	evs := []events.EventBridgeEvent{
		stageEvent("e1", arn, EventPublished, "pA", "sub-ann", at(10)),
		stageEvent("e2", arn, EventUnpublished, "pA", "sub-ann", at(70)),
		stageEvent("e3", arn, EventPublished, "pA", "sub-ann", at(90)), // republished
		stageEvent("e4", arn, EventPublished, "pB", "sub-bob", at(20)),
		stageEvent("e5", arn, EventUnpublished, "pB", "sub-bob", at(60)),
		stageEvent("e6", arn, EventPublishError, "pC", "sub-cat", at(30)),
		stageEvent("e7", arn, EventPublished, "pD", "sub-dan", at(40)),
		// Same second: stopping wins, whatever the order.
		stageEvent("e8", arn, EventPublished, "pE", "sub-eve", at(50)),
		stageEvent("e9", arn, EventUnpublished, "pE", "sub-eve", at(50)),
	}
	want := map[string]string{
		"lastActivity": at(90).Format(time.RFC3339),
		"pA":           "published=true at=" + at(90).Format(time.RFC3339) + " user=sub-ann session=st-1AbCdEfGhIjKl",
		"pB":           "published=false at=" + at(60).Format(time.RFC3339) + " user=sub-bob session=st-1AbCdEfGhIjKl",
		"pC":           "published=false at=" + at(30).Format(time.RFC3339) + " user=sub-cat session=st-1AbCdEfGhIjKl",
		"pD":           "published=true at=" + at(40).Format(time.RFC3339) + " user=sub-dan session=st-1AbCdEfGhIjKl",
		"pE":           "published=false at=" + at(50).Format(time.RFC3339) + " user=sub-eve session=st-1AbCdEfGhIjKl",
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 50 {
		e := newEnv(t)
		e.store.putStage(onair.Stage{ID: "Stage0000001", Arn: arn, OwnerSub: "sub-ann", CreatedAt: t0, LastActivity: t0})
		// Every event once, then random duplicates, all shuffled.
		batch := append([]events.EventBridgeEvent(nil), evs...)
		for range 10 {
			batch = append(batch, evs[rng.IntN(len(evs))])
		}
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		for _, ev := range batch {
			require.NoError(t, e.svc.HandleEvent(e.ctx(), ev))
		}
		st, _ := e.store.stage("Stage0000001")
		require.Equal(t, want, state(st), "run %d", run)
	}
}

func TestStageEventRedeliveryWritesNothing(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	ev := stageEvent("e1", st.Arn, EventPublished, "pA", "sub-ann", t0.Add(time.Minute))
	require.NoError(t, e.svc.HandleEvent(e.ctx(), ev))
	got, _ := e.store.stage(st.ID)
	v := got.Version
	assert.Equal(t, []string{"e1"}, got.Publishing["pA"].EventIDs)
	assert.Equal(t, t0.Add(time.Minute), got.LastActivity)
	require.NoError(t, e.svc.HandleEvent(e.ctx(), ev))
	got, _ = e.store.stage(st.ID)
	assert.Equal(t, v, got.Version)

	// An older event for the same participant changes nothing either.
	require.NoError(t, e.svc.HandleEvent(e.ctx(), stageEvent("e0", st.Arn, EventUnpublished, "pA", "sub-ann", t0)))
	got, _ = e.store.stage(st.ID)
	assert.Equal(t, v, got.Version)
	assert.True(t, got.Publishing["pA"].Published)
}

func TestStageEventsThatAreIgnored(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	before, _ := e.store.stage(st.ID)
	for name, ev := range map[string]events.EventBridgeEvent{
		"unknown stage":     stageEvent("x1", "arn:aws:ivs:us-east-1:111122223333:stage/NotOurs00001", EventPublished, "p", "", t0),
		"other detail type": {ID: "x2", DetailType: "IVS Participant Recording State Change", Resources: []string{st.Arn}, Detail: json.RawMessage(`{}`)},
		"other event name":  stageEvent("x3", st.Arn, "Participant Replication Started", "p", "", t0),
		"malformed detail":  {ID: "x4", DetailType: StageUpdateType, Resources: []string{st.Arn}, Detail: json.RawMessage(`[1,2]`)},
		"no resources":      {ID: "x5", DetailType: StageUpdateType, Detail: json.RawMessage(`{"event_name":"Participant Published","participant_id":"p"}`)},
		"no participant":    stageEvent("x6", st.Arn, EventPublished, "", "", t0),
	} {
		assert.NoError(t, e.svc.HandleEvent(e.ctx(), ev), name)
	}
	after, _ := e.store.stage(st.ID)
	assert.Equal(t, before.Version, after.Version)
}

func TestStageEventTimeFallsBackToEnvelope(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	ev := events.EventBridgeEvent{ID: "e1", DetailType: StageUpdateType, Time: t0.Add(time.Hour), Resources: []string{st.Arn},
		Detail: json.RawMessage(`{"event_name":"Participant Published","participant_id":"pA","event_time":"garbage"}`)}
	require.NoError(t, e.svc.HandleEvent(e.ctx(), ev))
	got, _ := e.store.stage(st.ID)
	assert.Equal(t, t0.Add(time.Hour), got.Publishing["pA"].EventTime)
}

func TestStageEventStorageErrorsAreRetried(t *testing.T) {
	e := newEnv(t)
	st := e.open(t, e.ann, false)
	e.store.Fail("UpdateStage", errors.New("dynamo: unavailable"))
	err := e.svc.HandleEvent(e.ctx(), stageEvent("e1", st.Arn, EventPublished, "pA", "", t0))
	assert.Error(t, err, "EventBridge retries the invocation")
}

func TestPublishingIsBounded(t *testing.T) {
	st := onair.Stage{}
	for i := range maxPublishing + 20 {
		d := StageUpdateDetail{ParticipantID: fmt.Sprintf("p%03d", i)}
		require.NoError(t, applyEvent(&st, fmt.Sprintf("e%d", i), d, t0.Add(time.Duration(i)*time.Second), i%2 == 0))
	}
	assert.Len(t, st.Publishing, maxPublishing)
	assert.NotContains(t, st.Publishing, "p001", "the oldest stopped publishers go first")
	assert.Contains(t, st.Publishing, "p000", "publishers are kept")
}
