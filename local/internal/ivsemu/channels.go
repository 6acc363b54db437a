package ivsemu

import (
	"context"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Channel is an IVS channel (wire shape).
type Channel struct {
	Arn                          string                        `json:"arn"`
	Name                         string                        `json:"name"`
	LatencyMode                  string                        `json:"latencyMode"`
	Type                         string                        `json:"type"`
	RecordingConfigurationArn    string                        `json:"recordingConfigurationArn"`
	IngestEndpoint               string                        `json:"ingestEndpoint"`
	PlaybackURL                  string                        `json:"playbackUrl"`
	Authorized                   bool                          `json:"authorized"`
	Tags                         map[string]string             `json:"tags"`
	InsecureIngest               bool                          `json:"insecureIngest"`
	Preset                       string                        `json:"preset"`
	Srt                          *Srt                          `json:"srt,omitempty"`
	PlaybackRestrictionPolicyArn string                        `json:"playbackRestrictionPolicyArn"`
	MultitrackInputConfiguration *MultitrackInputConfiguration `json:"multitrackInputConfiguration,omitempty"`
	ContainerFormat              string                        `json:"containerFormat"`
	AdConfigurationArn           string                        `json:"adConfigurationArn,omitempty"`
}

// Srt is a channel's SRT ingest endpoint.
type Srt struct {
	Endpoint   string `json:"endpoint"`
	Passphrase string `json:"passphrase"`
}

// MultitrackInputConfiguration is a channel's multitrack settings.
type MultitrackInputConfiguration struct {
	Enabled           bool   `json:"enabled"`
	Policy            string `json:"policy,omitempty"`
	MaximumResolution string `json:"maximumResolution,omitempty"`
}

// ChannelSummary is a ListChannels item.
type ChannelSummary struct {
	Arn                          string            `json:"arn"`
	Name                         string            `json:"name"`
	LatencyMode                  string            `json:"latencyMode"`
	Authorized                   bool              `json:"authorized"`
	RecordingConfigurationArn    string            `json:"recordingConfigurationArn"`
	Tags                         map[string]string `json:"tags"`
	InsecureIngest               bool              `json:"insecureIngest"`
	Type                         string            `json:"type"`
	Preset                       string            `json:"preset"`
	PlaybackRestrictionPolicyArn string            `json:"playbackRestrictionPolicyArn"`
}

// StreamKey is a channel's stream key.
type StreamKey struct {
	Arn        string            `json:"arn"`
	Value      string            `json:"value,omitempty"`
	ChannelArn string            `json:"channelArn"`
	Tags       map[string]string `json:"tags"`
}

// channelRecord is what is stored: the channel plus the live stream pointer.
type channelRecord struct {
	Channel
	LiveStreamKey string `json:"_liveStreamKey,omitempty"` // key in bStreams while live
}

func (c *channelRecord) summary() ChannelSummary {
	return ChannelSummary{Arn: c.Arn, Name: c.Name, LatencyMode: c.LatencyMode, Authorized: c.Authorized,
		RecordingConfigurationArn: c.RecordingConfigurationArn, Tags: nonNil(c.Tags), InsecureIngest: c.InsecureIngest,
		Type: c.Type, Preset: c.Preset, PlaybackRestrictionPolicyArn: c.PlaybackRestrictionPolicyArn}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

var (
	latencyModes     = []string{"NORMAL", "LOW"}
	channelTypes     = []string{"BASIC", "STANDARD", "ADVANCED_SD", "ADVANCED_HD"}
	presets          = []string{"HIGHER_BANDWIDTH_DELIVERY", "CONSTRAINED_BANDWIDTH_DELIVERY"}
	containerFormats = []string{"TS", "FRAGMENTED_MP4"}
)

type channelSettings struct {
	Name                         *string                       `json:"name"`
	LatencyMode                  *string                       `json:"latencyMode"`
	Type                         *string                       `json:"type"`
	Authorized                   *bool                         `json:"authorized"`
	RecordingConfigurationArn    *string                       `json:"recordingConfigurationArn"`
	InsecureIngest               *bool                         `json:"insecureIngest"`
	Preset                       *string                       `json:"preset"`
	PlaybackRestrictionPolicyArn *string                       `json:"playbackRestrictionPolicyArn"`
	MultitrackInputConfiguration *MultitrackInputConfiguration `json:"multitrackInputConfiguration"`
	ContainerFormat              *string                       `json:"containerFormat"`
	AdConfigurationArn           *string                       `json:"adConfigurationArn"`
}

func (in *channelSettings) validate(c *check) {
	c.str("name", in.Name, 0, 128, reName)
	c.enum("latencyMode", in.LatencyMode, latencyModes...)
	c.enum("type", in.Type, channelTypes...)
	c.str("recordingConfigurationArn", in.RecordingConfigurationArn, 0, 128, reOptRecordingConfigArn)
	if in.Preset != nil && *in.Preset != "" {
		c.enum("preset", in.Preset, presets...)
	}
	c.str("playbackRestrictionPolicyArn", in.PlaybackRestrictionPolicyArn, 0, 128, reOptPlaybackPolicyArn)
	c.str("adConfigurationArn", in.AdConfigurationArn, 0, 128, reOptAdConfigArn)
	c.enum("containerFormat", in.ContainerFormat, containerFormats...)
	if m := in.MultitrackInputConfiguration; m != nil {
		if m.Policy != "" {
			c.enum("multitrackInputConfiguration.policy", &m.Policy, "ALLOW", "REQUIRE")
		}
		if m.MaximumResolution != "" {
			c.enum("multitrackInputConfiguration.maximumResolution", &m.MaximumResolution, "SD", "HD", "FULL_HD")
		}
	}
}

// apply copies the given settings onto ch and checks the cross-field rules.
func (in *channelSettings) apply(ch *Channel) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&ch.Name, in.Name)
	set(&ch.LatencyMode, in.LatencyMode)
	set(&ch.Type, in.Type)
	set(&ch.RecordingConfigurationArn, in.RecordingConfigurationArn)
	set(&ch.Preset, in.Preset)
	set(&ch.PlaybackRestrictionPolicyArn, in.PlaybackRestrictionPolicyArn)
	set(&ch.ContainerFormat, in.ContainerFormat)
	set(&ch.AdConfigurationArn, in.AdConfigurationArn)
	if in.Authorized != nil {
		ch.Authorized = *in.Authorized
	}
	if in.InsecureIngest != nil {
		ch.InsecureIngest = *in.InsecureIngest
	}
	if in.MultitrackInputConfiguration != nil {
		m := *in.MultitrackInputConfiguration
		ch.MultitrackInputConfiguration = &m
	}
	advanced := strings.HasPrefix(ch.Type, "ADVANCED_")
	switch {
	case advanced && ch.Preset == "":
		ch.Preset = "HIGHER_BANDWIDTH_DELIVERY"
	case !advanced && ch.Preset != "":
		if in.Preset != nil {
			return errValidation("preset can be set only for ADVANCED_SD and ADVANCED_HD channels.")
		}
		ch.Preset = "" // the type changed away from ADVANCED
	}
	if m := ch.MultitrackInputConfiguration; m != nil && m.Enabled && ch.Type != "STANDARD" {
		return errValidation("Multitrack input is supported only for STANDARD channels.")
	}
	// The emulator has no recording configurations, playback restriction
	// policies or ad configurations: a reference to one cannot resolve.
	for field, v := range map[string]string{"recordingConfigurationArn": ch.RecordingConfigurationArn,
		"playbackRestrictionPolicyArn": ch.PlaybackRestrictionPolicyArn, "adConfigurationArn": ch.AdConfigurationArn} {
		if v != "" {
			return errNotFound("%s not found (the offline IVS has none): %s", field, v)
		}
	}
	return nil
}

