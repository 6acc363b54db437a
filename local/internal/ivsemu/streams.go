package ivsemu

import (
	"context"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Stream is a live stream (GetStream).
type Stream struct {
	ChannelArn  string `json:"channelArn"`
	StreamID    string `json:"streamId"`
	PlaybackURL string `json:"playbackUrl"`
	StartTime   *Time  `json:"startTime"`
	State       string `json:"state"`
	Health      string `json:"health"`
	ViewerCount int64  `json:"viewerCount"`
}

// StreamSummary is a ListStreams item.
type StreamSummary struct {
	ChannelArn  string `json:"channelArn"`
	StreamID    string `json:"streamId"`
	State       string `json:"state"`
	Health      string `json:"health"`
	ViewerCount int64  `json:"viewerCount"`
	StartTime   *Time  `json:"startTime"`
}

// StreamSession is one go-live of a channel (GetStreamSession).
type StreamSession struct {
	StreamID             string                `json:"streamId"`
	StartTime            *Time                 `json:"startTime"`
	EndTime              *Time                 `json:"endTime,omitempty"`
	Channel              *Channel              `json:"channel,omitempty"`
	IngestConfiguration  *IngestConfiguration  `json:"ingestConfiguration,omitempty"`
	IngestConfigurations *IngestConfigurations `json:"ingestConfigurations,omitempty"`
	TruncatedEvents      []StreamEvent         `json:"truncatedEvents"`
}

// StreamSessionSummary is a ListStreamSessions item.
type StreamSessionSummary struct {
	StreamID      string `json:"streamId"`
	StartTime     *Time  `json:"startTime"`
	EndTime       *Time  `json:"endTime,omitempty"`
	HasErrorEvent bool   `json:"hasErrorEvent"`
}

// IngestConfiguration describes what the broadcaster sends.
type IngestConfiguration struct {
	Video *VideoConfiguration `json:"video,omitempty"`
	Audio *AudioConfiguration `json:"audio,omitempty"`
}

// IngestConfigurations is the multitrack-era form of IngestConfiguration.
type IngestConfigurations struct {
	VideoConfigurations []VideoConfiguration `json:"videoConfigurations"`
	AudioConfigurations []AudioConfiguration `json:"audioConfigurations"`
}

// VideoConfiguration is the ingested video track.
type VideoConfiguration struct {
	AvcProfile      string `json:"avcProfile,omitempty"`
	AvcLevel        string `json:"avcLevel,omitempty"`
	Codec           string `json:"codec,omitempty"`
	Encoder         string `json:"encoder,omitempty"`
	TargetBitrate   int64  `json:"targetBitrate"`
	TargetFramerate int64  `json:"targetFramerate"`
	VideoHeight     int64  `json:"videoHeight"`
	VideoWidth      int64  `json:"videoWidth"`
	Level           string `json:"level,omitempty"`
	Track           string `json:"track,omitempty"`
	Profile         string `json:"profile,omitempty"`
}

// AudioConfiguration is the ingested audio track.
type AudioConfiguration struct {
	Codec         string `json:"codec,omitempty"`
	TargetBitrate int64  `json:"targetBitrate"`
	SampleRate    int64  `json:"sampleRate"`
	Channels      int64  `json:"channels"`
	Track         string `json:"track,omitempty"`
}

// StreamEvent is one entry of a stream session's truncatedEvents: Type is
// the EventBridge detail-type, Name the event name (or limit name).
type StreamEvent struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	EventTime *Time  `json:"eventTime"`
	Code      string `json:"code,omitempty"`
}

// TimedMetadata is one PutMetadata payload, with the time IVS accepted it;
// a media plane inserts it into the stream (ID3) at that time.
type TimedMetadata struct {
	Seq        int64     // increasing, for "what is new since" polling
	Time       time.Time // when PutMetadata was accepted
	ChannelArn string
	StreamID   string
	Text       string
}

// streamRecord is what is stored per stream session.
type streamRecord struct {
	StreamSession
	ChannelArn    string `json:"_channelArn"`
	HasErrorEvent bool   `json:"_hasErrorEvent"`
	Health        string `json:"_health"`
	ViewerCount   int64  `json:"_viewerCount"`
}

func (r *streamRecord) stream() *Stream {
	return &Stream{ChannelArn: r.ChannelArn, StreamID: r.StreamID, PlaybackURL: r.Channel.PlaybackURL,
		StartTime: r.StartTime, State: "LIVE", Health: r.Health, ViewerCount: r.ViewerCount}
}

const maxTruncatedEvents = 500

func streamKey(channelArn string, start time.Time, streamID string) string {
	return channelArn + "|" + sortKey(start) + "|" + streamID
}

