package ivsemu

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/onair/onair/local/internal/eventbus"
)

// Service names, as in ARNs; they select the error shape.
const (
	svcIVS      = "ivs"
	svcRealTime = "ivsrealtime"
	svcChat     = "ivschat"
)

// TagsPrefix is the path prefix of the tag operations (all three services).
const TagsPrefix = "/tags/"

// maxBody bounds request bodies (the largest legitimate input is a PEM key
// or a batch of 50 ARNs).
const maxBody = 1 << 20

type operation struct {
	service string
	status  int // success status
	call    func(ctx context.Context, body []byte) (any, error)
}

// op adapts a typed handler: the body is decoded into In.
func op[In any](service string, status int, fn func(context.Context, *In) (any, error)) operation {
	return operation{service: service, status: status, call: func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(bytes.TrimSpace(body)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(body))
			if err := dec.Decode(in); err != nil {
				e := errValidation("Could not parse the request body: %v", err)
				e.Reason = "OTHER"
				return nil, e
			}
		}
		return fn(ctx, in)
	}}
}

func (s *Service) operations() map[string]operation {
	return map[string]operation{
		// IVS low-latency channels.
		"CreateChannel":      op(svcIVS, 200, s.createChannel),
		"GetChannel":         op(svcIVS, 200, s.getChannel),
		"BatchGetChannel":    op(svcIVS, 200, s.batchGetChannel),
		"ListChannels":       op(svcIVS, 200, s.listChannels),
		"UpdateChannel":      op(svcIVS, 200, s.updateChannel),
		"DeleteChannel":      op(svcIVS, 204, s.deleteChannel),
		"CreateStreamKey":    op(svcIVS, 200, s.createStreamKey),
		"GetStreamKey":       op(svcIVS, 200, s.getStreamKey),
		"BatchGetStreamKey":  op(svcIVS, 200, s.batchGetStreamKey),
		"ListStreamKeys":     op(svcIVS, 200, s.listStreamKeys),
		"DeleteStreamKey":    op(svcIVS, 204, s.deleteStreamKey),
		"GetStream":          op(svcIVS, 200, s.getStream),
		"ListStreams":        op(svcIVS, 200, s.listStreams),
		"StopStream":         op(svcIVS, 200, s.stopStream),
		"PutMetadata":        op(svcIVS, 204, s.putMetadata),
		"ListStreamSessions": op(svcIVS, 200, s.listStreamSessions),
		"GetStreamSession":   op(svcIVS, 200, s.getStreamSession),
		// IVS Chat.
		"CreateRoom":      op(svcChat, 200, s.createRoom),
		"GetRoom":         op(svcChat, 200, s.getRoom),
		"UpdateRoom":      op(svcChat, 200, s.updateRoom),
		"DeleteRoom":      op(svcChat, 204, s.deleteRoom),
		"ListRooms":       op(svcChat, 200, s.listRooms),
		"CreateChatToken": op(svcChat, 200, s.createChatToken),
		"SendEvent":       op(svcChat, 200, s.sendEvent),
		"DeleteMessage":   op(svcChat, 200, s.deleteMessage),
		"DisconnectUser":  op(svcChat, 200, s.disconnectUser),
		// IVS Real-Time.
		"CreateStage":            op(svcRealTime, 200, s.createStage),
		"GetStage":               op(svcRealTime, 200, s.getStage),
		"ListStages":             op(svcRealTime, 200, s.listStages),
		"UpdateStage":            op(svcRealTime, 200, s.updateStage),
		"DeleteStage":            op(svcRealTime, 200, s.deleteStage),
		"CreateParticipantToken": op(svcRealTime, 200, s.createParticipantToken),
		"DisconnectParticipant":  op(svcRealTime, 200, s.disconnectParticipant),
		"GetParticipant":         op(svcRealTime, 200, s.getParticipant),
		"ListParticipants":       op(svcRealTime, 200, s.listParticipants),
		"ListParticipantEvents":  op(svcRealTime, 200, s.listParticipantEvents),
		"ListStageSessions":      op(svcRealTime, 200, s.listStageSessions),
		"GetStageSession":        op(svcRealTime, 200, s.getStageSession),
		"ImportPublicKey":        op(svcRealTime, 200, s.importPublicKey),
		"GetPublicKey":           op(svcRealTime, 200, s.getPublicKey),
		"ListPublicKeys":         op(svcRealTime, 200, s.listPublicKeys),
		"DeletePublicKey":        op(svcRealTime, 200, s.deletePublicKey),
	}
}