type createChannelInput struct {
	channelSettings
	Tags map[string]string `json:"tags"`
}

func (s *Service) createChannel(ctx context.Context, in *createChannelInput) (any, error) {
	var c check
	in.validate(&c)
	c.tags("tags", in.Tags)
	if err := c.err(); err != nil {
		return nil, err
	}
	id := randomID(12)
	ch := Channel{
		Arn:             s.arn("ivs", "channel", id),
		LatencyMode:     "LOW",
		Type:            "STANDARD",
		IngestEndpoint:  s.cfg.Endpoints.IngestEndpoint,
		PlaybackURL:     strings.TrimRight(s.cfg.Endpoints.PlaybackBaseURL, "/") + "/" + id + ".m3u8",
		Tags:            nonNil(in.Tags),
		ContainerFormat: "TS",
		Srt:             &Srt{Endpoint: s.cfg.Endpoints.SRTEndpoint, Passphrase: randomID(32)},
	}
	if err := in.apply(&ch); err != nil {
		return nil, err
	}
	key := s.newStreamKey(ch.Arn, in.Tags)
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := put(tx, bChannels, ch.Arn, channelRecord{Channel: ch}); err != nil {
			return err
		}
		return put(tx, bStreamKeys, key.Arn, key)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: channel created", "channel_arn", ch.Arn, "name", ch.Name)
	return map[string]any{"channel": ch, "streamKey": key}, nil
}

