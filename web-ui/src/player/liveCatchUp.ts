// Keeping an LL-HLS viewer near the live edge with hls.js.
//
// hls.js starts a low-latency stream at the keyframe before its target
// position and speeds playback up (maxLiveSyncPlaybackRate) only while more
// than a second is buffered, so a viewer who joins mid-segment, or after a
// stall, stays up to a keyframe interval behind its target for good. Measured
// on the offline media plane (docs/performance.md): 1.75 s behind the edge
// with a 0.5 s target, 1.1 s with catch-up by rate alone. A jump inside the
// buffered range to hls.js's own live sync position brings it to the target.
// Only while playback is smooth: a viewer whose machine or network makes it
// stall is left to hls.js, which raises its target after each stall (a jump
// to the edge would stall it again).

/** Behind the target by more than this (s), the player jumps. */
export const CATCH_UP_BEYOND = 0.4;
/** At most one jump per this long (ms). */
export const CATCH_UP_COOLDOWN_MS = 10_000;
/** No jump until playback has run this long (ms) without waiting for data. */
export const CATCH_UP_AFTER_STALL_MS = 8_000;

export interface LiveState {
  live: boolean;
  paused: boolean;
  /** hls.latency: seconds from the playhead to the live edge. */
  latency: number;
  /** hls.targetLatency (the playlist's PART-HOLD-BACK plus stall allowance). */
  target: number | null;
  /** hls.liveSyncPosition: where the target latency puts the playhead. */
  syncPosition: number | null;
  currentTime: number;
  /** End of the buffered range the playhead is in (or currentTime). */
  bufferedEnd: number;
  /** ms since the previous jump. */
  sinceLastJump: number;
  /** ms since the video last waited for data (stalled). */
  sinceLastStall: number;
}

/** The position to jump to, or null to leave playback alone. */
export function catchUpPosition(s: LiveState): number | null {
  if (!s.live || s.paused || s.target === null || s.syncPosition === null) return null;
  if (s.latency - s.target <= CATCH_UP_BEYOND || s.sinceLastJump < CATCH_UP_COOLDOWN_MS) return null;
  if (s.sinceLastStall < CATCH_UP_AFTER_STALL_MS) return null;
  // Only forward, and only within what is already buffered (no rebuffering).
  if (s.syncPosition <= s.currentTime || s.syncPosition >= s.bufferedEnd - 0.05) return null;
  return s.syncPosition;
}

/** End of the buffered range that contains t (t itself when none does). */
export function bufferedEndAt(ranges: TimeRanges, t: number): number {
  for (let i = 0; i < ranges.length; i++) {
    if (ranges.start(i) <= t + 0.1 && t <= ranges.end(i)) return ranges.end(i);
  }
  return t;
}
