package channels

import (
	"crypto/sha1"
	"encoding/hex"
)

// oidNamespace is RFC 9562's OID namespace, 6ba7b812-9dad-11d1-80b4-00c04fd430c8:
// the reference derives channelAssetId from it, so ids (and asset keys) match.
var oidNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// uuidV5 returns the name-based (SHA-1) UUID of name in namespace ns, in the
// canonical lower-case 8-4-4-4-12 form (RFC 9562 §5.5).
func uuidV5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ChannelAssetID is the id under which the user's uploaded images live in the
// assets bucket ("<id>/avatar"): uuid v5 of the sub, as in the reference.
func ChannelAssetID(sub string) string { return uuidV5(oidNamespace, sub) }
