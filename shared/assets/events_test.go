package assets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// s3Notification is an S3 event notification as S3 writes it to SQS.
func s3Notification(eventName, key, versionID, sequencer string, at time.Time) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
		"eventTime":%q,"eventName":%q,"userIdentity":{"principalId":"AWS:AROAEXAMPLE"},
		"requestParameters":{"sourceIPAddress":"203.0.113.7"},
		"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
		"s3":{"s3SchemaVersion":"1.0","configurationId":"asset-uploads",
			"bucket":{"name":"onair-assets","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::onair-assets"},
			"object":{"key":%q,"size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e","versionId":%q,"sequencer":%q}}}]}`,
		at.UTC().Format("2006-01-02T15:04:05.000Z"), eventName, key, versionID, sequencer)
}

func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("m%d", i+1), Body: b,
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:111122223333:onair-AssetEventsQueue"})
	}
	return ev
}

func process(t *testing.T, e *env, bodies ...string) []string {
	t.Helper()
	resp, err := e.svc.UpdateAssetVersion(context.Background(), sqsEvent(bodies...))
	require.NoError(t, err)
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed
}

func upload(key, version, sequencer string, at time.Time) string {
	return s3Notification("ObjectCreated:Post", key, version, sequencer, at)
}

func TestUpdateAssetVersionStoresTheVersionURL(t *testing.T) {
	e := newEnv(t, alice)
	at := testNow.Add(-time.Minute).Add(123 * time.Millisecond)
	failed := process(t, e, upload("asset-alice/avatar", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "0055AED6DCD90281E5", at))
	assert.Empty(t, failed)
	assert.Equal(t, onair.Asset{
		URL:          "https://d111111abcdef8.cloudfront.net/asset-alice/avatar?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY",
		Sequencer:    "0055AED6DCD90281E5",
		LastModified: at,
	}, e.user(alice.Sub).ChannelAssets[Avatar])
	assert.Equal(t, "custom", e.user(alice.Sub).Avatar, "the choice of image is UpdatePreferences', not this")
}

func TestUpdateAssetVersionIsIdempotentAndOrdered(t *testing.T) {
	e := newEnv(t, alice)
	older := upload("asset-alice/banner", "v1", "0055AED6DCD90281E5", testNow.Add(-2*time.Minute))
	newer := upload("asset-alice/banner", "v2", "0055AED6DCD90281F1", testNow.Add(-time.Minute))
	assert.Empty(t, process(t, e, newer))
	writes := e.user(alice.Sub).Version
	assert.Empty(t, process(t, e, newer), "redelivery")
	assert.Empty(t, process(t, e, older), "late older event")
	assert.Equal(t, writes, e.user(alice.Sub).Version, "neither wrote anything")
	assert.Equal(t, "https://d111111abcdef8.cloudfront.net/asset-alice/banner?versionId=v2", e.user(alice.Sub).ChannelAssets[Banner].URL)
}

// Any delivery order of any number of uploads, with duplicates, ends with
// the latest upload's URL.
func TestUpdateAssetVersionAnyOrder(t *testing.T) {
	var bodies []string
	// Sequencers of growing length, as S3's can be: right-padding orders them.
	seqs := []string{"0055AED6DC", "0055AED6DCD9", "0055AED6DCD90281E5", "0055AED6DCD90281E6", "0055AED6DCD90281F", "0055AED6DE"}
	for i, s := range seqs {
		bodies = append(bodies, upload("asset-alice/avatar", fmt.Sprintf("v%d", i), s, testNow.Add(time.Duration(i)*time.Second)))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		e := newEnv(t, alice)
		batch := append([]string(nil), bodies...)
		batch = append(batch, bodies[rng.IntN(len(bodies))], bodies[rng.IntN(len(bodies))])
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		// Deliver in batches of random sizes.
		for len(batch) > 0 {
			n := 1 + rng.IntN(len(batch))
			require.Empty(t, process(t, e, batch[:n]...))
			batch = batch[n:]
		}
		a := e.user(alice.Sub).ChannelAssets[Avatar]
		require.Equal(t, "https://d111111abcdef8.cloudfront.net/asset-alice/avatar?versionId=v5", a.URL, "round %d", round)
		require.Equal(t, "0055AED6DE", a.Sequencer)
	}
}

func TestCompareSequencers(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"0055AED6DCD90281E5", "0055AED6DCD90281E5", 0},
		{"0055AED6DCD90281E5", "0055AED6DCD90281E6", -1},
		{"0055AED6DCD90281F0", "0055AED6DCD90281E6", 1},
		{"0055AED6DCD9", "0055AED6DCD90281E5", -1}, // right-padded: 0055AED6DCD9000000
		{"0055AED6DCDA", "0055AED6DCD90281E5", 1},
		{"0055AED6DCD9", "0055AED6DCD9000000", 0},
		{"0055aed6dcd90281e6", "0055AED6DCD90281E5", 1}, // hex digits of either case
		{"", "00", 0},
		{"", "01", -1},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, CompareSequencers(tc.a, tc.b), "%s vs %s", tc.a, tc.b)
		assert.Equal(t, -tc.want, CompareSequencers(tc.b, tc.a), "%s vs %s", tc.b, tc.a)
	}
}

func TestUpdateAssetVersionAfterDelete(t *testing.T) {
	u := clone(alice)
	u.ChannelAssets = map[string]onair.Asset{Avatar: {URL: "https://cdn/asset-alice/avatar?versionId=v1", Sequencer: "0055AED6DCD90281E5", LastModified: testNow.Add(-time.Hour)}}
	e := newEnv(t, u)
	status, _ := call(t, e.svc.DeleteAsset(), "DELETE", alice.Sub, `{"assetType":"avatar"}`)
	require.Equal(t, 204, status)

	// An upload made before the deletion, whose event arrives after it, does
	// not bring the deleted image back even though its sequencer is newer.
	assert.Empty(t, process(t, e, upload("asset-alice/avatar", "v2", "0055AED6DCD90281F0", testNow.Add(-time.Second))))
	assert.Empty(t, e.user(alice.Sub).ChannelAssets[Avatar].URL)

	// A new upload after the deletion shows.
	assert.Empty(t, process(t, e, upload("asset-alice/avatar", "v3", "0055AED6DCD9028200", testNow.Add(time.Second))))
	assert.Equal(t, "https://d111111abcdef8.cloudfront.net/asset-alice/avatar?versionId=v3", e.user(alice.Sub).ChannelAssets[Avatar].URL)
}

func TestUpdateAssetVersionIgnores(t *testing.T) {
	cases := map[string]string{
		"S3 test event":       `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-05-06T07:08:09.000Z","Bucket":"onair-assets","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}`,
		"removal":             s3Notification("ObjectRemoved:DeleteMarkerCreated", "asset-alice/avatar", "dm", "0055AED6DCD9028300", testNow),
		"other suffix":        upload("asset-alice/avatar.png", "v1", "01", testNow),
		"nested key":          upload("asset-alice/x/avatar", "v1", "01", testNow),
		"no folder":           upload("avatar", "v1", "01", testNow),
		"empty asset id":      upload("/avatar", "v1", "01", testNow),
		"unknown asset id":    upload("asset-nobody/avatar", "v1", "01", testNow),
		"someone else's type": upload("asset-alice/cover", "v1", "01", testNow),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, alice)
			assert.Empty(t, process(t, e, body), "never retried: a retry cannot make it succeed")
			assert.Equal(t, int64(1), e.user(alice.Sub).Version, "nothing written")
		})
	}
}

func TestUpdateAssetVersionKeysAreURLDecoded(t *testing.T) {
	u := clone(alice)
	u.ChannelAssetID = "asset alice+1"
	e := newEnv(t, u)
	assert.Empty(t, process(t, e, upload("asset+alice%2B1/banner", "v1", "01", testNow)))
	assert.Equal(t, "https://d111111abcdef8.cloudfront.net/asset alice+1/banner?versionId=v1", e.user(alice.Sub).ChannelAssets[Banner].URL)
}

func TestUpdateAssetVersionWithoutVersionOrTime(t *testing.T) {
	e := newEnv(t, alice)
	body := `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"asset-alice/avatar","sequencer":"0A"}}}]}`
	assert.Empty(t, process(t, e, body))
	assert.Equal(t, onair.Asset{URL: "https://d111111abcdef8.cloudfront.net/asset-alice/avatar", Sequencer: "0A", LastModified: testNow},
		e.user(alice.Sub).ChannelAssets[Avatar])
}

func TestUpdateAssetVersionReportsFailuresPerMessage(t *testing.T) {
	bob := onair.User{Sub: "sub-bob", ChannelAssetID: "asset-bob"}
	t.Run("malformed bodies go to the dead-letter queue", func(t *testing.T) {
		e := newEnv(t, alice)
		failed := process(t, e, `not json`, `{"Records":[]}`, upload("asset-alice/avatar", "v1", "01", testNow))
		assert.Equal(t, []string{"m1", "m2"}, failed)
		assert.NotEmpty(t, e.user(alice.Sub).ChannelAssets[Avatar].URL, "the good message is processed")
	})
	t.Run("store errors are retried", func(t *testing.T) {
		e := newEnv(t, alice, bob)
		e.store.FailAll("UpdateUser", onair.Wrap(onair.Unavailable, "", "", assert.AnError))
		failed := process(t, e, upload("asset-alice/avatar", "v1", "01", testNow), upload("asset-bob/avatar", "v1", "01", testNow))
		assert.Equal(t, []string{"m1", "m2"}, failed)
		e.store.FailAll("UpdateUser", nil)
		assert.Empty(t, process(t, e, upload("asset-alice/avatar", "v1", "01", testNow)), "the redelivery succeeds")
	})
	t.Run("lookup errors are retried", func(t *testing.T) {
		e := newEnv(t, alice)
		e.store.FailAll("GetUserByAssetID", assert.AnError)
		assert.Equal(t, []string{"m1"}, process(t, e, upload("asset-alice/avatar", "v1", "01", testNow)))
	})
}
