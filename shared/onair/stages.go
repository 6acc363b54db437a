package onair

import "time"

// Stage participant capabilities, as IVS Real-Time names them.
const (
	StagePublish   = "PUBLISH"
	StageSubscribe = "SUBSCRIBE"
)

// Stage participant states, as IVS Real-Time names them.
const (
	ParticipantConnected    = "CONNECTED"
	ParticipantDisconnected = "DISCONNECTED"
)

// StageEndpoints are a stage's IVS endpoints.
type StageEndpoints struct {
	Events string `json:"events,omitempty"`
	Whip   string `json:"whip,omitempty"`
	RTMP   string `json:"rtmp,omitempty"`
	RTMPS  string `json:"rtmps,omitempty"`
}

// RealTimeStage is an IVS Real-Time stage as IVS describes it.
type RealTimeStage struct {
	Arn  string
	Name string
	// ActiveSessionID is set while the stage has a session (from the first
	// participant joining until a few minutes after the last one left).
	ActiveSessionID string
	Endpoints       StageEndpoints
	Tags            map[string]string
}

// ID is the stage's resource id (the last segment of its ARN).
func (s RealTimeStage) ID() string { return ResourceID(s.Arn) }

// ParticipantTokenRequest asks IVS for a participant token.
type ParticipantTokenRequest struct {
	StageArn     string
	UserID       string
	Capabilities []string // subset of StagePublish, StageSubscribe
	// Attributes are visible to every participant (≤ 1 KB in all).
	Attributes map[string]string
	Duration   time.Duration
}

// ParticipantToken is an issued participant token. Token is a credential:
// never log it.
type ParticipantToken struct {
	Token          string
	ParticipantID  string
	UserID         string
	Capabilities   []string
	Attributes     map[string]string
	ExpirationTime time.Time
}

// ParticipantQuery selects participants of one stage session. IVS allows at
// most one filter: set Published, State or UserID, or none.
type ParticipantQuery struct {
	StageArn  string
	SessionID string
	Published bool
	State     string
	UserID    string
	// Max bounds how many participants are returned (0: all).
	Max int
}

// RealTimeParticipant is a participant of a stage session as IVS lists it.
type RealTimeParticipant struct {
	ParticipantID string `json:"participantId"`
	UserID        string `json:"userId"`
	State         string `json:"state"`
	// Published is true if the participant published at any time during the
	// session (IVS's meaning).
	Published     bool      `json:"published"`
	FirstJoinTime time.Time `json:"firstJoinTime,omitzero"`
}
