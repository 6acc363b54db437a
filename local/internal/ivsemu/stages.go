package ivsemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/onair/onair/local/internal/eventbus"
)

// Stage is an IVS Real-Time stage.
type Stage struct {
	Arn                                   string            `json:"arn"`
	Name                                  string            `json:"name"`
	ActiveSessionID                       string            `json:"activeSessionId,omitempty"`
	Tags                                  map[string]string `json:"tags"`
	AutoParticipantRecordingConfiguration json.RawMessage   `json:"autoParticipantRecordingConfiguration,omitempty"`
	Endpoints                             StageEndpoints    `json:"endpoints"`
}

// StageEndpoints are where participants connect.
type StageEndpoints struct {
	Events string `json:"events"`
	WHIP   string `json:"whip"`
	RTMP   string `json:"rtmp"`
	RTMPS  string `json:"rtmps"`
}

// StageSummary is a ListStages item.
type StageSummary struct {
	Arn             string            `json:"arn"`
	Name            string            `json:"name"`
	ActiveSessionID string            `json:"activeSessionId,omitempty"`
	Tags            map[string]string `json:"tags"`
}

// StageSession is one session of a stage (first join to last leave).
type StageSession struct {
	SessionID string `json:"sessionId"`
	StartTime *Time  `json:"startTime"`
	EndTime   *Time  `json:"endTime,omitempty"`
}

// ParticipantToken is what CreateParticipantToken / CreateStage return.
type ParticipantToken struct {
	ParticipantID  string            `json:"participantId"`
	Token          string            `json:"token"`
	UserID         string            `json:"userId,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"`
	Duration       int               `json:"duration"`
	Capabilities   []string          `json:"capabilities"`
	ExpirationTime *Time             `json:"expirationTime"`
}

// Participant is a stage participant within a session (GetParticipant).
type Participant struct {
	ParticipantID   string            `json:"participantId"`
	UserID          string            `json:"userId"`
	State           string            `json:"state"`
	FirstJoinTime   *Time             `json:"firstJoinTime"`
	Attributes      map[string]string `json:"attributes"`
	Published       bool              `json:"published"`
	RecordingState  string            `json:"recordingState"`
	Protocol        string            `json:"protocol"`
	ReplicationType string            `json:"replicationType"`
	RedundantIngest bool              `json:"redundantIngest"`
}

// ParticipantSummary is a ListParticipants item (no attributes, as in IVS).
type ParticipantSummary struct {
	ParticipantID   string `json:"participantId"`
	UserID          string `json:"userId"`
	State           string `json:"state"`
	FirstJoinTime   *Time  `json:"firstJoinTime"`
	Published       bool   `json:"published"`
	RecordingState  string `json:"recordingState"`
	ReplicationType string `json:"replicationType"`
	RedundantIngest bool   `json:"redundantIngest"`
}

// ParticipantEvent is a ListParticipantEvents item.
type ParticipantEvent struct {
	Name                string `json:"name"`
	ParticipantID       string `json:"participantId"`
	EventTime           *Time  `json:"eventTime"`
	RemoteParticipantID string `json:"remoteParticipantId,omitempty"`
	ErrorCode           string `json:"errorCode,omitempty"`
}

type participantRecord struct {
	Participant
	StageArn     string             `json:"_stageArn"`
	SessionID    string             `json:"_sessionId"`
	Publishing   bool               `json:"_publishing"`
	Capabilities TokenCapabilities  `json:"_capabilities"`
	Events       []ParticipantEvent `json:"_events"`
}

// Stage limits (IVS Real-Time quotas and model constraints).
const (
	maxStages               = 1000
	maxPublishers           = 12
	maxTokenConfigs         = 12
	maxPublicKeys           = 3
	maxTokenAttributesBytes = 1024
	defaultTokenDuration    = 720 // minutes
	maxParticipantEvents    = 500
)

type tokenConfig struct {
	Duration     *int              `json:"duration"`
	UserID       *string           `json:"userId"`
	Attributes   map[string]string `json:"attributes"`
	Capabilities []string          `json:"capabilities"`
}

func (t *tokenConfig) validate(c *check, prefix string) {
	c.intRange(prefix+"duration", t.Duration, 1, 20160)
	c.str(prefix+"userId", t.UserID, 0, 128, nil)
	c.attributes(prefix+"attributes", t.Attributes, maxTokenAttributesBytes)
	if t.Capabilities != nil {
		c.enumList(prefix+"capabilities", t.Capabilities, 0, 2, "PUBLISH", "SUBSCRIBE")
	}
}

