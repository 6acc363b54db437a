package media

import (
	"bytes"
	"encoding/binary"
)

// Timed metadata reaches players the way IVS delivers PutMetadata: an ID3v2.4
// tag holding one PRIV frame owned by metadata.live-video.net whose data is
// the exact payload (../shared/spec/media-plane.md §4). Only the PRIV frame:
// an extra TXXX frame makes the IVS player fire a second cue.

// PRIVOwner is the owner identifier of PutMetadata's PRIV frames.
const PRIVOwner = "metadata.live-video.net"

// emsgScheme is the scheme hls.js reads ID3 from in fMP4 (emsg boxes).
const emsgScheme = "https://aomedia.org/emsg/ID3"

// cue is one timed metadata payload stamped with the stream's video time.
type cue struct {
	id   uint32
	pts  int64 // 90 kHz, the video timeline of the broadcast
	data []byte
}

func syncsafe(n int) []byte {
	return []byte{byte(n>>21) & 0x7f, byte(n>>14) & 0x7f, byte(n>>7) & 0x7f, byte(n) & 0x7f}
}

// id3PRIV returns an ID3v2.4 tag with one PRIV frame (owner, data).
func id3PRIV(owner string, data []byte) []byte {
	body := make([]byte, 0, len(owner)+1+len(data))
	body = append(body, owner...)
	body = append(body, 0)
	body = append(body, data...)
	frame := append([]byte("PRIV"), syncsafe(len(body))...)
	frame = append(frame, 0, 0) // frame flags
	frame = append(frame, body...)
	tag := append([]byte{'I', 'D', '3', 4, 0, 0}, syncsafe(len(frame))...)
	return append(tag, frame...)
}

// emsgBox returns an emsg box, version 1 (absolute presentation time in a
// 90 kHz timescale), carrying the cue's ID3 tag.
func emsgBox(c cue, offset int64) []byte {
	tag := id3PRIV(PRIVOwner, c.data)
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0, 0}) // size, set below
	b.WriteString("emsg")       //
	b.Write([]byte{1, 0, 0, 0}) // version 1, flags
	_ = binary.Write(&b, binary.BigEndian, uint32(90000))
	_ = binary.Write(&b, binary.BigEndian, uint64(max(c.pts+offset, 0)))
	_ = binary.Write(&b, binary.BigEndian, uint32(0xFFFFFFFF)) // event_duration: unknown
	_ = binary.Write(&b, binary.BigEndian, c.id)
	b.WriteString(emsgScheme)
	b.WriteByte(0)
	b.WriteByte(0) // value: ""
	b.Write(tag)
	out := b.Bytes()
	binary.BigEndian.PutUint32(out, uint32(len(out)))
	return out
}

// ---- fMP4 ----

// fmp4Offset is what gohlslib (v2.2.5, fmp4StartDTS) adds to every fMP4
// decode time so that none is negative: 10 s at 90 kHz. Cue times are
// shifted by it to land in the fragments' timeline.
const fmp4Offset = 10 * 90000

// injectEMSG inserts, in front of each moof of an fMP4 part or segment of
// the 90 kHz video track, the emsg boxes of the cues whose time falls within
// that fragment's samples [tfdt, tfdt + sum of durations). Anything it
// cannot parse is returned unchanged.
func injectEMSG(body []byte, cues []cue) []byte {
	if len(cues) == 0 {
		return body
	}
	var out []byte
	changed := false
	for pos := 0; pos < len(body); {
		size, typ, ok := boxAt(body, pos)
		if !ok {
			return body
		}
		if typ == "moof" {
			if start, dur, ok := moofRange(body[pos+8 : pos+size]); ok {
				for _, c := range cues {
					t := c.pts + fmp4Offset
					if t >= int64(start) && t < int64(start+dur) {
						out = append(out, emsgBox(c, fmp4Offset)...)
						changed = true
					}
				}
			}
		}
		out = append(out, body[pos:pos+size]...)
		pos += size
	}
	if !changed {
		return body
	}
	return out
}

func boxAt(b []byte, pos int) (size int, typ string, ok bool) {
	if pos+8 > len(b) {
		return 0, "", false
	}
	size = int(binary.BigEndian.Uint32(b[pos:]))
	if size < 8 || pos+size > len(b) {
		return 0, "", false
	}
	return size, string(b[pos+4 : pos+8]), true
}

