package stages

import (
	"crypto/rand"
	"strings"

	"github.com/onair/onair/shared/onair"
)

// Role is what a participant may do on a stage. The server decides it from
// who is calling; a caller may ask for a lower role, never a higher one.
type Role string

const (
	// RoleHost is the stage's owner: publish and subscribe, and moderate.
	RoleHost Role = "host"
	// RolePublisher is a user the host invited: publish and subscribe.
	RolePublisher Role = "publisher"
	// RoleViewer subscribes only: any signed-in user, and anonymous callers
	// when the stage allows them.
	RoleViewer Role = "viewer"
)

func (r Role) rank() int {
	switch r {
	case RoleHost:
		return 3
	case RolePublisher:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// CanPublish reports whether the role's tokens carry PUBLISH.
func (r Role) CanPublish() bool { return r == RoleHost || r == RolePublisher }

// Capabilities are the IVS capabilities of the role's tokens.
func (r Role) Capabilities() []string {
	if r.CanPublish() {
		return []string{onair.StagePublish, onair.StageSubscribe}
	}
	return []string{onair.StageSubscribe}
}

// ParseRole reads a requested role; "" means "the highest I may have".
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r == "" || r.rank() > 0 {
		return r, nil
	}
	return "", onair.Errorf(onair.Invalid, BadRequestType, "Unknown role %q: use host, publisher or viewer.", s)
}

// MaxRole is the highest role caller may have on st. caller is nil for an
// anonymous request, which may view only when the stage allows it.
func MaxRole(st onair.Stage, caller *onair.Caller) (Role, error) {
	switch {
	case caller == nil:
		if st.AllowAnonymous {
			return RoleViewer, nil
		}
		return "", onair.Errorf(onair.Unauthorized, UnauthorizedType, "Sign in to join this stage.")
	case caller.Sub == st.OwnerSub:
		return RoleHost, nil
	}
	if _, ok := st.Invited[caller.Sub]; ok {
		return RolePublisher, nil
	}
	return RoleViewer, nil
}

// GrantRole returns the role to mint for a caller whose highest role is max
// and who asked for requested (""). Asking for more than one may have is
// refused with 403 rather than silently downgraded: a client that asked to
// publish and got a subscribe-only token would fail later, with a less
// clear error, when it tries to publish.
func GrantRole(max, requested Role) (Role, error) {
	if requested == "" {
		return max, nil
	}
	if requested.rank() > max.rank() {
		switch requested {
		case RoleHost:
			return "", forbidden("Only the stage's owner can join as host.")
		default:
			return "", forbidden("Only users the host invited can publish on this stage.")
		}
	}
	return requested, nil
}

// randomID returns 26 random characters of [A-Z2-7] (128 bits): a valid IVS
// participant id and JWT jti, and an unguessable anonymous user id.
func randomID() string { return rand.Text() }
