package assets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// UpdateAssetVersion processes a batch of the assets queue: each SQS message
// carries an S3 event notification of an uploaded image (ObjectCreated,
// suffix avatar or banner). For each record it finds the user by the asset
// id in the key and stores the new version's URL,
// CHANNEL_ASSETS_BASE_URL/<key>?versionId=<versionId>, unless the profile
// already holds a later version of the same key (S3 does not deliver events
// in order; the sequencer orders them).
//
// Messages that fail for a reason a retry can fix (the store is down) are
// reported as batch item failures, so SQS redelivers only those and, after
// 5 receives, moves them to the dead-letter queue. Messages that can never
// succeed are handled without failing: S3's s3:TestEvent, keys that are not
// an image of ours, users who no longer exist. A body that is not an S3
// event notification at all is reported as failed, so it ends up in the
// dead-letter queue for someone to look at.
func (s *service) UpdateAssetVersion(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	log := telemetry.Logger(ctx)
	// An empty list, not null: every message succeeded.
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range ev.Records {
		if err := s.processMessage(ctx, msg.Body); err != nil {
			log.Error("asset event failed", "messageId", msg.MessageId, "err", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// testEvent is the message S3 sends when a notification is configured.
type testEvent struct {
	Event string `json:"Event"`
}

func (s *service) processMessage(ctx context.Context, body string) error {
	var probe testEvent
	if err := json.Unmarshal([]byte(body), &probe); err == nil && probe.Event == "s3:TestEvent" {
		return nil
	}
	var n events.S3Event
	dec := json.NewDecoder(strings.NewReader(body))
	if err := dec.Decode(&n); err != nil {
		return fmt.Errorf("not an S3 event notification: %w", err)
	}
	if len(n.Records) == 0 {
		return errors.New("not an S3 event notification: no Records")
	}
	for _, rec := range n.Records {
		if err := s.processRecord(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// processRecord applies one S3 record; it is idempotent (a redelivered
// record changes nothing), so a message whose second record failed can be
// redelivered whole.
func (s *service) processRecord(ctx context.Context, rec events.S3EventRecord) error {
	log := telemetry.Logger(ctx)
	if !strings.HasPrefix(rec.EventName, "ObjectCreated:") {
		log.Info("asset event ignored", "reason", "not an ObjectCreated event", "eventName", rec.EventName)
		return nil
	}
	// Keys in event notifications are URL-encoded as in a query string.
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	if err != nil {
		key = rec.S3.Object.Key
	}
	assetID, assetType, ok := strings.Cut(key, "/")
	if !ok || assetID == "" || !isType(assetType) {
		log.Info("asset event ignored", "reason", "not an image key", "key", key)
		return nil
	}
	u, err := s.Store.GetUserByAssetID(ctx, assetID)
	if errors.Is(err, onair.ErrNotFound) {
		// The account was deleted (its images with it) after the upload.
		log.Info("asset event ignored", "reason", "no user has this asset id", "key", key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("find user of %s: %w", key, err)
	}
	created := rec.EventTime.UTC()
	if created.IsZero() {
		created = s.now().UTC()
	}
	asset := onair.Asset{
		URL:          s.assetURL(key, rec.S3.Object.VersionID),
		Sequencer:    rec.S3.Object.Sequencer,
		LastModified: created,
	}
	_, err = s.Store.UpdateUser(ctx, u.Sub, func(u *onair.User) error {
		if u.ChannelAssetID != assetID {
			return onair.ErrUnchanged // the record changed hands meanwhile
		}
		cur, had := u.ChannelAssets[assetType]
		if had && !newer(asset, cur) {
			return onair.ErrUnchanged
		}
		if u.ChannelAssets == nil {
			u.ChannelAssets = map[string]onair.Asset{}
		}
		u.ChannelAssets[assetType] = asset
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		log.Info("asset event ignored", "reason", "user deleted", "key", key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// newer reports whether the uploaded version ev is later than the stored
// asset cur. Versions of the same key are ordered by their sequencers; a
// redelivered event (equal sequencer) is not newer. After a deletion the
// stored asset has no URL and LastModified is the deletion time: an event
// of an upload that happened before it is not newer either, whatever its
// sequencer (deleting makes no event to compare with).
func newer(ev, cur onair.Asset) bool {
	if cur.URL == "" && !cur.LastModified.IsZero() && !ev.LastModified.After(cur.LastModified) {
		return false
	}
	if cur.Sequencer == "" {
		return true
	}
	return CompareSequencers(ev.Sequencer, cur.Sequencer) > 0
}

// CompareSequencers orders two S3 event sequencers of the same key: -1, 0 or
// +1 as a is earlier than, the same as or later than b. Sequencers are hex
// strings of varying length; as the S3 User Guide says ("Event message
// structure"), the shorter is right-padded with zeros and the two are then
// compared lexicographically. (Older editions of that page said left-pad;
// the current one, and the aws-lambda-go and aws-sdk documentation of the
// field, say right-pad.)
func CompareSequencers(a, b string) int {
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	if n := max(len(a), len(b)); len(a) < n {
		a += strings.Repeat("0", n-len(a))
	} else if len(b) < n {
		b += strings.Repeat("0", n-len(b))
	}
	return strings.Compare(a, b)
}

// assetURL is the served URL of a version of key.
func (s *service) assetURL(key, versionID string) string {
	u := strings.TrimRight(s.BaseURL, "/") + "/" + key
	if versionID != "" {
		u += "?versionId=" + url.QueryEscape(versionID)
	}
	return u
}
