package media

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	ivstypes "github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// edge is what a media playlist says about its live edge.
type edge struct {
	last       uint64         // the last complete segment
	partsAfter int            // parts listed of the segment after it (in progress)
	parts      map[uint64]int // parts listed of each complete segment
}

func liveEdge(t *testing.T, playlist string) edge {
	t.Helper()
	e := edge{parts: map[uint64]int{}}
	var seq uint64
	segments, parts := 0, 0
	for _, l := range strings.Split(playlist, "\n") {
		switch {
		case strings.HasPrefix(l, "#EXT-X-MEDIA-SEQUENCE:"):
			n, err := strconv.ParseUint(strings.TrimPrefix(l, "#EXT-X-MEDIA-SEQUENCE:"), 10, 64)
			require.NoError(t, err)
			seq = n
		case strings.HasPrefix(l, "#EXT-X-PART:"):
			parts++
		case l != "" && !strings.HasPrefix(l, "#"):
			e.parts[seq+uint64(segments)] = parts
			segments++
			parts = 0
		}
	}
	require.Positive(t, segments, playlist)
	e.last, e.partsAfter = seq+uint64(segments)-1, parts
	return e
}

// A player following the live edge with blocking reloads asks, after the
// last part listed of the segment in progress, for the part after it (as
// hls.js does). When that segment ends without one, the answer must come
// when the next segment's first part exists (RFC 8216bis), not once that
// next segment is complete, a segment later.
func TestBlockingReloadAcrossSegmentBoundaries(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	e := newEnv(t)
	arn, key := e.channel(t, ivstypes.ChannelTypeBasicChannelType)
	push(t, e.rtmpURL(key), 320, 240, 15, 60) // 1 s keyframe interval: 1 s segments of ~200 ms parts
	multivariant := waitPlaylist(t, e.playbackURL(arn))
	url := e.http.URL + PlaybackPrefix + lineMatching(t, string(multivariant), `video\d+_stream\.m3u8`)

	var pl edge
	require.Eventually(t, func() bool {
		_, body := get(t, url)
		pl = liveEdge(t, string(body))
		return pl.parts[pl.last] > 0
	}, 10*time.Second, 100*time.Millisecond, "a complete segment with its parts")
	n := pl.parts[pl.last] // parts per segment (the stream's are regular)
	boundaries := 0
	for round := 0; round < 6 && boundaries < 3; round++ {
		// The part after a segment's last one, while that segment is in progress.
		msn := pl.last + 1
		code, body := get(t, fmt.Sprintf("%s&_HLS_msn=%d&_HLS_part=%d", url, msn, n))
		require.Equal(t, http.StatusOK, code, string(body))
		pl = liveEdge(t, string(body))
		if pl.parts[msn] > n || pl.last < msn {
			continue // this segment had one part more: part n was the answer
		}
		// Segment msn has ended: the answer is part 0 of msn+1, while msn+1
		// is still in progress.
		assert.Equal(t, msn, pl.last, "answered once segment %d had ended, not once %d had too", msn, msn+1)
		assert.Positive(t, pl.partsAfter, "part 0 of segment %d is listed", msn+1)
		boundaries++
	}
	assert.Equal(t, 3, boundaries, "segment boundaries crossed")
}
