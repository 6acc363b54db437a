package overlays

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
	"github.com/onair/onair/shared/wait"
)

// Document names in the store (per user).
const (
	activeDoc  = "activeAction"
	presetsDoc = "actionPresets"
)

// MaxPresetsBytes bounds the presets document (the store's document limit).
const MaxPresetsBytes = 64 << 10

// Users is the part of the store that holds the caller's channel.
type Users interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
}

// Documents is the part of the store that holds per-user documents.
type Documents interface {
	GetDocument(ctx context.Context, sub, name string) (json.RawMessage, error)
	PutDocument(ctx context.Context, sub, name string, doc json.RawMessage) error
}

// MetadataSender sends timed metadata into a live channel (IVS PutMetadata).
// Errors: Conflict ChannelNotBroadcastingException when the channel is not
// live, Throttled when over IVS's rate, Invalid when IVS refuses the payload.
type MetadataSender interface {
	PutMetadata(ctx context.Context, channelArn, metadata string) error
}

// retryDelays are the waits before each retry of a throttled PutMetadata.
// IVS allows 5 calls per second per channel, so every wait is at least 200 ms;
// the whole send stays under 2 s.
var retryDelays = []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}

// SendStreamAction serves POST /channel/actions/send: the action goes to
// the caller's live stream as timed metadata through sender.
func SendStreamAction(users Users, docs Documents, sender MetadataSender, now func() time.Time) http.Handler {
	return (&service{Users: users, Documents: docs, Sender: sender, Now: now}).SendStreamAction()
}

// GetActiveStreamAction serves GET /channel/actions/active.
func GetActiveStreamAction(users Users, docs Documents, now func() time.Time) http.Handler {
	return (&service{Users: users, Documents: docs, Now: now}).GetActiveStreamAction()
}

// GetStreamActionPresets serves GET /channel/actions/presets.
func GetStreamActionPresets(users Users, docs Documents) http.Handler {
	return (&service{Users: users, Documents: docs}).GetStreamActionPresets()
}

// PutStreamActionPresets serves PUT /channel/actions/presets.
func PutStreamActionPresets(users Users, docs Documents) http.Handler {
	return (&service{Users: users, Documents: docs}).PutStreamActionPresets()
}

// service serves the overlay routes.
type service struct {
	Users     Users
	Documents Documents
	Sender    MetadataSender
	Now       func() time.Time
	// Sleep waits d or until ctx ends (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error
}

func (s *service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *service) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return wait.Sleep(ctx, d)
}

// ActiveAction is the action viewers see, as the routes return it.
type ActiveAction struct {
	Name      string          `json:"name,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	StartTime *httpapi.Time   `json:"startTime,omitempty"`
	Expiry    *httpapi.Time   `json:"expiry,omitempty"`
}

// storedAction is the active action as recorded: times at full precision,
// so that isActive compares them exactly with the live session's start.
type storedAction struct {
	Name      string          `json:"name,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	StartTime *time.Time      `json:"startTime,omitempty"`
	Expiry    *time.Time      `json:"expiry,omitempty"`
}

func (a storedAction) view() ActiveAction {
	return ActiveAction{Name: a.Name, Data: a.Data, StartTime: httpapi.TimeRef(a.StartTime), Expiry: httpapi.TimeRef(a.Expiry)}
}

// sendRequest is the body of POST /channel/actions/send. A missing or null
// name stops the current action.
type sendRequest struct {
	Name *string         `json:"name"`
	Data json.RawMessage `json:"data"`
}

func (s *service) channel(ctx context.Context, sub string) (onair.User, error) {
	u, err := s.Users.GetUser(ctx, sub)
	if errors.Is(err, onair.ErrNotFound) {
		return onair.User{}, onair.Errorf(onair.NotFound, "UserNotFoundException", "Your account has no profile yet.")
	}
	if err != nil {
		return onair.User{}, err
	}
	if u.ChannelArn == "" {
		return onair.User{}, onair.Errorf(onair.NotFound, "ChannelNotFoundException", "You have no channel yet.")
	}
	return u, nil
}

// SendStreamAction serves POST /channel/actions/send.
func (s *service) SendStreamAction() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var req sendRequest
		if err := httpapi.Decode(r, &req); err != nil {
			return err
		}
		ctx := r.Context()
		var action *Action
		if req.Name != nil {
			a, err := ParseAction(*req.Name, req.Data, "data")
			if err != nil {
				return err
			}
			action = &a
		} else if len(bytes.TrimSpace(req.Data)) > 0 && !bytes.Equal(bytes.TrimSpace(req.Data), []byte("null")) {
			return invalid("A stop (name null) takes no data.")
		}
		u, err := s.channel(ctx, c.Sub)
		if err != nil {
			return err
		}
		now := s.now()
		metadata, err := encodeMetadata(action, now)
		if err != nil {
			return err
		}
		if err := s.put(ctx, u.ChannelArn, metadata); err != nil {
			return err
		}

		label := "stop"
		active := storedAction{}
		if action != nil {
			label = action.Name
			start := now.UTC()
			active = storedAction{Name: action.Name, Data: action.Data, StartTime: &start}
			if action.Duration > 0 {
				exp := start.Add(time.Duration(action.Duration) * time.Second)
				active.Expiry = &exp
			}
		}
		telemetry.MetricsFrom(ctx).Count(ctx, "OverlaysSent", 1, "Action", label)
		doc, err := json.Marshal(active)
		if err != nil {
			return fmt.Errorf("encode active action: %w", err)
		}
		if err := s.Documents.PutDocument(ctx, c.Sub, activeDoc, doc); err != nil {
			// Viewers already have the action; only the stream manager's
			// view after a reload misses it.
			telemetry.Logger(ctx).Error("overlay sent but not recorded as active", "err", err.Error())
		}
		return httpapi.WriteJSON(w, http.StatusOK, active.view())
	})
}