func (s *Service) newStreamKey(channelArn string, tags map[string]string) StreamKey {
	return StreamKey{
		Arn:        s.arn("ivs", "stream-key", randomID(12)),
		Value:      fmt.Sprintf("sk_%s_%s_%s", s.cfg.Region, randomID(12), randomID(30)),
		ChannelArn: channelArn,
		Tags:       nonNil(tags),
	}
}

type arnInput struct {
	Arn *string `json:"arn"`
}

func (s *Service) getChannelRecord(tx *bolt.Tx, arn string) (*channelRecord, error) {
	var rec channelRecord
	if err := get(tx, bChannels, arn, &rec); err != nil {
		if err == errMissing {
			return nil, errNotFound("Channel not found: %s", arn)
		}
		return nil, err
	}
	rec.Tags = nonNil(rec.Tags)
	return &rec, nil
}

// Channel returns a channel by ARN (in-process callers).
func (s *Service) Channel(ctx context.Context, arn string) (*Channel, error) {
	var ch *Channel
	err := s.db.View(func(tx *bolt.Tx) error {
		rec, err := s.getChannelRecord(tx, arn)
		if err == nil {
			ch = &rec.Channel
		}
		return err
	})
	return ch, err
}

func (s *Service) getChannel(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reChannelArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	ch, err := s.Channel(ctx, *in.Arn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"channel": ch}, nil
}

