package streams

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// PageSize is the number of sessions per page of the session list.
const PageSize = 50

// HealthSessions is the part of the store the stream health routes use.
type HealthSessions interface {
	GetSession(ctx context.Context, channelArn, streamID string) (onair.StreamSession, error)
	UpdateSession(ctx context.Context, channelArn, streamID string, fn func(*onair.StreamSession) error) (onair.StreamSession, error)
	ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error)
}

// HealthUsers is the part of the store that says who owns which channel.
type HealthUsers interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
}

// IngestConfigs reads a session's encoder configuration from IVS
// (GetStreamSession): JSON in the shape of IngestConfiguration, or
// onair.ErrNotFound when IVS has none (yet).
type IngestConfigs interface {
	GetIngestConfiguration(ctx context.Context, channelArn, streamID string) (json.RawMessage, error)
}

// ListStreamSessions serves GET /metrics/{channelResourceId}/streamSessions:
// the caller's channel's sessions, newest first, paged with tokens sealed
// by tokens. channelType is the stack's (IVS_CHANNEL_TYPE).
func ListStreamSessions(sessions HealthSessions, users HealthUsers, tokens *PageTokens, channelType string, now func() time.Time) http.Handler {
	return (&health{Sessions: sessions, Users: users, Tokens: tokens, ChannelType: channelType, Now: now}).ListStreamSessions()
}

// GetStreamSession serves
// GET /metrics/{channelResourceId}/streamSessions/{streamSessionId}: one
// session with its ingest configuration (from IVS), metrics and diagnoses.
func GetStreamSession(sessions HealthSessions, users HealthUsers, ingest IngestConfigs, metrics MetricsReader, channelType string, now func() time.Time) http.Handler {
	return (&health{Sessions: sessions, Users: users, Ingest: ingest, Metrics: metrics, ChannelType: channelType, Now: now}).GetStreamSession()
}

// health serves the stream health routes.
type health struct {
	Sessions HealthSessions
	Users    HealthUsers
	Ingest   IngestConfigs
	Metrics  MetricsReader
	Tokens   *PageTokens
	// ChannelType is the stack's channel type (IVS_CHANNEL_TYPE), for
	// channels whose record does not say.
	ChannelType string
	Now         func() time.Time
}

func (h *health) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ownChannel returns the caller's record if the caller owns the channel in
// the path. It runs before any session is read: nobody's sessions are ever
// queried on someone else's behalf.
func (h *health) ownChannel(r *http.Request) (onair.User, error) {
	c, err := httpapi.MustCaller(r)
	if err != nil {
		return onair.User{}, err
	}
	forbidden := onair.Errorf(onair.Forbidden, "ForbiddenException", "You can only see the stream sessions of your own channel.")
	u, err := h.Users.GetUser(r.Context(), c.Sub)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.User{}, forbidden
	}
	if err != nil {
		return onair.User{}, err
	}
	if u.ChannelArn == "" || u.ChannelID() != r.PathValue("channelResourceId") {
		return onair.User{}, forbidden
	}
	return u, nil
}

type sessionSummary struct {
	StreamID      string        `json:"streamId"`
	StartTime     httpapi.Time  `json:"startTime"`
	EndTime       *httpapi.Time `json:"endTime,omitempty"`
	IsLive        bool          `json:"isLive"`
	HasErrorEvent bool          `json:"hasErrorEvent"`
	ChannelArn    string        `json:"channelArn"`
}

type sessionList struct {
	MaxResults     int              `json:"maxResults"`
	StreamSessions []sessionSummary `json:"streamSessions"`
	NextToken      string           `json:"nextToken,omitempty"`
}

func optTime(t time.Time) *httpapi.Time {
	if t.IsZero() {
		return nil
	}
	return &httpapi.Time{Time: t}
}

// ListStreamSessions serves GET /metrics/{channelResourceId}/streamSessions:
// the owner's sessions, newest first, PageSize at a time.
func (h *health) ListStreamSessions() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		u, err := h.ownChannel(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		cursor, err := h.Tokens.Open(ctx, u.ChannelArn, r.URL.Query().Get("nextToken"))
		if err != nil {
			return err
		}
		sessions, next, err := h.Sessions.ListSessions(ctx, u.ChannelArn, PageSize, cursor)
		if err != nil {
			return err
		}
		out := sessionList{MaxResults: PageSize, StreamSessions: make([]sessionSummary, 0, len(sessions))}
		for _, s := range sessions {
			out.StreamSessions = append(out.StreamSessions, sessionSummary{
				StreamID:      s.StreamID,
				StartTime:     httpapi.TimeOf(s.StartTime),
				EndTime:       optTime(s.EndTime),
				IsLive:        Derive(s.Events).Live(),
				HasErrorEvent: s.HasErrorEvent,
				ChannelArn:    s.ChannelArn,
			})
		}
		if out.NextToken, err = h.Tokens.Seal(ctx, u.ChannelArn, next); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	})
}