// mintToken issues an API token for a stage, signed by the emulator's key.
func (s *Service) mintToken(st *Stage, t tokenConfig) (ParticipantToken, error) {
	duration := defaultTokenDuration
	if t.Duration != nil {
		duration = *t.Duration
	}
	caps := t.Capabilities
	if caps == nil {
		caps = []string{"PUBLISH", "SUBSCRIBE"} // the API's default
	}
	now := s.now()
	exp := now.Add(time.Duration(duration) * time.Minute)
	claims := StageTokenClaims{
		Exp: exp.Unix(), Iat: now.Unix(), Jti: randomID(12), UserID: deref(t.UserID),
		Resource: st.Arn, Topic: st.Arn[strings.LastIndex(st.Arn, "/")+1:],
		EventsURL: st.Endpoints.Events, WhipURL: st.Endpoints.WHIP,
		Attributes: t.Attributes, Version: "1.0",
	}
	for _, c := range caps {
		switch c {
		case "PUBLISH":
			claims.Capabilities.AllowPublish = true
		case "SUBSCRIBE":
			claims.Capabilities.AllowSubscribe = true
		}
	}
	tok, err := SignStageToken(s.tokenKey, s.tokenKeyArn, claims)
	if err != nil {
		return ParticipantToken{}, err
	}
	return ParticipantToken{ParticipantID: claims.Jti, Token: tok, UserID: claims.UserID, Attributes: t.Attributes,
		Duration: duration, Capabilities: caps, ExpirationTime: ts(exp)}, nil
}

func (s *Service) validRecordingConfig(c *check, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var rc struct {
		StorageConfigurationArn *string `json:"storageConfigurationArn"`
	}
	if err := json.Unmarshal(raw, &rc); err != nil {
		c.fail("autoParticipantRecordingConfiguration", "<object>", "Member must be an object")
		return
	}
	c.required("autoParticipantRecordingConfiguration.storageConfigurationArn", rc.StorageConfigurationArn != nil)
	c.str("autoParticipantRecordingConfiguration.storageConfigurationArn", rc.StorageConfigurationArn, 0, 128, reOptStorageConfigArn)
	if rc.StorageConfigurationArn != nil && *rc.StorageConfigurationArn != "" {
		// The emulator has no storage configurations (no recording offline).
		c.fail("autoParticipantRecordingConfiguration.storageConfigurationArn", *rc.StorageConfigurationArn,
			"Storage configuration not found (the offline IVS has none)")
	}
}

type createStageInput struct {
	Name                                  *string           `json:"name"`
	ParticipantTokenConfigurations        []tokenConfig     `json:"participantTokenConfigurations"`
	Tags                                  map[string]string `json:"tags"`
	AutoParticipantRecordingConfiguration json.RawMessage   `json:"autoParticipantRecordingConfiguration"`
}

func (s *Service) createStage(ctx context.Context, in *createStageInput) (any, error) {
	var c check
	c.str("name", in.Name, 0, 128, reName)
	if len(in.ParticipantTokenConfigurations) > maxTokenConfigs {
		c.fail("participantTokenConfigurations", "<list>", "Member must have length less than or equal to 12")
	}
	for i := range in.ParticipantTokenConfigurations {
		in.ParticipantTokenConfigurations[i].validate(&c, fmt.Sprintf("participantTokenConfigurations.%d.member.", i+1))
	}
	c.tags("tags", in.Tags)
	s.validRecordingConfig(&c, in.AutoParticipantRecordingConfiguration)
	if err := c.err(); err != nil {
		return nil, err
	}
	id := randomID(12)
	st := Stage{Arn: s.arn("ivs", "stage", id), Name: deref(in.Name), Tags: nonNil(in.Tags),
		AutoParticipantRecordingConfiguration: in.AutoParticipantRecordingConfiguration,
		Endpoints: StageEndpoints{Events: s.cfg.Endpoints.StageEvents, WHIP: s.cfg.Endpoints.StageWHIP,
			RTMP: s.cfg.Endpoints.StageRTMP, RTMPS: s.cfg.Endpoints.StageRTMPS}}
	tokens := []ParticipantToken{}
	for _, tc := range in.ParticipantTokenConfigurations {
		t, err := s.mintToken(&st, tc)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(bStages)).Stats().KeyN >= maxStages {
			return errQuota("Stage quota exceeded: at most %d stages per region.", maxStages)
		}
		return put(tx, bStages, st.Arn, st)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: stage created", "stage_arn", st.Arn)
	return map[string]any{"stage": st, "participantTokens": tokens}, nil
}