// moofRange reads a moof's first traf: its decode start time (tfdt) and the
// total duration of its samples (trun durations, or tfhd's default).
func moofRange(moof []byte) (start, dur uint64, ok bool) {
	for pos := 0; pos < len(moof); {
		size, typ, okb := boxAt(moof, pos)
		if !okb {
			return 0, 0, false
		}
		if typ == "traf" {
			return trafRange(moof[pos+8 : pos+size])
		}
		pos += size
	}
	return 0, 0, false
}

func trafRange(traf []byte) (start, dur uint64, ok bool) {
	var defaultDur uint32
	haveTfdt := false
	for pos := 0; pos < len(traf); {
		size, typ, okb := boxAt(traf, pos)
		if !okb {
			return 0, 0, false
		}
		b := traf[pos+8 : pos+size]
		switch typ {
		case "tfhd":
			if len(b) < 8 {
				return 0, 0, false
			}
			flags := binary.BigEndian.Uint32(b) & 0xFFFFFF
			off := 8
			if flags&0x01 != 0 {
				off += 8
			}
			if flags&0x02 != 0 {
				off += 4
			}
			if flags&0x08 != 0 && len(b) >= off+4 {
				defaultDur = binary.BigEndian.Uint32(b[off:])
			}
		case "tfdt":
			if len(b) < 8 {
				return 0, 0, false
			}
			if b[0] == 1 && len(b) >= 12 {
				start = binary.BigEndian.Uint64(b[4:])
			} else {
				start = uint64(binary.BigEndian.Uint32(b[4:]))
			}
			haveTfdt = true
		case "trun":
			d, okt := trunDuration(b, defaultDur)
			if !okt {
				return 0, 0, false
			}
			dur += d
		}
		pos += size
	}
	return start, dur, haveTfdt
}

func trunDuration(b []byte, defaultDur uint32) (uint64, bool) {
	if len(b) < 8 {
		return 0, false
	}
	flags := binary.BigEndian.Uint32(b) & 0xFFFFFF
	n := int(binary.BigEndian.Uint32(b[4:]))
	off := 8
	if flags&0x01 != 0 {
		off += 4
	}
	if flags&0x04 != 0 {
		off += 4
	}
	per := 0
	for _, f := range []uint32{0x100, 0x200, 0x400, 0x800} {
		if flags&f != 0 {
			per += 4
		}
	}
	var total uint64
	for i := 0; i < n; i++ {
		if flags&0x100 == 0 {
			total += uint64(defaultDur)
			continue
		}
		p := off + i*per
		if p+4 > len(b) {
			return 0, false
		}
		total += uint64(binary.BigEndian.Uint32(b[p:]))
	}
	return total, true
}

// ---- MPEG-TS ----

const (
	tsPacket      = 188
	id3PID        = 0x1F00
	streamTypeID3 = 0x15
)

// metadataPointerDescriptor and metadataDescriptor are the PMT descriptors
// of Apple's "Timed Metadata for HTTP Live Streaming" for an ID3 stream.
func metadataPointerDescriptor(program uint16) []byte {
	d := []byte{0x25, 0x0F, 0xFF, 0xFF, 'I', 'D', '3', ' ', 0xFF, 'I', 'D', '3', ' ', 0x00, 0x1F, 0, 0}
	binary.BigEndian.PutUint16(d[15:], program)
	return d
}

var metadataDescriptor = []byte{0x26, 0x0D, 0xFF, 0xFF, 'I', 'D', '3', ' ', 0xFF, 'I', 'D', '3', ' ', 0x00, 0x0F}

// tsPID returns a TS packet's PID.
func tsPID(p []byte) uint16 { return binary.BigEndian.Uint16(p[1:3]) & 0x1FFF }

// tsPayload returns the payload of a TS packet (after any adaptation field).
func tsPayload(p []byte) []byte {
	afc := (p[3] >> 4) & 0x3
	off := 4
	if afc == 2 {
		return nil
	}
	if afc == 3 {
		off += 1 + int(p[4])
	}
	if off >= tsPacket {
		return nil
	}
	return p[off:]
}