type eventOut struct {
	EventTime httpapi.Time `json:"eventTime"`
	Name      string       `json:"name"`
	Type      string       `json:"type"`
}

type sessionDetail struct {
	Channel             channelOut      `json:"channel"`
	StreamID            string          `json:"streamId"`
	StartTime           httpapi.Time    `json:"startTime"`
	EndTime             *httpapi.Time   `json:"endTime,omitempty"`
	IsLive              bool            `json:"isLive"`
	IsHealthy           bool            `json:"isHealthy"`
	HasErrorEvent       bool            `json:"hasErrorEvent"`
	IngestConfiguration json.RawMessage `json:"ingestConfiguration,omitempty"`
	TruncatedEvents     []eventOut      `json:"truncatedEvents"`
	Metrics             []MetricData    `json:"metrics"`
	// MetricsUnavailable is true when the metrics could not be read this
	// time; Metrics is then empty.
	MetricsUnavailable bool        `json:"metricsUnavailable,omitempty"`
	Diagnoses          []Diagnosis `json:"diagnoses"`
}

type channelOut struct {
	Type string `json:"type"`
}

// GetStreamSession serves
// GET /metrics/{channelResourceId}/streamSessions/{streamSessionId}: the
// session with its events, encoder configuration, metrics and diagnoses.
func (h *health) GetStreamSession() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		u, err := h.ownChannel(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		streamID := r.PathValue("streamSessionId")
		s, err := h.Sessions.GetSession(ctx, u.ChannelArn, streamID)
		if err == nil && s.StartTime.IsZero() {
			err = onair.ErrNotFound // events arrived, but not yet its Session Created
		}
		if errors.Is(err, onair.ErrNotFound) {
			return onair.Errorf(onair.NotFound, "StreamSessionNotFoundException", "No stream session %q on your channel.", streamID)
		}
		if err != nil {
			return err
		}
		now := h.now()
		d := Derive(s.Events)
		live := d.Live()

		ingest := h.ingestConfiguration(ctx, &s, d)

		start := s.StartTime.UTC()
		if live && start.Before(now.Add(-liveWindow)) {
			start = now.Add(-liveWindow).UTC()
		}
		end := s.EndTime
		if end.IsZero() && !live {
			end = streamEndTime(s.Events)
		}
		win := windowFor(now, start, end)
		metrics, err := h.metrics(ctx, &s, u.ChannelID(), win, live, now)
		metricsUnavailable := false
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// Events, encoder settings and diagnoses are still worth showing
			// when the metrics source fails (e.g. CloudWatch throttling); the
			// page says the charts are missing and polling retries.
			telemetry.Logger(ctx).Warn("stream metrics unavailable", "streamId", s.StreamID, "err", err.Error())
			metrics, metricsUnavailable = nil, true
		}

		channelType := u.ChannelType
		if channelType == "" {
			channelType = h.ChannelType
		}
		out := sessionDetail{
			Channel:             channelOut{Type: channelType},
			StreamID:            s.StreamID,
			StartTime:           httpapi.TimeOf(start),
			EndTime:             optTime(s.EndTime),
			IsLive:              live,
			IsHealthy:           s.IsHealthy,
			HasErrorEvent:       s.HasErrorEvent,
			IngestConfiguration: s.IngestConfiguration,
			TruncatedEvents:     eventsOut(s.Events, live),
			Metrics:             metrics,
			MetricsUnavailable:  metricsUnavailable,
		}
		if out.Metrics == nil {
			out.Metrics = []MetricData{}
		}
		diagEnd := s.EndTime
		if diagEnd.IsZero() {
			diagEnd = now
		}
		out.Diagnoses = Diagnose(DiagnosisInput{
			ChannelType:         channelType,
			Ingest:              ingest,
			KeyframeIntervalAvg: average(metrics, MetricKeyframeInterval),
			FramerateAvg:        average(metrics, MetricIngestFramerate),
			Events:              s.Events,
			End:                 diagEnd,
		})
		return httpapi.WriteJSON(w, http.StatusOK, out)
	})
}

