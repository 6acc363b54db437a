import { describe, expect, it } from 'vitest';
import { formatDuration, groupSessions } from './sessions';
import type { StreamSessionSummary } from '../../api/types';

const s = (id: string, start: Date, live = false): StreamSessionSummary => ({
  streamId: id, startTime: start.toISOString(), isLive: live, hasErrorEvent: false, channelArn: 'arn',
});

describe('session grouping', () => {
  const now = new Date(2026, 11, 4, 15, 0, 0); // local time
  const at = (days: number, h = 12) => new Date(2026, 11, 4 - days, h, 0, 0);
  it('groups by local day, newest first, leaving out empty groups', () => {
    const groups = groupSessions([
      s('a', at(0, 14), true), s('b', at(0, 0)), s('c', at(1, 23)), s('d', at(7)), s('e', at(8)), s('f', at(30)), s('g', at(31)), s('h', at(400)),
    ], now);
    expect(groups.map((g) => [g.label, g.sessions.map((x) => x.streamId)])).toEqual([
      ['Today', ['a', 'b']],
      ['Previous 7 days', ['c', 'd']],
      ['Previous 30 days', ['e', 'f']],
      ['Earlier', ['g', 'h']],
    ]);
  });
  it('drops a session repeated across pages', () => {
    const groups = groupSessions([s('a', at(2)), s('a', at(2)), s('b', at(40))], now);
    expect(groups).toEqual([
      { label: 'Previous 7 days', sessions: [s('a', at(2))] },
      { label: 'Earlier', sessions: [s('b', at(40))] },
    ]);
  });
  it('is empty for no sessions', () => {
    expect(groupSessions([], now)).toEqual([]);
  });
  it('formats durations', () => {
    expect(formatDuration(59_999)).toBe('0:59');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
});