type batchError struct {
	Arn     string `json:"arn"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type arnsInput struct {
	Arns []string `json:"arns"`
}

func (s *Service) batchGetChannel(ctx context.Context, in *arnsInput) (any, error) {
	var c check
	if len(in.Arns) < 1 || len(in.Arns) > 50 {
		c.fail("arns", fmt.Sprint(in.Arns), "Member must have length between 1 and 50")
	}
	for i := range in.Arns {
		c.arn(fmt.Sprintf("arns.%d.member", i+1), &in.Arns[i], reChannelArn)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	channels, errs := []Channel{}, []batchError{}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, arn := range in.Arns {
			rec, err := s.getChannelRecord(tx, arn)
			if err != nil {
				e := asError(err)
				errs = append(errs, batchError{Arn: arn, Code: e.Code, Message: e.Message})
				continue
			}
			channels = append(channels, rec.Channel)
		}
		return nil
	})
	return map[string]any{"channels": channels, "errors": errs}, err
}

type listChannelsInput struct {
	FilterByName                         *string `json:"filterByName"`
	FilterByRecordingConfigurationArn    *string `json:"filterByRecordingConfigurationArn"`
	FilterByPlaybackRestrictionPolicyArn *string `json:"filterByPlaybackRestrictionPolicyArn"`
	FilterByAdConfigurationArn           *string `json:"filterByAdConfigurationArn"`
	NextToken                            *string `json:"nextToken"`
	MaxResults                           *int    `json:"maxResults"`
}

func (s *Service) listChannels(ctx context.Context, in *listChannelsInput) (any, error) {
	var c check
	c.str("filterByName", in.FilterByName, 0, 128, reName)
	c.str("filterByRecordingConfigurationArn", in.FilterByRecordingConfigurationArn, 0, 128, reOptRecordingConfigArn)
	c.str("filterByPlaybackRestrictionPolicyArn", in.FilterByPlaybackRestrictionPolicyArn, 0, 128, reOptPlaybackPolicyArn)
	c.str("filterByAdConfigurationArn", in.FilterByAdConfigurationArn, 0, 128, reOptAdConfigArn)
	c.nextToken(in.NextToken)
	c.intRange("maxResults", in.MaxResults, 1, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	filters := 0
	for _, f := range []*string{in.FilterByName, in.FilterByRecordingConfigurationArn,
		in.FilterByPlaybackRestrictionPolicyArn, in.FilterByAdConfigurationArn} {
		if f != nil {
			filters++
		}
	}
	if filters > 1 {
		return nil, errConflict("Only one filter can be used at a time.")
	}
	var items []ChannelSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bChannels, "", func(_ string, rec *channelRecord) error {
			switch {
			case in.FilterByName != nil && rec.Name != *in.FilterByName,
				in.FilterByRecordingConfigurationArn != nil && rec.RecordingConfigurationArn != *in.FilterByRecordingConfigurationArn,
				in.FilterByPlaybackRestrictionPolicyArn != nil && rec.PlaybackRestrictionPolicyArn != *in.FilterByPlaybackRestrictionPolicyArn,
				in.FilterByAdConfigurationArn != nil && rec.AdConfigurationArn != *in.FilterByAdConfigurationArn:
				return nil
			}
			items = append(items, rec.summary())
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return pageReply("channels", items, func(_ int, c ChannelSummary) string { return c.Arn }, in.NextToken, in.MaxResults, 100)
}

type updateChannelInput struct {
	Arn *string `json:"arn"`
	channelSettings
}

func (s *Service) updateChannel(ctx context.Context, in *updateChannelInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reChannelArn)
	in.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	var out Channel
	err := s.db.Update(func(tx *bolt.Tx) error {
		rec, err := s.getChannelRecord(tx, *in.Arn)
		if err != nil {
			return err
		}
		if rec.LiveStreamKey != "" {
			return errConflict("Channel is live; it cannot be updated until the stream ends: %s", rec.Arn)
		}
		if err := in.apply(&rec.Channel); err != nil {
			return err
		}
		out = rec.Channel
		return put(tx, bChannels, rec.Arn, rec)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"channel": out}, nil
}

func (s *Service) deleteChannel(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reChannelArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		rec, err := s.getChannelRecord(tx, *in.Arn)
		if err != nil {
			return err
		}
		if rec.LiveStreamKey != "" {
			return errConflict("Channel is live; stop the stream and wait for Stream End before deleting it: %s", rec.Arn)
		}
		var keys []string
		if err := each(tx, bStreamKeys, "", func(k string, sk *StreamKey) error {
			if sk.ChannelArn == rec.Arn {
				keys = append(keys, k)
			}
			return nil
		}); err != nil {
			return err
		}
		if err := each(tx, bStreams, rec.Arn+"|", func(k string, _ *streamRecord) error {
			keys = append(keys, k)
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			b := bStreamKeys
			if strings.HasPrefix(k, rec.Arn+"|") {
				b = bStreams
			}
			if err := del(tx, b, k); err != nil {
				return err
			}
		}
		return del(tx, bChannels, rec.Arn)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: channel deleted", "channel_arn", *in.Arn)
	return nil, nil
}

type createStreamKeyInput struct {
	ChannelArn *string           `json:"channelArn"`
	Tags       map[string]string `json:"tags"`
}

func (s *Service) createStreamKey(ctx context.Context, in *createStreamKeyInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	c.tags("tags", in.Tags)
	if err := c.err(); err != nil {
		return nil, err
	}
	var key StreamKey
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := s.getChannelRecord(tx, *in.ChannelArn); err != nil {
			return err
		}
		exists := false
		if err := each(tx, bStreamKeys, "", func(_ string, sk *StreamKey) error {
			exists = exists || sk.ChannelArn == *in.ChannelArn
			return nil
		}); err != nil {
			return err
		}
		if exists {
			// IVS allows one stream key per channel: reset = delete + create.
			return errQuota("Stream key quota exceeded: a channel can have only 1 stream key (%s)", *in.ChannelArn)
		}
		key = s.newStreamKey(*in.ChannelArn, in.Tags)
		return put(tx, bStreamKeys, key.Arn, key)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"streamKey": key}, nil
}

func (s *Service) getStreamKeyRecord(tx *bolt.Tx, arn string) (*StreamKey, error) {
	var sk StreamKey
	if err := get(tx, bStreamKeys, arn, &sk); err != nil {
		if err == errMissing {
			return nil, errNotFound("Stream key not found: %s", arn)
		}
		return nil, err
	}
	sk.Tags = nonNil(sk.Tags)
	return &sk, nil
}

func (s *Service) getStreamKey(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reStreamKeyArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	var sk *StreamKey
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		sk, err = s.getStreamKeyRecord(tx, *in.Arn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"streamKey": sk}, nil
}

func (s *Service) batchGetStreamKey(ctx context.Context, in *arnsInput) (any, error) {
	var c check
	if len(in.Arns) < 1 || len(in.Arns) > 50 {
		c.fail("arns", fmt.Sprint(in.Arns), "Member must have length between 1 and 50")
	}
	for i := range in.Arns {
		c.arn(fmt.Sprintf("arns.%d.member", i+1), &in.Arns[i], reStreamKeyArn)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	keys, errs := []StreamKey{}, []batchError{}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, arn := range in.Arns {
			sk, err := s.getStreamKeyRecord(tx, arn)
			if err != nil {
				e := asError(err)
				errs = append(errs, batchError{Arn: arn, Code: e.Code, Message: e.Message})
				continue
			}
			keys = append(keys, *sk)
		}
		return nil
	})
	return map[string]any{"streamKeys": keys, "errors": errs}, err
}

type listByChannelInput struct {
	ChannelArn *string `json:"channelArn"`
	NextToken  *string `json:"nextToken"`
	MaxResults *int    `json:"maxResults"`
}

func (s *Service) listStreamKeys(ctx context.Context, in *listByChannelInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	c.nextToken(in.NextToken)
	c.intRange("maxResults", in.MaxResults, 1, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	var items []StreamKey
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := s.getChannelRecord(tx, *in.ChannelArn); err != nil {
			return err
		}
		return each(tx, bStreamKeys, "", func(_ string, sk *StreamKey) error {
			if sk.ChannelArn == *in.ChannelArn {
				items = append(items, StreamKey{Arn: sk.Arn, ChannelArn: sk.ChannelArn, Tags: nonNil(sk.Tags)})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return pageReply("streamKeys", items, func(_ int, k StreamKey) string { return k.Arn }, in.NextToken, in.MaxResults, 1)
}

func (s *Service) deleteStreamKey(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reStreamKeyArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	var channelArn string
	err := s.db.Update(func(tx *bolt.Tx) error {
		sk, err := s.getStreamKeyRecord(tx, *in.Arn)
		if err != nil {
			return err
		}
		channelArn = sk.ChannelArn
		return del(tx, bStreamKeys, *in.Arn)
	})
	if err != nil {
		return nil, err
	}
	// A broadcaster connected with the deleted key is cut off (a media plane
	// implements KeyRevoker), so an encoder that reconnects after StopStream
	// cannot keep streaming with a key that no longer exists.
	s.mu.Lock()
	h := s.ingest
	s.mu.Unlock()
	if r, ok := h.(KeyRevoker); ok {
		r.StreamKeyRevoked(ctx, channelArn)
	}
	return nil, nil
}

// ChannelByStreamKey finds the channel a stream key value belongs to (for an
// ingest server authenticating a broadcaster). ResourceNotFoundException if
// no key has that value.
func (s *Service) ChannelByStreamKey(ctx context.Context, value string) (*Channel, error) {
	var ch *Channel
	err := s.db.View(func(tx *bolt.Tx) error {
		var channelArn string
		if err := each(tx, bStreamKeys, "", func(_ string, sk *StreamKey) error {
			if sk.Value == value {
				channelArn = sk.ChannelArn
			}
			return nil
		}); err != nil {
			return err
		}
		if channelArn == "" {
			return errNotFound("No channel has this stream key.")
		}
		rec, err := s.getChannelRecord(tx, channelArn)
		if err == nil {
			ch = &rec.Channel
		}
		return err
	})
	return ch, err
}

// ChannelStreamKey returns the channel's stream key with its value (the
// offline stack hands it to `make stream`). ResourceNotFoundException if the
// channel has no key.
func (s *Service) ChannelStreamKey(ctx context.Context, channelArn string) (*StreamKey, error) {
	var out *StreamKey
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := s.getChannelRecord(tx, channelArn); err != nil {
			return err
		}
		return each(tx, bStreamKeys, "", func(_ string, sk *StreamKey) error {
			if sk.ChannelArn == channelArn {
				k := *sk
				out = &k
			}
			return nil
		})
	})
	if err == nil && out == nil {
		err = errNotFound("The channel has no stream key: %s", channelArn)
	}
	return out, err
}

// Channels lists every channel, sorted by ARN (in-process callers).
func (s *Service) Channels(ctx context.Context) ([]Channel, error) {
	var out []Channel
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bChannels, "", func(_ string, rec *channelRecord) error {
			rec.Tags = nonNil(rec.Tags)
			out = append(out, rec.Channel)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Arn < out[j].Arn })
	return out, err
}