func (s *Service) getStageRecord(tx *bolt.Tx, arn string) (*Stage, error) {
	var st Stage
	if err := get(tx, bStages, arn, &st); err != nil {
		if err == errMissing {
			e := errNotFound("Stage not found: %s", arn)
			e.sentinel = ErrStageNotFound
			return nil, e
		}
		return nil, err
	}
	st.Tags = nonNil(st.Tags)
	return &st, nil
}

// Stage returns a stage by ARN.
func (s *Service) Stage(ctx context.Context, arn string) (*Stage, error) {
	var st *Stage
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		st, err = s.getStageRecord(tx, arn)
		return err
	})
	return st, err
}

func (s *Service) getStage(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reStageArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := s.Stage(ctx, *in.Arn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stage": st}, nil
}

type pagingInput struct {
	NextToken  *string `json:"nextToken"`
	MaxResults *int    `json:"maxResults"`
}

func (p *pagingInput) validate(c *check) {
	c.nextToken(p.NextToken)
	c.intRange("maxResults", p.MaxResults, 1, 100)
}

func (s *Service) listStages(ctx context.Context, in *pagingInput) (any, error) {
	var c check
	in.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	var items []StageSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bStages, "", func(_ string, st *Stage) error {
			items = append(items, StageSummary{Arn: st.Arn, Name: st.Name, ActiveSessionID: st.ActiveSessionID, Tags: nonNil(st.Tags)})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return pageReply("stages", items, func(_ int, st StageSummary) string { return st.Arn }, in.NextToken, in.MaxResults, 50)
}

type updateStageInput struct {
	Arn                                   *string         `json:"arn"`
	Name                                  *string         `json:"name"`
	AutoParticipantRecordingConfiguration json.RawMessage `json:"autoParticipantRecordingConfiguration"`
}

func (s *Service) updateStage(ctx context.Context, in *updateStageInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reStageArn)
	c.str("name", in.Name, 0, 128, reName)
	s.validRecordingConfig(&c, in.AutoParticipantRecordingConfiguration)
	if err := c.err(); err != nil {
		return nil, err
	}
	var out *Stage
	err := s.db.Update(func(tx *bolt.Tx) error {
		st, err := s.getStageRecord(tx, *in.Arn)
		if err != nil {
			return err
		}
		if in.Name != nil {
			st.Name = *in.Name
		}
		if len(in.AutoParticipantRecordingConfiguration) > 0 {
			st.AutoParticipantRecordingConfiguration = in.AutoParticipantRecordingConfiguration
		}
		out = st
		return put(tx, bStages, st.Arn, st)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"stage": out}, nil
}

func (s *Service) deleteStage(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, reStageArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := s.Stage(ctx, *in.Arn)
	if err != nil {
		return nil, err
	}
	// Disconnect everyone first (emits Participant Unpublished for publishers).
	if st.ActiveSessionID != "" {
		parts, err := s.participants(st.ActiveSessionID)
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			if p.State == "CONNECTED" {
				if err := s.leave(ctx, st.Arn, p.ParticipantID, "stage deleted"); err != nil {
					return nil, err
				}
			}
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var keys [][2]string
		if err := each(tx, bStageSessions, st.Arn+"|", func(k string, ss *StageSession) error {
			keys = append(keys, [2]string{bStageSessions, k})
			return each(tx, bParticipants, ss.SessionID+"|", func(pk string, _ *participantRecord) error {
				keys = append(keys, [2]string{bParticipants, pk})
				return nil
			})
		}); err != nil {
			return err
		}
		if err := each(tx, bRevoked, st.Arn+"|", func(k string, _ *time.Time) error {
			keys = append(keys, [2]string{bRevoked, k})
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := del(tx, k[0], k[1]); err != nil {
				return err
			}
		}
		return del(tx, bStages, st.Arn)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: stage deleted", "stage_arn", st.Arn)
	if s.cfg.OnStageDeleted != nil {
		s.cfg.OnStageDeleted(st.Arn)
	}
	return struct{}{}, nil
}

type createParticipantTokenInput struct {
	StageArn *string `json:"stageArn"`
	tokenConfig
}

func (s *Service) createParticipantToken(ctx context.Context, in *createParticipantTokenInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	in.validate(&c, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := s.Stage(ctx, *in.StageArn)
	if err != nil {
		return nil, err
	}
	t, err := s.mintToken(st, in.tokenConfig)
	if err != nil {
		return nil, err
	}
	return map[string]any{"participantToken": t}, nil
}

// ---- Participants: the hooks a media plane (or a test) drives. ----

func participantKey(sessionID, participantID string) string { return sessionID + "|" + participantID }

func (s *Service) participants(sessionID string) ([]participantRecord, error) {
	var out []participantRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bParticipants, sessionID+"|", func(_ string, p *participantRecord) error {
			out = append(out, *p)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].FirstJoinTime.Before(out[j].FirstJoinTime.Time) })
	return out, err
}

func addEvent(p *participantRecord, name, errorCode string, t time.Time) {
	p.Events = append(p.Events, ParticipantEvent{Name: name, ParticipantID: p.ParticipantID, EventTime: ts(t), ErrorCode: errorCode})
	if len(p.Events) > maxParticipantEvents {
		p.Events = p.Events[len(p.Events)-maxParticipantEvents:]
	}
}

// Join connects the holder of a participant token to a stage, as a media
// plane does when a participant joins: the token is verified (signature,
// expiry, stage, revocation), a stage session starts if none is active, and
// the participant is CONNECTED in it (JOINED event). Joining again with the
// token of a connected participant is a no-op.
func (s *Service) Join(ctx context.Context, stageArn, token string) (*Participant, error) {
	claims, err := s.VerifyStageToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if claims.Resource != stageArn {
		return nil, fmt.Errorf("%w: the token is for stage %s", ErrStageTokenInvalid, claims.Resource)
	}
	var out Participant
	err = s.db.Update(func(tx *bolt.Tx) error {
		st, err := s.getStageRecord(tx, stageArn)
		if err != nil {
			return err
		}
		if tx.Bucket([]byte(bRevoked)).Get([]byte(stageArn+"|"+claims.Jti)) != nil {
			return ErrStageTokenRevoked
		}
		now := s.now()
		if st.ActiveSessionID == "" {
			ss := StageSession{SessionID: "st-" + randomID(13), StartTime: ts(now)}
			if err := put(tx, bStageSessions, stageArn+"|"+sortKey(now)+"|"+ss.SessionID, ss); err != nil {
				return err
			}
			st.ActiveSessionID = ss.SessionID
			if err := put(tx, bStages, stageArn, st); err != nil {
				return err
			}
			s.log.InfoContext(ctx, "ivsemu: stage session started", "stage_arn", stageArn, "session_id", ss.SessionID)
		}
		key := participantKey(st.ActiveSessionID, claims.Jti)
		var p participantRecord
		switch err := get(tx, bParticipants, key, &p); {
		case err == errMissing:
			recording := "DISABLED"
			if len(st.AutoParticipantRecordingConfiguration) > 0 {
				recording = "STOPPED"
			}
			p = participantRecord{Participant: Participant{ParticipantID: claims.Jti, UserID: claims.UserID,
				FirstJoinTime: ts(now), Attributes: nonNil(claims.Attributes), RecordingState: recording,
				Protocol: "UNKNOWN", ReplicationType: "NONE"},
				StageArn: stageArn, SessionID: st.ActiveSessionID, Capabilities: claims.Capabilities}
		case err != nil:
			return err
		case p.State == "CONNECTED":
			out = p.Participant
			return nil
		}
		p.State = "CONNECTED"
		addEvent(&p, "JOINED", "", now)
		out = p.Participant
		return put(tx, bParticipants, key, p)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ivsemu: participant joined", "stage_arn", stageArn, "participant_id", out.ParticipantID)
	return &out, nil
}

// connected loads a connected participant of the stage's active session.
func (s *Service) connected(tx *bolt.Tx, stageArn, participantID string) (*Stage, *participantRecord, error) {
	st, err := s.getStageRecord(tx, stageArn)
	if err != nil {
		return nil, nil, err
	}
	if st.ActiveSessionID == "" {
		return nil, nil, ErrParticipantNotConnected
	}
	var p participantRecord
	if err := get(tx, bParticipants, participantKey(st.ActiveSessionID, participantID), &p); err != nil {
		if err == errMissing {
			return nil, nil, ErrParticipantNotConnected
		}
		return nil, nil, err
	}
	if p.State != "CONNECTED" {
		return nil, nil, ErrParticipantNotConnected
	}
	return st, &p, nil
}

// Publish starts publishing for a connected participant: it needs
// allow_publish and a free slot (12 publishers per stage). It records
// PUBLISH_STARTED and emits "Participant Published"; on failure it records
// PUBLISH_ERROR and emits "Participant Publish Error".
func (s *Service) Publish(ctx context.Context, stageArn, participantID string) error {
	var ev *stageUpdate
	var result error
	err := s.db.Update(func(tx *bolt.Tx) error {
		st, p, err := s.connected(tx, stageArn, participantID)
		if err != nil {
			return err
		}
		if p.Publishing {
			return nil
		}
		now := s.now()
		errorCode := ""
		if !p.Capabilities.AllowPublish {
			errorCode, result = "INSUFFICIENT_CAPABILITIES", ErrInsufficientCapabilities
		} else {
			publishing := 0
			if err := each(tx, bParticipants, st.ActiveSessionID+"|", func(_ string, o *participantRecord) error {
				if o.Publishing {
					publishing++
				}
				return nil
			}); err != nil {
				return err
			}
			if publishing >= maxPublishers {
				errorCode, result = "QUOTA_EXCEEDED", ErrPublisherLimit
			}
		}
		if errorCode != "" {
			addEvent(p, "PUBLISH_ERROR", errorCode, now)
			ev = &stageUpdate{stageArn, st.ActiveSessionID, "Participant Publish Error", now, p.UserID, p.ParticipantID}
		} else {
			p.Publishing, p.Published = true, true
			addEvent(p, "PUBLISH_STARTED", "", now)
			ev = &stageUpdate{stageArn, st.ActiveSessionID, "Participant Published", now, p.UserID, p.ParticipantID}
		}
		return put(tx, bParticipants, participantKey(st.ActiveSessionID, participantID), p)
	})
	if err != nil {
		return err
	}
	s.emitStageUpdate(ctx, ev)
	return result
}

// Unpublish stops publishing (PUBLISH_STOPPED, "Participant Unpublished").
// A participant that is not publishing is left as is.
func (s *Service) Unpublish(ctx context.Context, stageArn, participantID string) error {
	var ev *stageUpdate
	err := s.db.Update(func(tx *bolt.Tx) error {
		st, p, err := s.connected(tx, stageArn, participantID)
		if err != nil {
			return err
		}
		ev = s.unpublishLocked(st, p)
		return put(tx, bParticipants, participantKey(st.ActiveSessionID, participantID), p)
	})
	if err != nil {
		return err
	}
	s.emitStageUpdate(ctx, ev)
	return nil
}

func (s *Service) unpublishLocked(st *Stage, p *participantRecord) *stageUpdate {
	if !p.Publishing {
		return nil
	}
	now := s.now()
	p.Publishing = false
	addEvent(p, "PUBLISH_STOPPED", "", now)
	return &stageUpdate{st.Arn, st.ActiveSessionID, "Participant Unpublished", now, p.UserID, p.ParticipantID}
}

// Leave disconnects a participant (unpublishing first). When the last
// connected participant leaves, the stage session ends.
func (s *Service) Leave(ctx context.Context, stageArn, participantID string) error {
	return s.leave(ctx, stageArn, participantID, "")
}

// LeaveAll disconnects every connected participant of every stage (their
// publishers unpublish, with the events) and so ends the active sessions. A
// media plane calls it when it starts: connections do not survive a restart,
// and participants left CONNECTED would count as publishers and keep idle
// stages alive forever. It returns how many participants it disconnected.
func (s *Service) LeaveAll(ctx context.Context, reason string) (int, error) {
	type member struct{ stageArn, participantID string }
	var members []member
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bStages, "", func(_ string, st *Stage) error {
			if st.ActiveSessionID == "" {
				return nil
			}
			return each(tx, bParticipants, st.ActiveSessionID+"|", func(_ string, p *participantRecord) error {
				if p.State == "CONNECTED" && p.StageArn == st.Arn {
					members = append(members, member{st.Arn, p.ParticipantID})
				}
				return nil
			})
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range members {
		if err := s.leave(ctx, m.stageArn, m.participantID, reason); err != nil && !errors.Is(err, ErrParticipantNotConnected) {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) leave(ctx context.Context, stageArn, participantID, reason string) error {
	var ev *stageUpdate
	err := s.db.Update(func(tx *bolt.Tx) error {
		st, p, err := s.connected(tx, stageArn, participantID)
		if err != nil {
			return err
		}
		ev = s.unpublishLocked(st, p)
		now := s.now()
		p.State = "DISCONNECTED"
		addEvent(p, "LEFT", "", now)
		if err := put(tx, bParticipants, participantKey(st.ActiveSessionID, participantID), p); err != nil {
			return err
		}
		anyone := false
		if err := each(tx, bParticipants, st.ActiveSessionID+"|", func(_ string, o *participantRecord) error {
			anyone = anyone || o.State == "CONNECTED"
			return nil
		}); err != nil {
			return err
		}
		if anyone {
			return nil
		}
		// Last one out: the session ends (IVS ends it a few minutes later;
		// offline it ends at once so that state is deterministic).
		var sessKey string
		var sess StageSession
		if err := each(tx, bStageSessions, stageArn+"|", func(k string, ss *StageSession) error {
			if ss.SessionID == st.ActiveSessionID {
				sessKey, sess = k, *ss
			}
			return nil
		}); err != nil {
			return err
		}
		if sessKey != "" {
			sess.EndTime = ts(now)
			if err := put(tx, bStageSessions, sessKey, sess); err != nil {
				return err
			}
		}
		s.log.InfoContext(ctx, "ivsemu: stage session ended", "stage_arn", stageArn, "session_id", st.ActiveSessionID)
		st.ActiveSessionID = ""
		return put(tx, bStages, stageArn, st)
	})
	if err != nil {
		return err
	}
	s.emitStageUpdate(ctx, ev)
	s.log.InfoContext(ctx, "ivsemu: participant left", "stage_arn", stageArn, "participant_id", participantID, "reason", reason)
	return nil
}

type stageUpdate struct {
	stageArn, sessionID, eventName string
	at                             time.Time
	userID, participantID          string
}

// emitStageUpdate publishes an "IVS Stage Update" EventBridge event.
func (s *Service) emitStageUpdate(ctx context.Context, u *stageUpdate) {
	if u == nil || s.cfg.Events == nil {
		return
	}
	ev, err := eventbus.NewEvent("aws.ivs", "IVS Stage Update", []string{u.stageArn}, u.at, map[string]string{
		"session_id":     u.sessionID,
		"event_name":     u.eventName,
		"event_time":     u.at.UTC().Truncate(time.Second).Format(time.RFC3339),
		"user_id":        u.userID,
		"participant_id": u.participantID,
	})
	if err == nil {
		_, err = s.cfg.Events.Publish(ctx, ev)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "ivsemu: publish stage event", "error", err.Error())
	}
}

type disconnectParticipantInput struct {
	StageArn      *string `json:"stageArn"`
	ParticipantID *string `json:"participantId"`
	Reason        *string `json:"reason"`
}

func (s *Service) disconnectParticipant(ctx context.Context, in *disconnectParticipantInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	c.required("participantId", in.ParticipantID != nil)
	c.str("participantId", in.ParticipantID, 0, 64, reParticipant)
	c.str("reason", in.Reason, 0, 128, nil)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := s.Stage(ctx, *in.StageArn); err != nil {
		return nil, err
	}
	err := s.leave(ctx, *in.StageArn, *in.ParticipantID, deref(in.Reason))
	if err == ErrParticipantNotConnected {
		return nil, errNotFound("Participant not found on the stage: %s", *in.ParticipantID)
	}
	if err != nil {
		return nil, err
	}
	// IVS revokes a disconnected participant's token for good.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return put(tx, bRevoked, *in.StageArn+"|"+*in.ParticipantID, s.now())
	}); err != nil {
		return nil, err
	}
	if s.cfg.OnParticipantDisconnected != nil {
		s.cfg.OnParticipantDisconnected(*in.StageArn, *in.ParticipantID, deref(in.Reason))
	}
	return struct{}{}, nil
}

type getParticipantInput struct {
	StageArn      *string `json:"stageArn"`
	SessionID     *string `json:"sessionId"`
	ParticipantID *string `json:"participantId"`
}

func checkSessionID(c *check, v *string) {
	c.required("sessionId", v != nil)
	if v != nil {
		c.length("sessionId", *v, 16, 16)
		c.pattern("sessionId", *v, reSessionID)
	}
}

func (s *Service) getParticipant(ctx context.Context, in *getParticipantInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	checkSessionID(&c, in.SessionID)
	c.required("participantId", in.ParticipantID != nil)
	c.str("participantId", in.ParticipantID, 0, 64, reParticipantNoUnderscore)
	if err := c.err(); err != nil {
		return nil, err
	}
	var p participantRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		err := get(tx, bParticipants, participantKey(*in.SessionID, *in.ParticipantID), &p)
		if err == errMissing || (err == nil && p.StageArn != *in.StageArn) {
			return errNotFound("Participant not found: %s", *in.ParticipantID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"participant": p.Participant}, nil
}

type listParticipantsInput struct {
	StageArn               *string `json:"stageArn"`
	SessionID              *string `json:"sessionId"`
	FilterByUserID         *string `json:"filterByUserId"`
	FilterByPublished      *bool   `json:"filterByPublished"`
	FilterByState          *string `json:"filterByState"`
	FilterByRecordingState *string `json:"filterByRecordingState"`
	pagingInput
}

func (s *Service) listParticipants(ctx context.Context, in *listParticipantsInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	checkSessionID(&c, in.SessionID)
	c.str("filterByUserId", in.FilterByUserID, 0, 128, nil)
	c.enum("filterByState", in.FilterByState, "CONNECTED", "DISCONNECTED")
	c.enum("filterByRecordingState", in.FilterByRecordingState, "STARTING", "ACTIVE", "STOPPING", "STOPPED", "FAILED")
	in.pagingInput.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	filters := 0
	if in.FilterByUserID != nil {
		filters++
	}
	if in.FilterByPublished != nil {
		filters++
	}
	if in.FilterByState != nil {
		filters++
	}
	if in.FilterByRecordingState != nil {
		filters++
	}
	if filters > 1 {
		return nil, errValidation("Only one filter (filterByUserId, filterByPublished, filterByState, filterByRecordingState) can be used at a time.")
	}
	parts, err := s.participants(*in.SessionID)
	if err != nil {
		return nil, err
	}
	var items []ParticipantSummary
	for _, p := range parts {
		switch {
		case p.StageArn != *in.StageArn,
			in.FilterByUserID != nil && p.UserID != *in.FilterByUserID,
			in.FilterByPublished != nil && p.Published != *in.FilterByPublished,
			in.FilterByState != nil && p.State != *in.FilterByState,
			in.FilterByRecordingState != nil && p.RecordingState != *in.FilterByRecordingState:
			continue
		}
		items = append(items, ParticipantSummary{ParticipantID: p.ParticipantID, UserID: p.UserID, State: p.State,
			FirstJoinTime: p.FirstJoinTime, Published: p.Published, RecordingState: p.RecordingState,
			ReplicationType: p.ReplicationType, RedundantIngest: p.RedundantIngest})
	}
	return pageReply("participants", items, func(_ int, p ParticipantSummary) string { return ascTime(p.FirstJoinTime) + p.ParticipantID }, in.NextToken, in.MaxResults, 50)
}

type listParticipantEventsInput struct {
	StageArn      *string `json:"stageArn"`
	SessionID     *string `json:"sessionId"`
	ParticipantID *string `json:"participantId"`
	pagingInput
}

func (s *Service) listParticipantEvents(ctx context.Context, in *listParticipantEventsInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	checkSessionID(&c, in.SessionID)
	c.required("participantId", in.ParticipantID != nil)
	c.str("participantId", in.ParticipantID, 0, 64, reParticipantNoUnderscore)
	in.pagingInput.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	var events []ParticipantEvent
	err := s.db.View(func(tx *bolt.Tx) error {
		var p participantRecord
		err := get(tx, bParticipants, participantKey(*in.SessionID, *in.ParticipantID), &p)
		if err == nil && p.StageArn == *in.StageArn {
			events = p.Events
		}
		if err == errMissing {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return pageReply("events", events, func(i int, e ParticipantEvent) string { return ascTime(e.EventTime) + fmt.Sprintf("%06d", i) }, in.NextToken, in.MaxResults, 50)
}

type listStageSessionsInput struct {
	StageArn *string `json:"stageArn"`
	pagingInput
}

func (s *Service) stageSessions(stageArn string) ([]StageSession, error) {
	var out []StageSession
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bStageSessions, stageArn+"|", func(_ string, ss *StageSession) error {
			out = append(out, *ss)
			return nil
		})
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

func (s *Service) listStageSessions(ctx context.Context, in *listStageSessionsInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	in.pagingInput.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	sessions, err := s.stageSessions(*in.StageArn)
	if err != nil {
		return nil, err
	}
	return pageReply("stageSessions", sessions, func(_ int, ss StageSession) string { return descTime(ss.StartTime) + ss.SessionID }, in.NextToken, in.MaxResults, 50)
}

type getStageSessionInput struct {
	StageArn  *string `json:"stageArn"`
	SessionID *string `json:"sessionId"`
}

func (s *Service) getStageSession(ctx context.Context, in *getStageSessionInput) (any, error) {
	var c check
	c.arn("stageArn", in.StageArn, reStageArn)
	checkSessionID(&c, in.SessionID)
	if err := c.err(); err != nil {
		return nil, err
	}
	sessions, err := s.stageSessions(*in.StageArn)
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		if ss.SessionID == *in.SessionID {
			return map[string]any{"stageSession": ss}, nil
		}
	}
	return nil, errNotFound("Stage session not found: %s", *in.SessionID)
}

// ---- Public keys (for self-signed participant tokens). ----

// PublicKey is an imported public key.
type PublicKey struct {
	Arn               string            `json:"arn"`
	Name              string            `json:"name"`
	PublicKeyMaterial string            `json:"publicKeyMaterial"`
	Fingerprint       string            `json:"fingerprint"`
	Tags              map[string]string `json:"tags"`
}

// PublicKeySummary is a ListPublicKeys item.
type PublicKeySummary struct {
	Arn  string            `json:"arn"`
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

type importPublicKeyInput struct {
	PublicKeyMaterial *string           `json:"publicKeyMaterial"`
	Name              *string           `json:"name"`
	Tags              map[string]string `json:"tags"`
}

func (s *Service) importPublicKey(ctx context.Context, in *importPublicKeyInput) (any, error) {
	var c check
	c.required("publicKeyMaterial", in.PublicKeyMaterial != nil)
	if in.PublicKeyMaterial != nil {
		c.pattern("publicKeyMaterial", *in.PublicKeyMaterial, rePEM)
	}
	c.str("name", in.Name, 0, 128, reName)
	c.tags("tags", in.Tags)
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, err := parsePublicKey(*in.PublicKeyMaterial); err != nil {
		return nil, errValidation("Invalid public key material: %v", err)
	}
	pk := PublicKey{Arn: s.arn("ivs", "public-key", randomID(12)), Name: deref(in.Name),
		PublicKeyMaterial: *in.PublicKeyMaterial, Fingerprint: fingerprint(*in.PublicKeyMaterial), Tags: nonNil(in.Tags)}
	err := s.db.Update(func(tx *bolt.Tx) error {
		n, dup := 0, false
		if err := each(tx, bPublicKeys, "", func(_ string, o *PublicKey) error {
			n++
			dup = dup || o.Fingerprint == pk.Fingerprint
			return nil
		}); err != nil {
			return err
		}
		if dup {
			return errConflict("This public key has already been imported.")
		}
		if n >= maxPublicKeys {
			return errQuota("Public key quota exceeded: at most %d public keys per region.", maxPublicKeys)
		}
		return put(tx, bPublicKeys, pk.Arn, pk)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"publicKey": pk}, nil
}

func (s *Service) getPublicKey(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, rePublicKeyArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	var pk PublicKey
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := get(tx, bPublicKeys, *in.Arn, &pk); err == errMissing {
			return errNotFound("Public key not found: %s", *in.Arn)
		} else {
			return err
		}
	})
	if err != nil {
		return nil, err
	}
	pk.Tags = nonNil(pk.Tags)
	return map[string]any{"publicKey": pk}, nil
}

func (s *Service) listPublicKeys(ctx context.Context, in *pagingInput) (any, error) {
	var c check
	in.validate(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	var items []PublicKeySummary
	err := s.db.View(func(tx *bolt.Tx) error {
		return each(tx, bPublicKeys, "", func(_ string, pk *PublicKey) error {
			items = append(items, PublicKeySummary{Arn: pk.Arn, Name: pk.Name, Tags: nonNil(pk.Tags)})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return pageReply("publicKeys", items, func(_ int, pk PublicKeySummary) string { return pk.Arn }, in.NextToken, in.MaxResults, 50)
}

func (s *Service) deletePublicKey(ctx context.Context, in *arnInput) (any, error) {
	var c check
	c.arn("arn", in.Arn, rePublicKeyArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		var pk PublicKey
		if err := get(tx, bPublicKeys, *in.Arn, &pk); err == errMissing {
			return errNotFound("Public key not found: %s", *in.Arn)
		} else if err != nil {
			return err
		}
		return del(tx, bPublicKeys, *in.Arn)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
