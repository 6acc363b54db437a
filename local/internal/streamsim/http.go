package streamsim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/onair/onair/local/internal/ivsemu"
)

// PathPrefix is where Handler is mounted.
const PathPrefix = "/_local/streams/"

// Resolver maps a username to its channel ARN (the offline program reads
// the store). Any error, or an empty ARN, answers 404.
type Resolver func(ctx context.Context, username string) (channelArn string, err error)

// startRequest is the optional JSON body of the start route.
type startRequest struct {
	Profile     *Profile `json:"profile"`
	Starvations []struct {
		AfterSeconds    float64 `json:"afterSeconds"`
		DurationSeconds float64 `json:"durationSeconds"`
	} `json:"starvations"`
	LimitBreaches []struct {
		AfterSeconds float64 `json:"afterSeconds"`
		Limit        string  `json:"limit"`
	} `json:"limitBreaches"`
}

type response struct {
	ChannelArn string `json:"channelArn"`
	StreamID   string `json:"streamId,omitempty"`
	State      string `json:"state"`
	Simulated  bool   `json:"simulated"`
}

// Handler serves the simulation's controls, for `make dev` users and
// end-to-end tests ({channel} is a channel ARN, URL-encoded, or a username):
//
//	POST /_local/streams/{channel}/start   body (optional): {"profile":{...},
//	     "starvations":[{"afterSeconds":30,"durationSeconds":10}],
//	     "limitBreaches":[{"afterSeconds":60,"limit":"Ingest Bitrate"}]}
//	POST /_local/streams/{channel}/stop
//	POST /_local/streams/{channel}/starve  body: {"seconds":10}
//	POST /_local/streams/{channel}/breach  body: {"limit":"Ingest Resolution"}
func (s *Sim) Handler(resolve Resolver) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathPrefix+"{channel}/start", func(w http.ResponseWriter, r *http.Request) {
		arn, ok := s.channel(w, r, resolve)
		if !ok {
			return
		}
		var req startRequest
		if !decode(w, r, &req) {
			return
		}
		var opts []Option
		if req.Profile != nil {
			p := DefaultProfile
			mergeProfile(&p, *req.Profile)
			opts = append(opts, WithProfile(p))
		}
		for _, st := range req.Starvations {
			opts = append(opts, WithStarvation(seconds(st.AfterSeconds), seconds(st.DurationSeconds)))
		}
		for _, b := range req.LimitBreaches {
			opts = append(opts, WithLimitBreach(seconds(b.AfterSeconds), b.Limit))
		}
		sess, err := s.Start(r.Context(), arn, opts...)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, response{ChannelArn: arn, StreamID: sess.StreamID, State: "LIVE", Simulated: true})
	})
	mux.HandleFunc("POST "+PathPrefix+"{channel}/stop", func(w http.ResponseWriter, r *http.Request) {
		arn, ok := s.channel(w, r, resolve)
		if !ok {
			return
		}
		if err := s.Stop(r.Context(), arn); err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, response{ChannelArn: arn, State: "OFFLINE", Simulated: true})
	})
	mux.HandleFunc("POST "+PathPrefix+"{channel}/starve", func(w http.ResponseWriter, r *http.Request) {
		arn, ok := s.channel(w, r, resolve)
		if !ok {
			return
		}
		var req struct {
			Seconds float64 `json:"seconds"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Seconds <= 0 {
			req.Seconds = 10
		}
		if err := s.Starve(r.Context(), arn, seconds(req.Seconds)); err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, response{ChannelArn: arn, State: "LIVE", Simulated: true})
	})
	mux.HandleFunc("POST "+PathPrefix+"{channel}/breach", func(w http.ResponseWriter, r *http.Request) {
		arn, ok := s.channel(w, r, resolve)
		if !ok {
			return
		}
		var req struct {
			Limit string `json:"limit"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Limit == "" {
			req.Limit = LimitIngestBitrate
		}
		if err := s.BreachLimit(r.Context(), arn, req.Limit); err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, response{ChannelArn: arn, State: "LIVE", Simulated: true})
	})
	return mux
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func mergeProfile(dst *Profile, p Profile) {
	if p.Width > 0 && p.Height > 0 {
		dst.Width, dst.Height = p.Width, p.Height
	}
	if p.Framerate > 0 {
		dst.Framerate = p.Framerate
	}
	if p.VideoBitrate > 0 {
		dst.VideoBitrate = p.VideoBitrate
	}
	if p.AudioBitrate > 0 {
		dst.AudioBitrate = p.AudioBitrate
	}
	if p.Encoder != "" {
		dst.Encoder = p.Encoder
	}
	if p.KeyframeInterval > 0 {
		dst.KeyframeInterval = p.KeyframeInterval
	}
	if p.PeakViewers > 0 {
		dst.PeakViewers = p.PeakViewers
	}
}

// channel resolves the {channel} path value to a channel ARN.
func (s *Sim) channel(w http.ResponseWriter, r *http.Request, resolve Resolver) (string, bool) {
	id := r.PathValue("channel")
	if strings.HasPrefix(id, "arn:") {
		return id, true
	}
	if resolve == nil {
		writeJSON(w, http.StatusNotFound, errBody("ResourceNotFoundException", "Use a channel ARN: no username resolver is configured."))
		return "", false
	}
	arn, err := resolve(r.Context(), id)
	if err != nil || arn == "" {
		writeJSON(w, http.StatusNotFound, errBody("ResourceNotFoundException", "No channel for user "+id+"."))
		return "", false
	}
	return arn, true
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64*1024))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errBody("ValidationException", "Could not read the body."))
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeJSON(w, http.StatusBadRequest, errBody("ValidationException", "The body is not valid JSON: "+err.Error()))
		return false
	}
	return true
}

func errBody(typ, msg string) map[string]string {
	return map[string]string{"__type": typ, "message": msg}
}

func writeErr(w http.ResponseWriter, err error) {
	var ie *ivsemu.Error
	switch {
	case errors.Is(err, ErrNotSimulated), errors.Is(err, ivsemu.ErrNotBroadcasting):
		writeJSON(w, http.StatusConflict, errBody("ConflictException", "The channel has no simulated stream."))
	case errors.Is(err, ivsemu.ErrAlreadyLive):
		writeJSON(w, http.StatusConflict, errBody("ConflictException", "The channel is already live."))
	case errors.As(err, &ie):
		writeJSON(w, ie.Status, errBody(ie.Code, ie.Message))
	case errors.Is(err, ErrUnsupportedLimit):
		writeJSON(w, http.StatusBadRequest, errBody("ValidationException", err.Error()))
	default:
		writeJSON(w, http.StatusInternalServerError, errBody("InternalServerException", err.Error()))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
