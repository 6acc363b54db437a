package media

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestID3PRIVTag(t *testing.T) {
	tag := id3PRIV(PRIVOwner, []byte(`{"a":1}`))
	assert.Equal(t, []string{`{"a":1}`}, parseID3PRIV(t, tag))
	// Sizes are syncsafe: a 300-byte payload has no byte with the top bit set.
	big := id3PRIV(PRIVOwner, make([]byte, 300))
	for _, b := range big[6:10] {
		assert.Zero(t, b&0x80)
	}
}

func TestCRCMPEG(t *testing.T) {
	// The CRC of a section including its own CRC is zero.
	sec := []byte{0x02, 0xB0, 0x12, 0x00, 0x01, 0xC1, 0x00, 0x00, 0xE1, 0x00, 0xF0, 0x00, 0x1B, 0xE1, 0x00, 0xF0, 0x00}
	sec = binary.BigEndian.AppendUint32(sec, crcMPEG(sec))
	assert.Zero(t, crcMPEG(sec))
}

// moof builds a minimal moof with one traf (tfdt, one trun of n samples of
// dur each).
func moof(base uint64, n int, dur uint32) []byte {
	box := func(typ string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
		return append(append(b, typ...), body...)
	}
	tfdt := box("tfdt", binary.BigEndian.AppendUint64([]byte{1, 0, 0, 0}, base))
	trun := []byte{0, 0, 0x01, 0x00}
	trun = binary.BigEndian.AppendUint32(trun, uint32(n))
	for i := 0; i < n; i++ {
		trun = binary.BigEndian.AppendUint32(trun, dur)
	}
	tfhd := box("tfhd", []byte{0, 0, 0, 0, 0, 0, 0, 1})
	return box("moof", box("traf", append(append(tfhd, tfdt...), box("trun", trun)...)))
}

func TestInjectEMSGGoesBeforeTheCoveringMoof(t *testing.T) {
	mdat := []byte{0, 0, 0, 8, 'm', 'd', 'a', 't'}
	body := append(append(moof(fmp4Offset, 6, 3000), mdat...), append(moof(fmp4Offset+18000, 6, 3000), mdat...)...)
	cues := []cue{{id: 1, pts: 20000, data: []byte("second")}, {id: 2, pts: 0, data: []byte("first")}, {id: 3, pts: 50000, data: []byte("later")}}
	out := injectEMSG(body, cues)
	got := emsgPayloads(t, out)
	require.Len(t, got, 2)
	assert.Equal(t, "first", string(got[0]))
	assert.Equal(t, "second", string(got[1]))
	assert.Equal(t, body, injectEMSG(body, nil), "nothing to add: unchanged")
	assert.Equal(t, []byte("junk"), injectEMSG([]byte("junk"), cues), "unparseable: unchanged")
}

func TestPESTimestampRoundTrip(t *testing.T) {
	for _, ts := range []int64{0, 1, 90000, 1<<33 - 1} {
		assert.Equal(t, ts, decodeTimestamp(encodeTimestamp(2, ts)))
	}
}
