import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../config';
import { StageClientError, type StageClient, type StageClientEvents, type StageParticipant } from '../../stage/createStageClient';
import { classifyClientError, connectStage, toPageParticipant } from './connection';

const cp = (o: Partial<StageParticipant> = {}): StageParticipant => ({
  id: 'P1', userId: 'sub', attributes: { username: 'ann', role: 'publisher', avatar: 'tiger' }, canPublish: true, canSubscribe: true,
  isLocal: false, publishState: 'PUBLISHED', audioMuted: true, videoStopped: false, stream: null, ...o,
});

describe('toPageParticipant', () => {
  it('reads the token service attributes', () => {
    expect(toPageParticipant(cp())).toMatchObject({ id: 'P1', username: 'ann', role: 'publisher', avatar: 'tiger', audioMuted: true, publishState: 'PUBLISHED' });
    expect(toPageParticipant(cp({ attributes: {} })).username).toBeUndefined();
  });
});

describe('classifyClientError', () => {
  const e = (code: StageClientError['code'], action: StageClientError['action']) => new StageClientError(code, 'm', action);
  it.each([
    [e('StageFull', 'publish'), 'stageFull'],
    [e('ParticipantDisconnected', 'publish'), 'removed'],
    [e('ParticipantDisconnected', 'subscribe'), 'removed'],
    [e('StageNotFound', 'publish'), 'stageEnded'],
    [e('TokenExpired', 'publish'), 'tokenExpired'],
    [e('InsufficientCapabilities', 'publish'), 'invalidToken'],
  ])('%s ends the session (%s)', (err, kind) => {
    const r = classifyClientError(err);
    expect(typeof r === 'object' && r.end.kind).toBe(kind);
  });
  it('rejoins after a failed publishing connection, ignores one failed subscription', () => {
    expect(classifyClientError(e('ConnectionFailed', 'publish'))).toBe('drop');
    expect(classifyClientError(e('ConnectionFailed', 'subscribe'))).toBe('ignore');
    expect(classifyClientError(e('PublisherNotFound', 'subscribe'))).toBe('ignore');
  });
});

class FakeClient implements Partial<StageClient> {
  listeners = new Map<string, (v: unknown) => void>();
  media: unknown[] = [];
  muted: [string, boolean][] = [];
  left = 0;
  joinResult: Promise<void> = Promise.resolve();
  on<K extends keyof StageClientEvents>(ev: K, fn: (v: StageClientEvents[K]) => void) {
    this.listeners.set(ev, fn as (v: unknown) => void);
    return () => this.listeners.delete(ev);
  }
  emit<K extends keyof StageClientEvents>(ev: K, v: StageClientEvents[K]) {
    this.listeners.get(ev)?.(v);
  }
  join = () => this.joinResult;
  leave = () => { this.left++; };
  setLocalMedia = async (m: unknown) => { this.media.push(m); };
  setMuted = (k: 'audio' | 'video', m: boolean) => { this.muted.push([k, m]); };
}

const track = (kind: string, id = kind) => ({ kind, id }) as unknown as MediaStreamTrack;
const stream = (...tracks: MediaStreamTrack[]) => ({
  getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
}) as unknown as MediaStream;

async function setup(joinResult?: Promise<void>) {
  const fake = new FakeClient();
  if (joinResult) fake.joinResult = joinResult;
  const h = { onParticipants: vi.fn(), onEnded: vi.fn(), onDropped: vi.fn() };
  const make = vi.fn(async () => fake as unknown as StageClient);
  const conn = connectStage('tok', {} as never, h, { offline: true } as AppConfig, make);
  return { fake, h, make, conn };
}

describe('connectStage', () => {
  it('makes the configured client, joins, and passes participants on', async () => {
    const { fake, h, make, conn } = await setup();
    await conn;
    expect(make).toHaveBeenCalledWith({ offline: true }, 'tok');
    fake.emit('participants', [cp({ isLocal: true })]);
    expect(h.onParticipants).toHaveBeenCalledWith([expect.objectContaining({ id: 'P1', isLocal: true, username: 'ann' })]);
  });

  it('publishes the stream tracks, replaces one in place, and unpublishes', async () => {
    const { fake, conn } = await setup();
    const c = await conn;
    await c.replaceTrack(track('video', 'early')); // not publishing yet: nothing to replace
    expect(fake.media).toEqual([]);
    await c.publish(stream(track('video', 'cam'), track('audio', 'mic')));
    await c.replaceTrack(track('video', 'screen'));
    await c.unpublish();
    expect(fake.media).toEqual([
      { video: track('video', 'cam'), audio: track('audio', 'mic') },
      { video: track('video', 'screen'), audio: track('audio', 'mic') },
      { video: null, audio: null },
    ]);
  });

  it('sends mute and camera state', async () => {
    const { fake, conn } = await setup();
    (await conn).setState({ audioMuted: true, videoStopped: false });
    expect(fake.muted).toEqual([['audio', true], ['video', false]]);
  });

  it.each([
    ['disconnected', 'Removed by the host', 'onEnded', 'removed'],
    ['stageEnded', 'The stage has ended', 'onEnded', 'stageEnded'],
    ['connectionLost', 'lost', 'onDropped', undefined],
  ] as const)('left %s → %s', async (reason, message, handler, kind) => {
    const { fake, h, conn } = await setup();
    await conn;
    fake.emit('left', { reason, message });
    expect(h[handler]).toHaveBeenCalledTimes(1);
    if (kind) expect(h.onEnded.mock.calls[0][0].kind).toBe(kind);
    // Once ended, nothing more reaches the page.
    fake.emit('participants', []);
    fake.emit('left', { reason: 'connectionLost', message: '' });
    expect(h.onParticipants).not.toHaveBeenCalled();
    expect(h.onDropped.mock.calls.length + h.onEnded.mock.calls.length).toBe(1);
  });

  it('a user leave says nothing, and a refused publish ends the session', async () => {
    const { fake, h, conn } = await setup();
    const c = await conn;
    fake.emit('error', new StageClientError('StageFull', 'full', 'publish'));
    expect(h.onEnded.mock.calls[0][0].kind).toBe('stageFull');
    expect(fake.left).toBe(1);
    c.close();
    expect(fake.left).toBe(1);
  });

  it('a failed join leaves the client and rejects', async () => {
    const { fake, conn } = await setup(Promise.reject(new StageClientError('ConnectionFailed', 'no', 'join')));
    await expect(conn).rejects.toMatchObject({ code: 'ConnectionFailed' });
    expect(fake.left).toBe(1);
  });
});