// Operations lists the operation names served (the offline program can route
// `POST /<name>` to Handler with them).
func (s *Service) Operations() []string {
	var names []string
	for n := range s.operations() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ServiceOperations lists the operations served for one service ("ivs",
// "ivschat" or "ivsrealtime"), the tag operations of /tags/ included: what
// the conformance suites must cover.
func (s *Service) ServiceOperations(service string) []string {
	names := []string{"ListTagsForResource", "TagResource", "UntagResource"}
	for n, o := range s.operations() {
		if o.service == service {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Handler serves the three control planes: `POST /<OperationName>` and
// `GET|POST|DELETE /tags/{resourceArn}`. Mount it for those paths (e.g.
// `mux.Handle("POST /{operation}", h)` and `mux.Handle("/tags/", h)`).
func (s *Service) Handler() http.Handler {
	ops := s.operations()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), TagsPrefix); ok {
			s.serveTags(w, r, rest)
			return
		}
		name := strings.Trim(r.URL.Path, "/")
		o, ok := ops[name]
		if !ok || r.Method != http.MethodPost {
			writeError(w, svcIVS, &Error{Status: http.StatusNotFound, Code: "UnknownOperationException",
				Message: "Unknown operation " + r.Method + " " + r.URL.Path})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			writeError(w, o.service, errValidation("Request body is too large or unreadable."))
			return
		}
		out, err := o.call(r.Context(), body)
		if err != nil {
			e := asError(err)
			if e.Status >= 500 {
				s.log.Error("ivsemu: operation failed", "operation", name, "error", err.Error())
			}
			writeError(w, o.service, e)
			return
		}
		writeOK(w, o.status, out)
	})
}

func writeOK(w http.ResponseWriter, status int, out any) {
	w.Header().Set("x-amzn-RequestId", eventbus.NewUUID())
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if out == nil {
		out = struct{}{}
	}
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, service string, e *Error) {
	w.Header().Set("x-amzn-RequestId", eventbus.NewUUID())
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	var body any
	if service == svcChat {
		m := map[string]any{"message": e.Message}
		switch e.Code {
		case "ValidationException":
			reason := e.Reason
			if reason == "" {
				reason = "OTHER"
			}
			m["reason"] = reason
			if len(e.Fields) > 0 {
				m["fieldList"] = e.Fields
			}
		case "ResourceNotFoundException", "ConflictException", "ServiceQuotaExceededException", "ThrottlingException":
			m["resourceId"] = e.ResourceID
			m["resourceType"] = e.ResourceType
			if e.Limit > 0 {
				m["limit"] = e.Limit
			}
		}
		body = m
	} else {
		// exceptionMessage is the modeled member (the Go SDK's
		// ExceptionMessage); message is what generic rest-json parsers (the
		// AWS CLI's error line) read.
		body = map[string]string{"exceptionMessage": e.Message, "message": e.Message}
	}
	_ = json.NewEncoder(w).Encode(body)
}

// serveTags handles TagResource (POST), UntagResource (DELETE) and
// ListTagsForResource (GET) for any resource of the three services.
func (s *Service) serveTags(w http.ResponseWriter, r *http.Request, escapedArn string) {
	arn, err := url.PathUnescape(escapedArn)
	service := svcIVS
	if strings.HasPrefix(arn, "arn:aws:ivschat:") {
		service = svcChat
	}
	if err != nil || arn == "" {
		writeError(w, service, errValidation("resourceArn is not a valid ARN."))
		return
	}
	bucket, realtime, ok := bucketForArn(arn)
	if realtime {
		service = svcRealTime
	}
	if !ok {
		e := errValidation("Value '%s' at 'resourceArn' failed to satisfy constraint: Member must be the ARN of a taggable resource", arn)
		writeError(w, service, e)
		return
	}
	var out any
	switch r.Method {
	case http.MethodGet:
		var tags map[string]string
		tags, err = s.listTags(bucket, arn)
		out = map[string]any{"tags": tags}
	case http.MethodPost:
		var in struct {
			Tags map[string]string `json:"tags"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if jerr := json.Unmarshal(body, &in); jerr != nil || in.Tags == nil {
			err = errValidation("tags is required.")
			break
		}
		err = s.tagResource(bucket, arn, in.Tags)
		out = struct{}{}
	case http.MethodDelete:
		err = s.untagResource(bucket, arn, r.URL.Query()["tagKeys"])
		out = struct{}{}
	default:
		err = &Error{Status: http.StatusMethodNotAllowed, Code: "UnknownOperationException", Message: "Unsupported method " + r.Method}
	}
	if err != nil {
		writeError(w, service, asError(err))
		return
	}
	writeOK(w, http.StatusOK, out)
}
