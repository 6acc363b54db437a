package stages

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

// HostView is a stage host as the public sees them.
type HostView struct {
	Username  string `json:"username"`
	Avatar    string `json:"avatar,omitempty"`
	AvatarURL string `json:"avatarUrl,omitempty"`
}

// PublisherView is a participant publishing now, per IVS Stage Update events.
type PublisherView struct {
	ParticipantID string       `json:"participantId"`
	Username      string       `json:"username,omitempty"`
	Since         httpapi.Time `json:"since"`
}

// ParticipantView is a connected participant, for the host.
type ParticipantView struct {
	ParticipantID string `json:"participantId"`
	UserID        string `json:"userId"`
	Username      string `json:"username,omitempty"`
	State         string `json:"state"`
	// Published: published at some time in this session (IVS's flag).
	Published bool `json:"published"`
	// Publishing: publishing now, per IVS Stage Update events.
	Publishing    bool         `json:"publishing"`
	FirstJoinTime httpapi.Time `json:"firstJoinTime,omitzero"`
}

// InviteView is an invitation, for the host.
type InviteView struct {
	Username  string       `json:"username"`
	InvitedAt httpapi.Time `json:"invitedAt"`
}

// StageView is one stage. Endpoints, Participants and Invited are only
// filled for its host.
type StageView struct {
	ID              string                `json:"id"`
	Arn             string                `json:"arn"`
	Name            string                `json:"name"`
	ActiveSessionID *string               `json:"activeSessionId"`
	CreatedAt       httpapi.Time          `json:"createdAt"`
	AllowAnonymous  bool                  `json:"allowAnonymous"`
	Endpoints       *onair.StageEndpoints `json:"endpoints,omitempty"`
	Host            *HostView             `json:"host,omitempty"`
	Publishing      []PublisherView       `json:"publishing"`
	// Role is the highest role the caller may have ("" if they may not join).
	Role         Role              `json:"role,omitempty"`
	Participants []ParticipantView `json:"participants,omitempty"`
	Invited      []InviteView      `json:"invited,omitempty"`
}

// StageSummary is a stage in the public list.
type StageSummary struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	CreatedAt      httpapi.Time `json:"createdAt"`
	AllowAnonymous bool         `json:"allowAnonymous"`
	Host           HostView     `json:"host"`
	PublisherCount int          `json:"publisherCount"`
}

// DefaultListLimit and MaxListLimit bound GET /stages.
const (
	DefaultListLimit = 50
	MaxListLimit     = 100
)

// ListStages returns open stages, newest first, with their hosts. Stages
// whose host no longer exists are left out.
func (s *service) ListStages(ctx context.Context, limit int) ([]StageSummary, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	list, err := s.store.ListStages(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("list stages: %w", err)
	}
	subs := make([]string, 0, len(list))
	for _, st := range list {
		subs = append(subs, st.OwnerSub)
	}
	users, err := s.users(ctx, subs)
	if err != nil {
		return nil, err
	}
	out := make([]StageSummary, 0, len(list))
	for _, st := range list {
		host, ok := users[st.OwnerSub]
		if !ok {
			continue
		}
		out = append(out, StageSummary{
			ID:             st.ID,
			Name:           st.Name,
			CreatedAt:      httpapi.TimeOf(st.CreatedAt),
			AllowAnonymous: st.AllowAnonymous,
			Host:           hostView(host),
			PublisherCount: len(publishing(st)),
		})
	}
	return out, nil
}

