package onair

import "time"

// PoolUser is an account of the Cognito user pool, as its admin API lists
// it. Username is the Cognito username (immutable); Sub keys the profile.
type PoolUser struct {
	Username  string
	Sub       string
	Status    string // UNCONFIRMED, CONFIRMED, ...
	CreatedAt time.Time
}