// injectID3TS declares an ID3 elementary stream (type 0x15, PID 0x1F00) in
// every PMT of an MPEG-TS segment and adds, after the first PMT, one ID3 PES
// packet (stream id 0xBD) per cue whose time lies within the video PES
// timestamps of the segment. Unparseable input is returned unchanged.
func injectID3TS(seg []byte, cues []cue) []byte {
	if len(seg)%tsPacket != 0 || len(seg) == 0 {
		return seg
	}
	pmtPID, program := -1, uint16(1)
	videoPID := -1
	minPTS, maxPTS := int64(-1), int64(-1)
	for i := 0; i < len(seg); i += tsPacket {
		p := seg[i : i+tsPacket]
		if p[0] != 0x47 {
			return seg
		}
		pid := tsPID(p)
		pusi := p[1]&0x40 != 0
		pl := tsPayload(p)
		switch {
		case pid == 0 && pusi && pmtPID < 0 && len(pl) > 1:
			sec := pl[1+int(pl[0]):]
			if len(sec) >= 12 {
				program = binary.BigEndian.Uint16(sec[8:])
				pmtPID = int(binary.BigEndian.Uint16(sec[10:]) & 0x1FFF)
			}
		case pid == uint16(pmtPID) && pusi && videoPID < 0:
			videoPID = pmtVideoPID(pl)
		case int(pid) == videoPID && pusi:
			if pts, ok := pesPTS(pl); ok {
				if minPTS < 0 || pts < minPTS {
					minPTS = pts
				}
				if pts > maxPTS {
					maxPTS = pts
				}
			}
		}
	}
	if pmtPID < 0 {
		return seg
	}
	var pes []byte
	cc := byte(0)
	for _, c := range cues {
		if minPTS < 0 || c.pts < minPTS || c.pts > maxPTS {
			continue
		}
		for _, p := range id3PESPackets(c, &cc) {
			pes = append(pes, p...)
		}
	}
	out := make([]byte, 0, len(seg)+len(pes))
	inserted := false
	for i := 0; i < len(seg); i += tsPacket {
		p := seg[i : i+tsPacket]
		if int(tsPID(p)) == pmtPID && p[1]&0x40 != 0 {
			np, ok := pmtWithID3(p, program)
			if !ok {
				return seg
			}
			out = append(out, np...)
			if !inserted {
				out = append(out, pes...)
				inserted = true
			}
			continue
		}
		out = append(out, p...)
	}
	return out
}

// pmtVideoPID returns the PID of the first H.264 stream of a PMT payload.
func pmtVideoPID(pl []byte) int {
	if len(pl) < 1 || 1+int(pl[0]) >= len(pl) {
		return -1
	}
	sec := pl[1+int(pl[0]):]
	if len(sec) < 12 {
		return -1
	}
	secLen := int(binary.BigEndian.Uint16(sec[1:]) & 0x0FFF)
	end := 3 + secLen - 4
	if end > len(sec) {
		return -1
	}
	pos := 12 + int(binary.BigEndian.Uint16(sec[10:])&0x0FFF)
	for pos+5 <= end {
		typ := sec[pos]
		pid := int(binary.BigEndian.Uint16(sec[pos+1:]) & 0x1FFF)
		if typ == 0x1B {
			return pid
		}
		pos += 5 + int(binary.BigEndian.Uint16(sec[pos+3:])&0x0FFF)
	}
	return -1
}

