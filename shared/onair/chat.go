package onair

import "time"

// Chat capabilities, as IVS Chat names them. Viewing needs no capability;
// VIEW_MESSAGE only appears in responses to tell clients they may read.
const (
	ChatSendMessage    = "SEND_MESSAGE"
	ChatDeleteMessage  = "DELETE_MESSAGE"
	ChatDisconnectUser = "DISCONNECT_USER"
	ChatViewMessage    = "VIEW_MESSAGE"
)

// ChatUserID is the chat user id of a signed-in user: their Cognito sub.
//
// Chat tokens are issued with this id and bans disconnect this id, so the two
// must come from this one function. The sub never changes, unlike the
// username (renames) or anything derived from the channel (which does not
// exist before provisioning). The reference used the username in tokens and
// the channel ARN in disconnects, so its disconnects matched nobody (its bug
// §13.4).
func ChatUserID(u User) string { return u.Sub }

// ChatTokenRequest asks IVS Chat for a token to join a room.
type ChatTokenRequest struct {
	RoomArn      string
	UserID       string
	Capabilities []string // subset of SEND_MESSAGE, DELETE_MESSAGE, DISCONNECT_USER
	// Attributes travel with every message the user sends (≤ 1 KB in all).
	Attributes      map[string]string
	SessionDuration time.Duration
}

// ChatToken is an issued chat token. The token opens a connection until
// TokenExpiration; the connection lasts until SessionExpiration.
type ChatToken struct {
	Token             string
	TokenExpiration   time.Time
	SessionExpiration time.Time
}