// streamEndTime is the Stream End time of a session that has no Session
// Ended (zero if none).
func streamEndTime(evs []onair.StreamEvent) time.Time {
	for _, e := range evs {
		if e.Type == TypeStateChange && e.Name == StreamEnd {
			return e.Time
		}
	}
	return time.Time{}
}

func average(ms []MetricData, label string) *float64 {
	for _, m := range ms {
		if m.Label == label {
			return m.Statistics.Average
		}
	}
	return nil
}

// eventsOut lists the IVS events (newest first while live, oldest first
// after), without onair's own markers.
func eventsOut(evs []onair.StreamEvent, live bool) []eventOut {
	sorted := slices.Clone(evs)
	slices.SortFunc(sorted, eventLess)
	if live {
		slices.Reverse(sorted)
	}
	out := make([]eventOut, 0, len(sorted))
	for _, e := range sorted {
		if IsSynthetic(e) {
			continue
		}
		out = append(out, eventOut{EventTime: httpapi.TimeOf(e.Time), Name: e.Name, Type: e.Type})
	}
	return out
}

// ingestConfiguration returns the session's encoder configuration, asking
// IVS (and caching the answer in the session) the first time it is known. A
// failure only leaves the configuration out: the rest of the page is still
// worth showing.
func (h *health) ingestConfiguration(ctx context.Context, s *onair.StreamSession, d Derived) *IngestConfiguration {
	log := telemetry.Logger(ctx)
	if len(s.IngestConfiguration) == 0 && d.Started && h.Ingest != nil {
		raw, err := h.Ingest.GetIngestConfiguration(ctx, s.ChannelArn, s.StreamID)
		switch {
		case errors.Is(err, onair.ErrNotFound):
			log.Debug("ingest configuration not available yet")
		case err != nil:
			log.Warn("ingest configuration: IVS GetStreamSession failed", "err", err.Error())
		default:
			s.IngestConfiguration = raw
			_, err := h.Sessions.UpdateSession(ctx, s.ChannelArn, s.StreamID, func(cur *onair.StreamSession) error {
				if cur.Version == 0 || len(cur.IngestConfiguration) > 0 {
					return onair.ErrUnchanged
				}
				cur.IngestConfiguration = raw
				return nil
			})
			if err != nil {
				log.Warn("ingest configuration: could not cache it", "err", err.Error())
			}
		}
	}
	if len(s.IngestConfiguration) == 0 {
		return nil
	}
	var cfg IngestConfiguration
	if err := json.Unmarshal(s.IngestConfiguration, &cfg); err != nil {
		log.Warn("ingest configuration: unreadable", "err", err.Error())
		return nil
	}
	return &cfg
}

// metricsSettle is how long after a session's end its metrics are still
// arriving in CloudWatch (its high-resolution data lags ~30 s); they are not
// cached before, or the cache would keep an incomplete tail.
const metricsSettle = 5 * time.Minute

// metrics returns the session's metrics for the window: from the session's
// cache when it has ended (its data no longer changes at this resolution),
// otherwise from the reader, caching the result of ended sessions.
func (h *health) metrics(ctx context.Context, s *onair.StreamSession, channelID string, win metricsWindow, live bool, now time.Time) ([]MetricData, error) {
	cacheable := !live && !s.EndTime.IsZero() && now.Sub(s.EndTime) >= metricsSettle
	key := win.key()
	if cacheable {
		if raw, ok := s.Metrics[key]; ok {
			var cached []MetricData
			if err := json.Unmarshal(raw, &cached); err == nil {
				return cached, nil
			}
		}
	}
	series, err := h.Metrics.ReadMetrics(ctx, MetricsRequest{
		ChannelID: channelID,
		Metrics:   healthMetrics,
		Start:     win.Start,
		End:       win.End,
		Period:    win.Period,
	})
	if err != nil {
		return nil, err
	}
	data := formatMetrics(series, win, live, h.Metrics.Lag())
	if cacheable && len(data) > 0 {
		_, err := h.Sessions.UpdateSession(ctx, s.ChannelArn, s.StreamID, func(cur *onair.StreamSession) error {
			if cur.Version == 0 {
				return onair.ErrUnchanged
			}
			if _, ok := cur.Metrics[key]; ok {
				return onair.ErrUnchanged
			}
			ok, err := cacheMetrics(cur, win, data)
			if err != nil {
				return err
			}
			if !ok {
				return onair.ErrUnchanged
			}
			return nil
		})
		if err != nil {
			telemetry.Logger(ctx).Warn("metrics: could not cache them", "err", err.Error())
		}
	}
	return data, nil
}