// put sends metadata, retrying throttling with growing waits.
func (s *service) put(ctx context.Context, channelArn, metadata string) error {
	for attempt := 0; ; attempt++ {
		err := s.Sender.PutMetadata(ctx, channelArn, metadata)
		if err == nil {
			return nil
		}
		switch {
		case onair.ErrorCode(err) == onair.Throttled && attempt < len(retryDelays):
			telemetry.Logger(ctx).Debug("PutMetadata throttled; retrying", "attempt", attempt+1)
			if werr := s.sleep(ctx, retryDelays[attempt]); werr != nil {
				return onair.Wrap(onair.Throttled, "TooManyRequestsException", "Too many overlays at once; try again in a moment.", err)
			}
			continue
		case onair.ErrorCode(err) == onair.Throttled:
			return onair.Wrap(onair.Throttled, "TooManyRequestsException", "Too many overlays at once; try again in a moment.", err)
		case onair.ErrorType(err) == "ChannelNotBroadcastingException":
			return onair.Wrap(onair.Conflict, "ChannelNotBroadcastingException", "Your channel is not live. Start streaming, then send the overlay.", err)
		case onair.ErrorCode(err) == onair.Invalid:
			return onair.Wrap(onair.Invalid, "TimedMetadataValidationException", "IVS refused the overlay: "+onair.ErrorMessage(err), err)
		}
		return onair.Wrap(onair.Internal, "TimedMetadataException", "Could not send the overlay.", err)
	}
}

// GetActiveStreamAction serves GET /channel/actions/active: the action
// viewers currently see, or {} when none is (stopped, expired, or sent
// before the current live session; nothing is shown while offline).
func (s *service) GetActiveStreamAction() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		u, err := s.Users.GetUser(ctx, c.Sub)
		if errors.Is(err, onair.ErrNotFound) {
			return httpapi.WriteJSON(w, http.StatusOK, ActiveAction{})
		}
		if err != nil {
			return err
		}
		raw, err := s.Documents.GetDocument(ctx, c.Sub, activeDoc)
		if errors.Is(err, onair.ErrNotFound) {
			return httpapi.WriteJSON(w, http.StatusOK, ActiveAction{})
		}
		if err != nil {
			return err
		}
		var a storedAction
		if err := json.Unmarshal(raw, &a); err != nil {
			telemetry.Logger(ctx).Warn("active action unreadable; treated as none", "err", err.Error())
			return httpapi.WriteJSON(w, http.StatusOK, ActiveAction{})
		}
		if !isActive(a, u, s.now()) {
			a = storedAction{}
		}
		return httpapi.WriteJSON(w, http.StatusOK, a.view())
	})
}

func isActive(a storedAction, u onair.User, now time.Time) bool {
	switch {
	case a.Name == "" || a.StartTime == nil:
		return false
	case a.Expiry != nil && !now.Before(*a.Expiry):
		return false
	case u.LiveSince == nil:
		return false // offline: viewers' players dropped it
	case a.StartTime.Before(*u.LiveSince):
		return false // sent during an earlier live session
	}
	return true
}

// Presets are the owner's saved actions, by action name.
type Presets map[string]json.RawMessage

// GetStreamActionPresets serves GET /channel/actions/presets.
func (s *service) GetStreamActionPresets() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		raw, err := s.Documents.GetDocument(r.Context(), c.Sub, presetsDoc)
		if errors.Is(err, onair.ErrNotFound) {
			return httpapi.WriteJSON(w, http.StatusOK, Presets{})
		}
		if err != nil {
			return err
		}
		var p Presets
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("stored presets unreadable: %w", err)
		}
		return httpapi.WriteJSON(w, http.StatusOK, p)
	})
}

// PutStreamActionPresets serves PUT /channel/actions/presets: it replaces
// the saved presets with the body, a map from action name to action data.
// Every preset must be a valid action: a preset is what "start" sends.
func (s *service) PutStreamActionPresets() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var in map[string]json.RawMessage
		if err := httpapi.Decode(r, &in); err != nil {
			return err
		}
		out := Presets{}
		names := make([]string, 0, len(in))
		for name := range in {
			names = append(names, name)
		}
		slices.Sort(names) // report the first bad preset deterministically
		for _, name := range names {
			if !slices.Contains(Names, name) {
				return invalid("%s is not an overlay; presets are keyed by %v.", name, Names)
			}
			a, err := ParseAction(name, in[name], name)
			if err != nil {
				return err
			}
			out[name] = a.Data
		}
		doc, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode presets: %w", err)
		}
		if len(doc) > MaxPresetsBytes {
			return onair.Errorf(onair.TooLarge, "PayloadTooLargeException", "Presets are at most %d bytes.", MaxPresetsBytes)
		}
		if err := s.Documents.PutDocument(r.Context(), c.Sub, presetsDoc, doc); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	})
}
