import { describe, expect, it } from 'vitest';
import type { StageSummary } from '../../api/types';
import { inviteLink } from './components/InvitePanel';
import { sortStages } from './LiveStages';

const s = (id: string, publisherCount: number, createdAt: string): StageSummary => ({
  id, name: id, createdAt, allowAnonymous: true, host: { username: id, avatar: 'bear' }, publisherCount,
});

describe('sortStages', () => {
  it('lists stages with people publishing first, newest first within each group', () => {
    const out = sortStages([
      s('idle-old', 0, '2026-01-01T00:00:00Z'),
      s('live-old', 2, '2026-01-01T00:00:00Z'),
      s('idle-new', 0, '2026-01-03T00:00:00Z'),
      s('live-new', 1, '2026-01-02T00:00:00Z'),
    ]);
    expect(out.map((x) => x.id)).toEqual(['live-new', 'live-old', 'idle-new', 'idle-old']);
  });
});

describe('inviteLink', () => {
  it('points at the host stage page with the invite flag, the name encoded', () => {
    expect(inviteLink('https://app.example', 'ann')).toBe('https://app.example/stage/ann?invite=1');
    expect(inviteLink('http://127.0.0.1:3000', 'a b')).toBe('http://127.0.0.1:3000/stage/a%20b?invite=1');
  });
});
