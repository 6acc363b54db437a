import { describe, expect, it } from 'vitest';
import { bufferedEndAt, catchUpPosition, type LiveState } from './liveCatchUp';

const base: LiveState = {
  live: true, paused: false, latency: 1.75, target: 0.5, syncPosition: 11.25, currentTime: 10, bufferedEnd: 11.6, sinceLastJump: 60_000, sinceLastStall: 60_000,
};

describe('catchUpPosition', () => {
  it.each<[string, Partial<LiveState>, number | null]>([
    ['far behind, sync position buffered: jump to it', {}, 11.25],
    ['within the allowance of the target', { latency: 0.85 }, null],
    ['a VOD or ended stream', { live: false }, null],
    ['paused by the viewer', { paused: true }, null],
    ['hls.js has no target yet', { target: null }, null],
    ['no sync position yet', { syncPosition: null }, null],
    ['jumped a moment ago', { sinceLastJump: 1_000 }, null],
    ['stalled a moment ago: left to hls.js', { sinceLastStall: 2_000 }, null],
    ['sync position not buffered yet', { bufferedEnd: 11.26 }, null],
    ['never backwards', { syncPosition: 9.5 }, null],
  ])('%s', (_name, change, want) => {
    expect(catchUpPosition({ ...base, ...change })).toBe(want);
  });
});

describe('bufferedEndAt', () => {
  const ranges = (r: [number, number][]): TimeRanges => ({ length: r.length, start: (i: number) => r[i][0], end: (i: number) => r[i][1] });
  it('is the end of the range holding the playhead', () => {
    expect(bufferedEndAt(ranges([[0, 2], [5, 9]]), 6)).toBe(9);
    expect(bufferedEndAt(ranges([[0, 2], [5, 9]]), 1)).toBe(2);
  });
  it('is the playhead when nothing is buffered there', () => {
    expect(bufferedEndAt(ranges([[0, 2]]), 3)).toBe(3);
    expect(bufferedEndAt(ranges([]), 3)).toBe(3);
  });
});
