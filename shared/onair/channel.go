package onair

import "fmt"

// Tags every IVS resource carries: the stack it belongs to (so `make destroy`
// finds it) and the user it was made for (so provisioning can adopt it after a
// failure, and account deletion can sweep it).
const (
	TagProject = "project"
	TagOwner   = "onair:owner"
)

// IVSChannel is an IVS low-latency channel as IVS describes it.
type IVSChannel struct {
	Arn            string
	Name           string
	Type           string // BASIC, STANDARD, ADVANCED_SD, ADVANCED_HD
	IngestEndpoint string
	PlaybackURL    string
	Tags           map[string]string
}

// IVSChannelSpec asks IVS for a new channel. Empty fields take IVS's defaults.
type IVSChannelSpec struct {
	Name   string
	Type   string
	Preset string // transcode preset, ADVANCED types only
	Tags   map[string]string
}

// StreamKey is a channel's stream key. Value is a credential: it lets anyone
// broadcast on the channel. IVS lists keys without their value.
type StreamKey struct {
	Arn        string
	ChannelArn string
	Value      string
}

// ChatRoom is an IVS Chat room as IVS describes it.
type ChatRoom struct {
	Arn  string
	Name string
	Tags map[string]string
}

// ChatRoomSummary is a room as IVS Chat lists it (ListRooms): its tags and
// its message review handler, but not its message rate, which only GetRoom
// returns.
type ChatRoomSummary struct {
	Arn            string
	Tags           map[string]string
	HandlerURI     string // empty: no handler
	FallbackResult string
}

// ChatRoomSpec asks IVS Chat for a new room.
type ChatRoomSpec struct {
	Name string
	Tags map[string]string
	// Review is the room's moderation: its message review handler and
	// rate (zero: none, IVS's defaults).
	Review ChatRoomReview
}

// ChatRoomReview is how a room is moderated: the message review handler
// IVS Chat invokes for every message (a Lambda ARN), what applies when the
// handler fails or times out (ALLOW or DENY), and the room-wide message
// rate, which the handler's per-user limit makes fair.
type ChatRoomReview struct {
	HandlerURI              string
	FallbackResult          string
	MaxMessageRatePerSecond int
}

// Marker identifies the setting, as stored on the owner's profile
// (User.ChatReview) once the room has it.
func (r ChatRoomReview) Marker() string {
	if r.HandlerURI == "" {
		return ""
	}
	return fmt.Sprintf("%s %s %d", r.HandlerURI, r.FallbackResult, r.MaxMessageRatePerSecond)
}

// HasTags reports whether have holds every key/value pair of want.
func HasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