// DescribeStage returns the stage id as caller (nil: anonymous) may see it.
func (s *service) DescribeStage(ctx context.Context, id string, caller *onair.Caller) (StageView, error) {
	st, err := s.getStage(ctx, id)
	if err != nil {
		return StageView{}, err
	}
	isHost := caller != nil && caller.Sub == st.OwnerSub
	var live onair.RealTimeStage
	if isHost {
		live, err = s.liveStage(ctx, st)
	} else {
		live, err = s.cachedLiveStage(ctx, st)
	}
	if err != nil {
		return StageView{}, err
	}
	var participants []onair.RealTimeParticipant
	if isHost && live.ActiveSessionID != "" {
		participants, err = s.sessionParticipants(ctx, onair.ParticipantQuery{
			StageArn: st.Arn, SessionID: live.ActiveSessionID, State: onair.ParticipantConnected, Max: maxListedParticipants,
		})
		if err != nil {
			return StageView{}, fmt.Errorf("ivs list participants: %w", err)
		}
	}

	pubs := publishing(st)
	subs := []string{st.OwnerSub}
	for _, p := range pubs {
		subs = append(subs, p.UserID)
	}
	if isHost {
		for _, p := range participants {
			subs = append(subs, p.UserID)
		}
		for sub := range st.Invited {
			subs = append(subs, sub)
		}
	}
	users, err := s.users(ctx, subs)
	if err != nil {
		return StageView{}, err
	}

	v := StageView{
		ID:             st.ID,
		Arn:            st.Arn,
		Name:           st.Name,
		CreatedAt:      httpapi.TimeOf(st.CreatedAt),
		AllowAnonymous: st.AllowAnonymous,
		Publishing:     []PublisherView{},
	}
	if live.ActiveSessionID != "" {
		v.ActiveSessionID = &live.ActiveSessionID
	}
	if h, ok := users[st.OwnerSub]; ok {
		hv := hostView(h)
		v.Host = &hv
	}
	for _, p := range pubs {
		v.Publishing = append(v.Publishing, PublisherView{ParticipantID: p.ParticipantID, Username: users[p.UserID].Username, Since: httpapi.TimeOf(p.EventTime)})
	}
	if role, err := MaxRole(st, caller); err == nil {
		v.Role = role
	}
	if isHost {
		ep := st.Endpoints
		if live.Endpoints.Events != "" {
			ep = live.Endpoints
		}
		v.Endpoints = &ep
		v.Participants = []ParticipantView{}
		for _, p := range participants {
			known, seen := st.Publishing[p.ParticipantID]
			v.Participants = append(v.Participants, ParticipantView{
				ParticipantID: p.ParticipantID,
				UserID:        p.UserID,
				Username:      users[p.UserID].Username,
				State:         p.State,
				Published:     p.Published,
				Publishing:    seen && known.Published,
				FirstJoinTime: httpapi.TimeOf(p.FirstJoinTime),
			})
		}
		v.Invited = []InviteView{}
		for sub, at := range st.Invited {
			if u, ok := users[sub]; ok {
				v.Invited = append(v.Invited, InviteView{Username: u.Username, InvitedAt: httpapi.TimeOf(at)})
			}
		}
		sort.Slice(v.Invited, func(i, j int) bool { return v.Invited[i].InvitedAt.Before(v.Invited[j].InvitedAt.Time) })
	}
	return v, nil
}

// maxListedParticipants bounds the participants listed for the host (a stage
// may have thousands of subscribers).
const maxListedParticipants = 500

// maxResolvedUsers bounds the profiles read for one response.
const maxResolvedUsers = 100

// users reads the profiles of subs (deduplicated, at most maxResolvedUsers;
// anonymous ids are skipped), by sub.
func (s *service) users(ctx context.Context, subs []string) (map[string]onair.User, error) {
	seen := map[string]bool{}
	var want []string
	for _, sub := range subs {
		if sub == "" || seen[sub] || strings.HasPrefix(sub, AnonymousPrefix) {
			continue
		}
		seen[sub] = true
		want = append(want, sub)
		if len(want) == maxResolvedUsers {
			break
		}
	}
	out := map[string]onair.User{}
	if len(want) == 0 {
		return out, nil
	}
	list, err := s.store.GetUsers(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("get users: %w", err)
	}
	for _, u := range list {
		out[u.Sub] = u
	}
	return out, nil
}

func hostView(u onair.User) HostView {
	h := HostView{Username: u.Username, Avatar: u.Avatar}
	if a, ok := u.ChannelAssets["avatar"]; ok && u.Avatar == "custom" {
		h.AvatarURL = a.URL
	}
	return h
}

// publishing returns the participants the stage's events show publishing,
// earliest first.
func publishing(st onair.Stage) []onair.StageParticipant {
	var out []onair.StageParticipant
	for _, p := range st.Publishing {
		if p.Published {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].EventTime.Equal(out[j].EventTime) {
			return out[i].EventTime.Before(out[j].EventTime)
		}
		return out[i].ParticipantID < out[j].ParticipantID
	})
	return out
}

// cachedLiveStage is liveStage through a short per-process cache, for the
// public stage page.
func (s *service) cachedLiveStage(ctx context.Context, st onair.Stage) (onair.RealTimeStage, error) {
	ttl := s.cfg.PublicCacheTTL
	if ttl <= 0 {
		return s.liveStage(ctx, st)
	}
	now := s.clock()
	s.cacheMu.Lock()
	c, ok := s.cache[st.Arn]
	s.cacheMu.Unlock()
	if ok && now.Sub(c.at) < ttl {
		return c.stage, nil
	}
	live, err := s.liveStage(ctx, st)
	if err != nil {
		if ok && !errors.Is(err, onair.ErrNotFound) && onair.ErrorCode(err) == onair.Throttled {
			return c.stage, nil // a stale answer beats a 429 on a public page
		}
		return onair.RealTimeStage{}, err
	}
	s.cacheMu.Lock()
	if len(s.cache) >= maxCachedStages {
		clear(s.cache)
	}
	s.cache[st.Arn] = cachedStage{stage: live, at: now}
	s.cacheMu.Unlock()
	return live, nil
}

const maxCachedStages = 1000
