import { describe, expect, it } from 'vitest';
import { displayName, gridParticipants, viewerCount, type StageParticipant } from './participants';

const p = (id: string, o: Partial<StageParticipant> = {}): StageParticipant => ({
  id, userId: `u-${id}`, username: id, isLocal: false, canPublish: false, publishState: 'NOT_PUBLISHED',
  audioMuted: false, videoStopped: false, stream: null, ...o,
});

describe('gridParticipants', () => {
  it('shows publishers and the local publisher, host first then me, and no viewers', () => {
    const all = [
      p('v1'),
      p('g1', { canPublish: true, publishState: 'PUBLISHED' }),
      p('me', { isLocal: true, canPublish: true }),
      p('g2', { canPublish: true, publishState: 'ATTEMPTING_PUBLISH' }),
      p('host', { role: 'host', canPublish: true, publishState: 'PUBLISHED' }),
      p('g3', { canPublish: true, publishState: 'NOT_PUBLISHED' }),
    ];
    expect(gridParticipants(all).map((x) => x.id)).toEqual(['host', 'me', 'g1', 'g2']);
    expect(viewerCount(all)).toBe(2);
  });
  it('a local viewer gets no tile', () => {
    expect(gridParticipants([p('me', { isLocal: true })])).toEqual([]);
  });
});

describe('displayName', () => {
  it.each([
    [{ username: 'ann', userId: 'sub', isLocal: false }, 'ann'],
    [{ username: 'ann', userId: 'sub', isLocal: true }, 'ann (you)'],
    [{ userId: 'anonymous-ABC', isLocal: false }, 'Guest'],
    [{ userId: 'cli-user', isLocal: false }, 'cli-user'],
    [{ userId: '', isLocal: false }, 'Participant'],
  ])('%j → %s', (x, name) => {
    expect(displayName(x)).toBe(name);
  });
});
