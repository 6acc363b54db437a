package cognitoidp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
)

// Invoker runs a Lambda function by name with a JSON payload and returns its
// JSON result, as Cognito invokes the pool's triggers. The offline program
// implements it by running the template's function in process.
//
// An error from Invoke is the function's failure. Cognito reports its
// message ("PreSignUp failed with error <message>."): the error's
// ErrorMessage() if it has that method, else the "errorMessage" of its JSON
// form when that is a Lambda error document, else Error(). A result that is
// a Lambda error document ({"errorMessage": ..., "errorType": ...}) counts
// as a failure too.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

type callerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// triggerEvent is the event Cognito sends every user-pool trigger. Request
// and Response are maps so that absent fields are absent and null fields
// are null, as in Cognito's events.
type triggerEvent struct {
	Version       string         `json:"version"`
	TriggerSource string         `json:"triggerSource"`
	Region        string         `json:"region"`
	UserPoolID    string         `json:"userPoolId"`
	UserName      string         `json:"userName"`
	CallerContext callerContext  `json:"callerContext"`
	Request       map[string]any `json:"request"`
	Response      map[string]any `json:"response"`
}

func (s *Service) hasTrigger(trigger string) bool { return s.cfg.Triggers[trigger] != "" }

// invokeTrigger sends the event for trigger (a LambdaConfig key) with source
// (the triggerSource) and returns the function's response object. It returns
// (nil, nil) when the pool has no such trigger.
func (s *Service) invokeTrigger(ctx context.Context, trigger, source, userName string, request, response map[string]any) (map[string]any, error) {
	fn := s.cfg.Triggers[trigger]
	if fn == "" {
		return nil, nil
	}
	if response == nil {
		response = map[string]any{}
	}
	ev := triggerEvent{
		Version:       "1",
		TriggerSource: source,
		Region:        s.cfg.Region,
		UserPoolID:    s.cfg.PoolID,
		UserName:      userName,
		CallerContext: callerContext{AWSSDKVersion: sdkVersionFrom(ctx), ClientID: s.cfg.ClientID},
		Request:       request,
		Response:      response,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Debug("cognito trigger", "trigger", trigger, "function", fn, "source", source)
	out, err := s.cfg.Invoker.Invoke(ctx, fn, payload)
	if err != nil {
		s.cfg.Logger.Info("cognito trigger failed", "trigger", trigger, "function", fn, "source", source, "err", err.Error())
		return nil, triggerFailed(trigger, functionErrorMessage(err))
	}
	var doc struct {
		ErrorMessage  *string         `json:"errorMessage"`
		TriggerSource string          `json:"triggerSource"`
		Response      json.RawMessage `json:"response"`
	}
	if trimmed := bytes.TrimSpace(out); len(trimmed) == 0 || trimmed[0] != '{' {
		// Cognito needs the event back; null or a bare value is refused.
		return nil, newErr("InvalidLambdaResponseException", "Unrecognizable lambda output")
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, newErr("InvalidLambdaResponseException", "Unrecognizable lambda output")
	}
	if doc.ErrorMessage != nil && doc.TriggerSource == "" {
		return nil, triggerFailed(trigger, *doc.ErrorMessage)
	}
	resp := map[string]any{}
	if len(doc.Response) > 0 && !bytes.Equal(doc.Response, []byte("null")) {
		if err := json.Unmarshal(doc.Response, &resp); err != nil {
			return nil, newErr("InvalidLambdaResponseException", "Unrecognizable lambda output")
		}
	}
	return resp, nil
}

// functionErrorMessage is the message of a function's failure, as Lambda
// reports it to Cognito (errorMessage, without the errorType).
func functionErrorMessage(err error) string {
	var m interface{ ErrorMessage() string }
	if errors.As(err, &m) {
		return m.ErrorMessage()
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		data, jerr := json.Marshal(e)
		if jerr != nil {
			continue
		}
		var doc struct {
			ErrorMessage *string `json:"errorMessage"`
		}
		if json.Unmarshal(data, &doc) == nil && doc.ErrorMessage != nil {
			return *doc.ErrorMessage
		}
	}
	return err.Error()
}

// triggerFailed is how Cognito reports a trigger's error to the caller.
func triggerFailed(trigger, message string) *apiError {
	return newErr("UserLambdaValidationException", "%s failed with error %s.", trigger, message)
}

// eventAttributes are the user attributes Cognito puts in trigger events:
// the stored attributes plus sub, cognito:user_status and the alias markers.
func (s *Service) eventAttributes(u *userRecord) map[string]any {
	out := make(map[string]any, len(u.Attributes)+3)
	for k, v := range u.Attributes {
		out[k] = v
	}
	out["sub"] = u.Sub
	out["cognito:user_status"] = u.Status
	for attr, v := range s.cfg.activeAliases(u) {
		if attr == "email" || attr == "phone_number" {
			out["cognito:"+attr+"_alias"] = v
		}
	}
	return out
}

// metadata renders ClientMetadata or ValidationData for an event: null when
// the caller sent none.
func metadata(m map[string]string) any {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func truthy(v any) bool { b, _ := v.(bool); return b }

// postConfirmation runs the PostConfirmation trigger for a confirmed user.
func (s *Service) postConfirmation(ctx context.Context, source string, u *userRecord, clientMetadata map[string]string) error {
	req := map[string]any{"userAttributes": s.eventAttributes(u)}
	if clientMetadata != nil {
		req["clientMetadata"] = metadata(clientMetadata)
	}
	_, err := s.invokeTrigger(ctx, TriggerPostConfirmation, source, u.Username, req, nil)
	return err
}
