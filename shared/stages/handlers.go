package stages

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

// TokenView is a minted token as clients receive it.
type TokenView struct {
	Token          string       `json:"token"`
	ParticipantID  string       `json:"participantId"`
	UserID         string       `json:"userId"`
	ExpirationTime httpapi.Time `json:"expirationTime"`
	Capabilities   []string     `json:"capabilities"`
	Role           Role         `json:"role"`
}

func tokenView(iss Issued) TokenView {
	return TokenView{
		Token:          iss.Token.Token,
		ParticipantID:  iss.Token.ParticipantID,
		UserID:         iss.Token.UserID,
		ExpirationTime: httpapi.TimeOf(iss.Token.ExpirationTime),
		Capabilities:   iss.Token.Capabilities,
		Role:           iss.Role,
	}
}

// OpenedStageView is the stage in POST /stages responses.
type OpenedStageView struct {
	ID              string               `json:"id"`
	Arn             string               `json:"arn"`
	Name            string               `json:"name"`
	ActiveSessionID *string              `json:"activeSessionId"`
	CreatedAt       httpapi.Time         `json:"createdAt"`
	AllowAnonymous  bool                 `json:"allowAnonymous"`
	Endpoints       onair.StageEndpoints `json:"endpoints"`
}

// CreateStageRequest is the optional body of POST /stages.
type CreateStageRequest struct {
	AllowAnonymous *bool `json:"allowAnonymous"`
}

// CreateStageResponse is the body of POST /stages.
type CreateStageResponse struct {
	Stage OpenedStageView `json:"stage"`
	Token TokenView       `json:"token"`
}

// CreateStageHandler serves POST /stages: the caller's stage (201 when created, 200
// when they already had it) and a host token.
func (s *service) CreateStageHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		caller, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var req CreateStageRequest
		if err := decodeOptional(r, &req); err != nil {
			return err
		}
		ctx := r.Context()
		o, err := s.OpenStage(ctx, caller, req.AllowAnonymous)
		if err != nil {
			return err
		}
		iss, err := s.mint(ctx, o.Stage, &o.Live, &caller, RoleHost)
		if err != nil {
			return err
		}
		st := o.Stage
		v := OpenedStageView{ID: st.ID, Arn: st.Arn, Name: st.Name, CreatedAt: httpapi.TimeOf(st.CreatedAt), AllowAnonymous: st.AllowAnonymous, Endpoints: st.Endpoints}
		if o.Live.Endpoints.Events != "" {
			v.Endpoints = o.Live.Endpoints
		}
		if o.Live.ActiveSessionID != "" {
			v.ActiveSessionID = &o.Live.ActiveSessionID
		}
		status := http.StatusOK
		if o.Created {
			status = http.StatusCreated
		}
		return httpapi.WriteJSON(w, status, CreateStageResponse{Stage: v, Token: tokenView(iss)})
	})
}

// ListStagesResponse is the body of GET /stages.
type ListStagesResponse struct {
	Stages []StageSummary `json:"stages"`
}

// ListStagesHandler serves GET /stages[?limit=n] (public).
func (s *service) ListStagesHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		limit := 0
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxListLimit {
				return onair.Errorf(onair.Invalid, BadRequestType, "limit must be a number from 1 to %d.", MaxListLimit)
			}
			limit = n
		}
		list, err := s.ListStages(r.Context(), limit)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, ListStagesResponse{Stages: list})
	})
}

// GetStageResponse is the body of GET /stages/{stageId}.
type GetStageResponse struct {
	Stage StageView `json:"stage"`
}

// GetStageHandler serves GET /stages/{stageId} (login optional).
func (s *service) GetStageHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		v, err := s.DescribeStage(r.Context(), r.PathValue("stageId"), optionalCaller(r))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, GetStageResponse{Stage: v})
	})
}

// CreateTokenRequest is the optional body of POST /stages/{stageId}/tokens.
type CreateTokenRequest struct {
	// Role asks for a role lower than the caller's highest ("" for it).
	Role string `json:"role"`
}

// CreateTokenResponse is the body of POST /stages/{stageId}/tokens.
type CreateTokenResponse struct {
	StageID string    `json:"stageId"`
	Token   TokenView `json:"token"`
}

// CreateTokenHandler serves POST /stages/{stageId}/tokens (login optional).
func (s *service) CreateTokenHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		var req CreateTokenRequest
		if err := decodeOptional(r, &req); err != nil {
			return err
		}
		role, err := ParseRole(req.Role)
		if err != nil {
			return err
		}
		iss, st, err := s.IssueToken(r.Context(), r.PathValue("stageId"), optionalCaller(r), role)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, CreateTokenResponse{StageID: st.ID, Token: tokenView(iss)})
	})
}

// InviteRequest is the body of POST /stages/{stageId}/invites.
type InviteRequest struct {
	Username string `json:"username"`
}

// InviteResponse is the body of POST /stages/{stageId}/invites.
type InviteResponse struct {
	StageID string     `json:"stageId"`
	Invited InviteView `json:"invited"`
}

// InviteHandler serves POST /stages/{stageId}/invites (host only).
func (s *service) InviteHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		caller, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var req InviteRequest
		if err := httpapi.Decode(r, &req); err != nil {
			return err
		}
		st, guest, err := s.Invite(r.Context(), r.PathValue("stageId"), caller, req.Username)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, InviteResponse{StageID: st.ID, Invited: InviteView{Username: guest.Username, InvitedAt: httpapi.TimeOf(st.Invited[guest.Sub])}})
	})
}

// RevokeInviteHandler serves DELETE /stages/{stageId}/invites/{username}
// (host only).
func (s *service) RevokeInviteHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		caller, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		if err := s.RevokeInvite(r.Context(), r.PathValue("stageId"), caller, r.PathValue("username")); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusNoContent, nil)
	})
}

// DisconnectRequest is the optional body of
// DELETE /stages/{stageId}/participants/{participantId}.
type DisconnectRequest struct {
	Reason string `json:"reason"`
}

// DisconnectHandler serves DELETE /stages/{stageId}/participants/{participantId}
// (host only).
func (s *service) DisconnectHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		caller, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var req DisconnectRequest
		if err := decodeOptional(r, &req); err != nil {
			return err
		}
		if err := s.Disconnect(r.Context(), r.PathValue("stageId"), caller, r.PathValue("participantId"), req.Reason); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusNoContent, nil)
	})
}

// DeleteStageHandler serves DELETE /stages/{stageId} (host only).
func (s *service) DeleteStageHandler() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		caller, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		if err := s.End(r.Context(), r.PathValue("stageId"), caller); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusNoContent, nil)
	})
}

func optionalCaller(r *http.Request) *onair.Caller {
	if c, ok := httpapi.Caller(r); ok {
		return &c
	}
	return nil
}

// decodeOptional decodes a JSON body if there is one; an absent or blank
// body leaves dst as it is.
func decodeOptional(r *http.Request, dst any) error {
	if r.Body == nil {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return onair.Wrap(onair.Invalid, BadRequestType, "Could not read the request body.", err)
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return httpapi.Decode(r, dst)
}