// pmtWithID3 rewrites a single-packet PMT to add the ID3 stream and the
// metadata pointer descriptor (idempotent: a PMT that has it is kept).
func pmtWithID3(p []byte, program uint16) ([]byte, bool) {
	pl := tsPayload(p)
	if len(pl) < 1 {
		return nil, false
	}
	ptr := int(pl[0])
	if 1+ptr+12 > len(pl) {
		return nil, false
	}
	sec := pl[1+ptr:]
	secLen := int(binary.BigEndian.Uint16(sec[1:]) & 0x0FFF)
	if 3+secLen > len(sec) || secLen < 13 {
		return nil, false
	}
	progInfoLen := int(binary.BigEndian.Uint16(sec[10:]) & 0x0FFF)
	if 12+progInfoLen > 3+secLen-4 {
		return nil, false
	}
	progInfo := sec[12 : 12+progInfoLen]
	streams := sec[12+progInfoLen : 3+secLen-4]
	for pos := 0; pos+5 <= len(streams); pos += 5 + int(binary.BigEndian.Uint16(streams[pos+3:])&0x0FFF) {
		if int(binary.BigEndian.Uint16(streams[pos+1:])&0x1FFF) == id3PID {
			return p, true
		}
	}
	newProg := append(append([]byte{}, progInfo...), metadataPointerDescriptor(program)...)
	es := []byte{streamTypeID3, 0xE0 | byte(id3PID>>8), byte(id3PID & 0xFF), 0xF0, byte(len(metadataDescriptor))}
	es = append(es, metadataDescriptor...)
	var ns []byte
	ns = append(ns, sec[:10]...)
	ns = append(ns, 0xF0|byte(len(newProg)>>8), byte(len(newProg)))
	ns = append(ns, newProg...)
	ns = append(ns, streams...)
	ns = append(ns, es...)
	newLen := len(ns) - 3 + 4
	ns[1] = (ns[1] & 0xF0) | byte(newLen>>8)
	ns[2] = byte(newLen)
	ns = binary.BigEndian.AppendUint32(ns, crcMPEG(ns))
	hdr := []byte{p[0], p[1], p[2], 0x10 | (p[3] & 0x0F)} // payload only, keep the continuity counter
	out := append(hdr, 0)                                 // pointer_field
	out = append(out, ns...)
	if len(out) > tsPacket {
		return nil, false
	}
	for len(out) < tsPacket {
		out = append(out, 0xFF)
	}
	return out, true
}

// pesPTS reads the PTS of a PES packet that starts in pl.
func pesPTS(pl []byte) (int64, bool) {
	if len(pl) < 14 || pl[0] != 0 || pl[1] != 0 || pl[2] != 1 {
		return 0, false
	}
	if pl[7]&0x80 == 0 {
		return 0, false
	}
	return decodeTimestamp(pl[9:14]), true
}

func decodeTimestamp(b []byte) int64 {
	return int64(b[0]>>1&0x07)<<30 | int64(b[1])<<22 | int64(b[2]>>1)<<15 | int64(b[3])<<7 | int64(b[4]>>1)
}

func encodeTimestamp(prefix byte, ts int64) []byte {
	ts &= 1<<33 - 1
	return []byte{
		prefix<<4 | byte(ts>>29)&0x0E | 1,
		byte(ts >> 22),
		byte(ts>>14)&0xFE | 1,
		byte(ts >> 7),
		byte(ts<<1) | 1,
	}
}

// id3PESPackets returns the TS packets of one ID3 PES (stream id 0xBD, PTS =
// the cue's time) on the ID3 PID.
func id3PESPackets(c cue, cc *byte) [][]byte {
	tag := id3PRIV(PRIVOwner, c.data)
	pes := []byte{0, 0, 1, 0xBD, 0, 0, 0x80, 0x80, 5}
	pes = append(pes, encodeTimestamp(0x2, c.pts)...)
	pes = append(pes, tag...)
	binary.BigEndian.PutUint16(pes[4:], uint16(len(pes)-6))
	var out [][]byte
	for first := true; len(pes) > 0; first = false {
		p := make([]byte, 0, tsPacket)
		b1 := byte(id3PID>>8) & 0x1F
		if first {
			b1 |= 0x40
		}
		n := min(len(pes), tsPacket-4)
		if n < tsPacket-4 {
			// Stuff with an adaptation field so the packet is 188 bytes.
			af := tsPacket - 4 - n // bytes of adaptation field incl. its length byte
			p = append(p, 0x47, b1, byte(id3PID&0xFF), 0x30|(*cc&0x0F))
			p = append(p, byte(af-1))
			if af > 1 {
				p = append(p, 0x00)
				for i := 2; i < af; i++ {
					p = append(p, 0xFF)
				}
			}
		} else {
			p = append(p, 0x47, b1, byte(id3PID&0xFF), 0x10|(*cc&0x0F))
		}
		p = append(p, pes[:n]...)
		pes = pes[n:]
		*cc++
		out = append(out, p)
	}
	return out
}

// crcMPEG is CRC-32/MPEG-2, the checksum of PSI sections.
func crcMPEG(b []byte) uint32 {
	crc := uint32(0xFFFFFFFF)
	for _, v := range b {
		crc ^= uint32(v) << 24
		for i := 0; i < 8; i++ {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04C11DB7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