// liveRecord loads the live session of a channel (nil if offline).
func (s *Service) liveRecord(tx *bolt.Tx, ch *channelRecord) (*streamRecord, error) {
	if ch.LiveStreamKey == "" {
		return nil, nil
	}
	var rec streamRecord
	if err := get(tx, bStreams, ch.LiveStreamKey, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// StartStream marks a channel live, as when IVS accepts a broadcaster's
// stream key: a new stream session (st-…) with the given ingest
// configuration and the channel's configuration at go-live. It emits no
// events; the caller (the stream simulation or a media plane) does.
func (s *Service) StartStream(ctx context.Context, channelArn string, ingest IngestConfiguration) (*StreamSession, error) {
	var out StreamSession
	err := s.db.Update(func(tx *bolt.Tx) error {
		ch, err := s.getChannelRecord(tx, channelArn)
		if err != nil {
			return err
		}
		if ch.LiveStreamKey != "" {
			e := errConflict("Channel is already live: %s", channelArn)
			e.sentinel = ErrAlreadyLive
			return e
		}
		now := s.now()
		snapshot := ch.Channel
		rec := streamRecord{
			StreamSession: StreamSession{StreamID: "st-" + randomID(23), StartTime: ts(now),
				Channel: &snapshot, IngestConfiguration: &ingest, TruncatedEvents: []StreamEvent{}},
			ChannelArn: channelArn, Health: "HEALTHY",
		}
		cfgs := IngestConfigurations{VideoConfigurations: []VideoConfiguration{}, AudioConfigurations: []AudioConfiguration{}}
		if ingest.Video != nil {
			cfgs.VideoConfigurations = append(cfgs.VideoConfigurations, *ingest.Video)
		}
		if ingest.Audio != nil {
			cfgs.AudioConfigurations = append(cfgs.AudioConfigurations, *ingest.Audio)
		}
		rec.IngestConfigurations = &cfgs
		key := streamKey(channelArn, now, rec.StreamID)
		ch.LiveStreamKey = key
		if err := put(tx, bChannels, channelArn, ch); err != nil {
			return err
		}
		out = rec.StreamSession
		return put(tx, bStreams, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: channel live", "channel_arn", channelArn, "stream_id", out.StreamID)
	return &out, nil
}

// EndStream ends the live stream of a channel (endTime = now). It returns
// the ended session; ErrNotBroadcasting if the channel was not live.
func (s *Service) EndStream(ctx context.Context, channelArn string) (*StreamSession, error) {
	var out StreamSession
	err := s.db.Update(func(tx *bolt.Tx) error {
		ch, err := s.getChannelRecord(tx, channelArn)
		if err != nil {
			return err
		}
		rec, err := s.liveRecord(tx, ch)
		if err != nil {
			return err
		}
		if rec == nil {
			return errNotBroadcasting(channelArn)
		}
		rec.EndTime = ts(s.now())
		if err := put(tx, bStreams, ch.LiveStreamKey, rec); err != nil {
			return err
		}
		ch.LiveStreamKey = ""
		out = rec.StreamSession
		return put(tx, bChannels, channelArn, ch)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.metadata, channelArn)
	s.mu.Unlock()
	s.log.InfoContext(ctx, "ivsemu: channel offline", "channel_arn", channelArn, "stream_id", out.StreamID)
	return &out, nil
}

// updateSession applies fn to a stream session (the live one when streamID
// is empty).
func (s *Service) updateSession(channelArn, streamID string, fn func(*streamRecord)) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		ch, err := s.getChannelRecord(tx, channelArn)
		if err != nil {
			return err
		}
		key := ch.LiveStreamKey
		if streamID != "" {
			key = ""
			if err := each(tx, bStreams, channelArn+"|", func(k string, r *streamRecord) error {
				if r.StreamID == streamID {
					key = k
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if key == "" {
			if streamID == "" {
				return errNotBroadcasting(channelArn)
			}
			return errNotFound("Stream session not found: %s", streamID)
		}
		var rec streamRecord
		if err := get(tx, bStreams, key, &rec); err != nil {
			return err
		}
		fn(&rec)
		return put(tx, bStreams, key, rec)
	})
}

// AddStreamEvent records an event in a session's truncatedEvents (most
// recent first, at most 500). Limit breaches and failures set hasErrorEvent;
// starvation events set the stream's health.
func (s *Service) AddStreamEvent(ctx context.Context, channelArn, streamID string, ev StreamEvent) error {
	return s.updateSession(channelArn, streamID, func(r *streamRecord) {
		r.TruncatedEvents = append([]StreamEvent{ev}, r.TruncatedEvents...)
		if len(r.TruncatedEvents) > maxTruncatedEvents {
			r.TruncatedEvents = r.TruncatedEvents[:maxTruncatedEvents]
		}
		switch {
		case ev.Type == "IVS Limit Breach", ev.Name == "Stream Failure", ev.Name == "Stream Takeover Failure":
			r.HasErrorEvent = true
		case ev.Name == "Starvation Start":
			r.Health = "STARVING"
		case ev.Name == "Starvation End":
			r.Health = "HEALTHY"
		}
	})
}

// SetIngestConfiguration replaces a session's ingest configuration (a media
// plane measures it from the stream after the session started).
func (s *Service) SetIngestConfiguration(ctx context.Context, channelArn, streamID string, ingest IngestConfiguration) error {
	return s.updateSession(channelArn, streamID, func(r *streamRecord) {
		r.IngestConfiguration = &ingest
		cfgs := IngestConfigurations{VideoConfigurations: []VideoConfiguration{}, AudioConfigurations: []AudioConfiguration{}}
		if ingest.Video != nil {
			cfgs.VideoConfigurations = append(cfgs.VideoConfigurations, *ingest.Video)
		}
		if ingest.Audio != nil {
			cfgs.AudioConfigurations = append(cfgs.AudioConfigurations, *ingest.Audio)
		}
		r.IngestConfigurations = &cfgs
	})
}

// SetViewerCount sets the live stream's viewerCount.
func (s *Service) SetViewerCount(ctx context.Context, channelArn string, n int64) error {
	return s.updateSession(channelArn, "", func(r *streamRecord) { r.ViewerCount = n })
}

// LiveStream returns the channel's live stream; ErrNotBroadcasting if offline.
func (s *Service) LiveStream(ctx context.Context, channelArn string) (*Stream, error) {
	var out *Stream
	err := s.db.View(func(tx *bolt.Tx) error {
		ch, err := s.getChannelRecord(tx, channelArn)
		if err != nil {
			return err
		}
		rec, err := s.liveRecord(tx, ch)
		if err != nil {
			return err
		}
		if rec == nil {
			return errNotBroadcasting(channelArn)
		}
		out = rec.stream()
		return nil
	})
	return out, err
}

// LiveStreams returns every live stream, oldest first.
func (s *Service) LiveStreams(ctx context.Context) ([]Stream, error) {
	var out []Stream
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bChannels, "", func(_ string, ch *channelRecord) error {
			rec, err := s.liveRecord(tx, ch)
			if err != nil || rec == nil {
				return err
			}
			out = append(out, *rec.stream())
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].StartTime.Before(out[j].StartTime.Time) })
	return out, err
}

type channelArnInput struct {
	ChannelArn *string `json:"channelArn"`
}

func (s *Service) getStream(ctx context.Context, in *channelArnInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := s.LiveStream(ctx, *in.ChannelArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stream": st}, nil
}

type listStreamsInput struct {
	FilterBy *struct {
		Health *string `json:"health"`
	} `json:"filterBy"`
	NextToken  *string `json:"nextToken"`
	MaxResults *int    `json:"maxResults"`
}

func (s *Service) listStreams(ctx context.Context, in *listStreamsInput) (any, error) {
	var c check
	if in.FilterBy != nil {
		c.enum("filterBy.health", in.FilterBy.Health, "HEALTHY", "STARVING", "UNKNOWN")
	}
	c.nextToken(in.NextToken)
	c.intRange("maxResults", in.MaxResults, 1, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	live, err := s.LiveStreams(ctx)
	if err != nil {
		return nil, err
	}
	var items []StreamSummary
	for _, st := range live {
		if in.FilterBy != nil && in.FilterBy.Health != nil && st.Health != *in.FilterBy.Health {
			continue
		}
		items = append(items, StreamSummary{ChannelArn: st.ChannelArn, StreamID: st.StreamID, State: st.State,
			Health: st.Health, ViewerCount: st.ViewerCount, StartTime: st.StartTime})
	}
	return pageReply("streams", items, func(_ int, st StreamSummary) string { return ascTime(st.StartTime) + st.ChannelArn }, in.NextToken, in.MaxResults, 100)
}

func (s *Service) stopStream(ctx context.Context, in *channelArnInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := s.LiveStream(ctx, *in.ChannelArn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	h := s.ingest
	s.mu.Unlock()
	if h != nil {
		if err := h.StopStream(ctx, *in.ChannelArn); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	}
	// No media side attached: end the session directly.
	if _, err := s.EndStream(ctx, *in.ChannelArn); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type putMetadataInput struct {
	ChannelArn *string `json:"channelArn"`
	Metadata   *string `json:"metadata"`
}

// PutMetadata limits (IVS quotas).
const (
	maxMetadataBytes      = 1024
	metadataTPSPerChannel = 5
	metadataTPSPerAccount = 155
	maxMetadataKept       = 256 // per live channel, for readers
)

func (s *Service) putMetadata(ctx context.Context, in *putMetadataInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	c.required("metadata", in.Metadata != nil)
	if in.Metadata != nil {
		c.length("metadata", *in.Metadata, 1, -1)
		if len(*in.Metadata) > maxMetadataBytes {
			c.fail("metadata", "<metadata>", "Member must have size less than or equal to 1 KB")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := s.LiveStream(ctx, *in.ChannelArn)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	recent := func(list []time.Time) []time.Time {
		out := list[:0]
		for _, t := range list {
			if now.Sub(t) < time.Second {
				out = append(out, t)
			}
		}
		return out
	}
	s.putTimes[*in.ChannelArn] = recent(s.putTimes[*in.ChannelArn])
	s.acctPuts = recent(s.acctPuts)
	if len(s.putTimes[*in.ChannelArn]) >= metadataTPSPerChannel {
		return nil, errThrottled("Request rate exceeded: PutMetadata is limited to %d TPS per channel.", metadataTPSPerChannel)
	}
	if len(s.acctPuts) >= metadataTPSPerAccount {
		return nil, errThrottled("Request rate exceeded: PutMetadata is limited to %d TPS per account.", metadataTPSPerAccount)
	}
	s.putTimes[*in.ChannelArn] = append(s.putTimes[*in.ChannelArn], now)
	s.acctPuts = append(s.acctPuts, now)
	s.metaSeq++
	list := append(s.metadata[*in.ChannelArn], TimedMetadata{Seq: s.metaSeq, Time: now.UTC(),
		ChannelArn: *in.ChannelArn, StreamID: st.StreamID, Text: *in.Metadata})
	if len(list) > maxMetadataKept {
		list = list[len(list)-maxMetadataKept:]
	}
	s.metadata[*in.ChannelArn] = list
	return nil, nil
}

// Metadata returns the timed metadata put on the channel's current live
// stream with Seq greater than afterSeq, oldest first (the most recent 256
// are kept while the stream is live).
func (s *Service) Metadata(channelArn string, afterSeq int64) []TimedMetadata {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []TimedMetadata
	for _, m := range s.metadata[channelArn] {
		if m.Seq > afterSeq {
			out = append(out, m)
		}
	}
	return out
}

func (s *Service) sessions(tx *bolt.Tx, channelArn string) ([]streamRecord, error) {
	var out []streamRecord
	err := each(tx, bStreams, channelArn+"|", func(_ string, r *streamRecord) error {
		out = append(out, *r)
		return nil
	})
	// Keys sort oldest first; the APIs list the most recent first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

func (s *Service) listStreamSessions(ctx context.Context, in *listByChannelInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	c.nextToken(in.NextToken)
	c.intRange("maxResults", in.MaxResults, 1, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	var items []StreamSessionSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := s.getChannelRecord(tx, *in.ChannelArn); err != nil {
			return err
		}
		recs, err := s.sessions(tx, *in.ChannelArn)
		for _, r := range recs {
			items = append(items, StreamSessionSummary{StreamID: r.StreamID, StartTime: r.StartTime,
				EndTime: r.EndTime, HasErrorEvent: r.HasErrorEvent})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return pageReply("streamSessions", items, func(_ int, ss StreamSessionSummary) string { return descTime(ss.StartTime) + ss.StreamID }, in.NextToken, in.MaxResults, 100)
}

type getStreamSessionInput struct {
	ChannelArn *string `json:"channelArn"`
	StreamID   *string `json:"streamId"`
}

func (s *Service) getStreamSession(ctx context.Context, in *getStreamSessionInput) (any, error) {
	var c check
	c.arn("channelArn", in.ChannelArn, reChannelArn)
	if in.StreamID != nil {
		c.length("streamId", *in.StreamID, 26, 26)
		c.pattern("streamId", *in.StreamID, reStreamID)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	sess, err := s.StreamSession(ctx, *in.ChannelArn, deref(in.StreamID))
	if err != nil {
		return nil, err
	}
	return map[string]any{"streamSession": sess}, nil
}

// StreamSession returns a channel's stream session (the latest when streamID
// is empty).
func (s *Service) StreamSession(ctx context.Context, channelArn, streamID string) (*StreamSession, error) {
	var out *StreamSession
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := s.getChannelRecord(tx, channelArn); err != nil {
			return err
		}
		recs, err := s.sessions(tx, channelArn)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if streamID == "" || r.StreamID == streamID {
				sess := r.StreamSession
				out = &sess
				return nil
			}
		}
		if streamID == "" {
			return errNotFound("Channel has no stream sessions: %s", channelArn)
		}
		return errNotFound("Stream session not found: %s", streamID)
	})
	return out, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
