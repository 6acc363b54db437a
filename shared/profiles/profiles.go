// Package profiles holds the preset looks of a profile: the avatar pictures
// and profile colours the web app ships (reference §11.6). Sign-up picks them
// and preference updates check them here, so the lists cannot drift apart.
package profiles

import "math/rand/v2"

// CustomAvatar is the avatar name of a user who uploaded their own picture
// (channelAssets.avatar holds its URL).
const CustomAvatar = "custom"

var avatars = [...]string{
	"bear", "bird", "bird2", "dog", "dog2", "dog3", "giraffe",
	"hedgehog", "hippo", "horse", "ibex", "jellyfish", "sheep", "tiger",
}

var colors = [...]string{"blue", "green", "lavender", "purple", "salmon", "turquoise", "yellow"}

// Avatars returns the preset avatar names.
func Avatars() []string { return append([]string(nil), avatars[:]...) }

// Colors returns the profile colours.
func Colors() []string { return append([]string(nil), colors[:]...) }

// IsPresetAvatar reports whether name is a preset avatar (not "custom").
func IsPresetAvatar(name string) bool { return contains(avatars[:], name) }

// IsColor reports whether name is a profile colour.
func IsColor(name string) bool { return contains(colors[:], name) }

// RandomAvatar returns a preset avatar chosen at random, as the reference's
// sign-up form did.
func RandomAvatar() string { return avatars[rand.IntN(len(avatars))] }

// RandomColor returns a profile colour chosen at random.
func RandomColor() string { return colors[rand.IntN(len(colors))] }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
