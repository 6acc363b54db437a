import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import type { ConnectionHandlers, StageConnection } from './connection';
import { backoff, MAX_ATTEMPTS, StageSessionController } from './session';
import type { StageTokenInfo } from './token';

const b64url = (o: unknown) => {
  const bytes = new TextEncoder().encode(JSON.stringify(o));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
let seq = 0;
function token(o: { publish?: boolean; expSec?: number } = {}) {
  seq++;
  return `${b64url({ alg: 'ES384' })}.${b64url({
    exp: o.expSec ?? Math.floor(Date.now() / 1000) + 3600,
    jti: `P${seq}`,
    user_id: 'u',
    resource: 'arn:aws:ivs:us-east-1:1:stage/S1',
    topic: 'S1',
    capabilities: o.publish ? { allow_publish: true, allow_subscribe: true } : { allow_subscribe: true },
  })}.sig`;
}

class MediaError extends Error {
  constructor(public code: string) {
    super(code);
  }
}

interface FakeConn extends StageConnection {
  handlers: ConnectionHandlers;
  info: StageTokenInfo;
  closed: boolean;
  published: MediaStream | null;
  states: { audioMuted: boolean; videoStopped: boolean }[];
}

function harness(o: { fetchToken?: boolean; failWith?: (n: number) => unknown } = {}) {
  const conns: FakeConn[] = [];
  const tokens: string[] = [];
  let calls = 0;
  const stream = { id: 'local' } as unknown as MediaStream;
  const connect = vi.fn(async (_token: string, info: StageTokenInfo, handlers: ConnectionHandlers) => {
    calls++;
    const err = o.failWith?.(calls);
    if (err) throw err;
    const c: FakeConn = {
      handlers, info, closed: false, published: null, states: [],
      publish: async (s) => { c.published = s; },
      unpublish: async () => { c.published = null; },
      replaceTrack: async () => undefined,
      setState: (s) => { c.states.push(s); },
      close: () => { c.closed = true; },
    };
    conns.push(c);
    return c;
  });
  const fetchToken = o.fetchToken === false ? undefined : vi.fn(async () => {
    const t = token({ publish: true });
    tokens.push(t);
    return t;
  });
  const ctl = new StageSessionController({
    connect,
    fetchToken,
    local: () => ({ stream, audioMuted: true, videoStopped: false }),
  });
  return { ctl, conns, tokens, connect, fetchToken, stream };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('StageSessionController', () => {
  it('joins with a fetched token, publishes when asked and allowed, and sends the local state', async () => {
    const h = harness();
    await h.ctl.join({ publish: true });
    expect(h.ctl.state.status).toBe('joined');
    expect(h.fetchToken).toHaveBeenCalledTimes(1);
    expect(h.conns[0].published).toBe(h.stream);
    expect(h.conns[0].states[0]).toEqual({ audioMuted: true, videoStopped: false });
    expect(h.ctl.state.token?.info.canPublish).toBe(true);
  });

  it('does not publish with a subscribe-only token', async () => {
    const h = harness({ fetchToken: false });
    await h.ctl.join({ token: token(), publish: true });
    expect(h.ctl.state.status).toBe('joined');
    expect(h.conns[0].published).toBeNull();
  });

  it('rejoins with a new token after a drop, keeping the publish intent', async () => {
    const h = harness();
    await h.ctl.join({ publish: true });
    h.conns[0].handlers.onDropped();
    expect(h.ctl.state.status).toBe('reconnecting');
    expect(h.conns[0].closed).toBe(true);
    await vi.advanceTimersByTimeAsync(backoff(0));
    expect(h.ctl.state.status).toBe('joined');
    expect(h.fetchToken).toHaveBeenCalledTimes(2);
    expect(h.conns[1].info.participantId).not.toBe(h.conns[0].info.participantId);
    expect(h.conns[1].published).toBe(h.stream);
    expect(h.ctl.state.attempt).toBe(0);
  });

  it('ignores events of a connection it replaced', async () => {
    const h = harness();
    await h.ctl.join();
    h.conns[0].handlers.onDropped();
    await vi.advanceTimersByTimeAsync(backoff(0));
    h.conns[0].handlers.onEnded({ kind: 'stageEnded', title: 't', message: 'm' });
    h.conns[0].handlers.onParticipants([]);
    expect(h.ctl.state.status).toBe('joined');
  });

  it('backs off and gives up after MAX_ATTEMPTS failed rejoins', async () => {
    const h = harness({ failWith: (n) => (n > 1 ? new Error('ICE failed') : undefined) });
    await h.ctl.join();
    h.conns[0].handlers.onDropped();
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(h.ctl.state.status).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(backoff(i));
    }
    expect(h.ctl.state.status).toBe('ended');
    expect(h.ctl.state.refusal?.kind).toBe('error');
    expect(h.connect).toHaveBeenCalledTimes(MAX_ATTEMPTS + 1);
  });

  it.each([
    ['removed by the host', 'removed'],
    ['stage ended', 'stageEnded'],
  ] as const)('stops for good when %s', async (_, kind) => {
    const h = harness();
    await h.ctl.join();
    h.conns[0].handlers.onEnded({ kind, title: 't', message: 'm' });
    expect(h.ctl.state.status).toBe('ended');
    expect(h.ctl.state.refusal?.kind).toBe(kind);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.connect).toHaveBeenCalledTimes(1);
  });

  it('ends with the token service refusal', async () => {
    const h = harness();
    h.fetchToken!.mockRejectedValueOnce(new ApiError('StageFullException', 'Twelve publishers.', 409));
    await h.ctl.join({ publish: true });
    expect(h.ctl.state.status).toBe('ended');
    expect(h.ctl.state.refusal).toMatchObject({ kind: 'stageFull', message: 'Twelve publishers.' });
    expect(h.connect).not.toHaveBeenCalled();
  });

  it.each([
    ['StageNotFound', 'stageEnded'],
    ['ParticipantDisconnected', 'removed'],
    ['StageFull', 'stageFull'],
  ])('ends when the media plane refuses the join with %s', async (code, kind) => {
    const h = harness({ failWith: () => new MediaError(code) });
    await h.ctl.join();
    expect(h.ctl.state.status).toBe('ended');
    expect(h.ctl.state.refusal?.kind).toBe(kind);
  });

  it('fetches a new token once when the stage says the token expired', async () => {
    const h = harness({ failWith: (n) => (n === 1 ? new MediaError('TokenExpired') : undefined) });
    await h.ctl.join();
    expect(h.ctl.state.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(backoff(0));
    expect(h.ctl.state.status).toBe('joined');
    expect(h.fetchToken).toHaveBeenCalledTimes(2);
  });

  it('a pasted token that expired ends the session (nothing to fetch)', async () => {
    const h = harness({ fetchToken: false, failWith: () => new MediaError('TokenExpired') });
    await h.ctl.join({ token: token() });
    expect(h.ctl.state.status).toBe('ended');
    expect(h.ctl.state.refusal?.kind).toBe('tokenExpired');
  });

  it('a pasted token the stage cannot be reached with ends at once; after a drop it is retried', async () => {
    const first = harness({ fetchToken: false, failWith: () => new Error('unreachable') });
    await first.ctl.join({ token: token() });
    expect(first.ctl.state.status).toBe('ended');
    expect(first.connect).toHaveBeenCalledTimes(1);

    const h = harness({ fetchToken: false });
    const t = token();
    await h.ctl.join({ token: t });
    h.conns[0].handlers.onDropped();
    await vi.advanceTimersByTimeAsync(backoff(0));
    expect(h.ctl.state.status).toBe('joined');
    expect(h.connect).toHaveBeenCalledTimes(2);
    expect(h.connect.mock.calls[1][0]).toBe(t);
  });

  it('refreshes the token ahead of expiry, for the next rejoin, without touching the connection', async () => {
    const h = harness();
    h.fetchToken!.mockResolvedValueOnce(token({ publish: true, expSec: Math.floor(Date.now() / 1000) + 60 }));
    await h.ctl.join();
    const first = h.ctl.state.token!.token;
    await vi.advanceTimersByTimeAsync(31_000); // half of the 60 s life
    expect(h.fetchToken).toHaveBeenCalledTimes(2);
    expect(h.ctl.state.token!.token).not.toBe(first);
    expect(h.ctl.state.status).toBe('joined');
    expect(h.conns[0].closed).toBe(false);
    h.conns[0].handlers.onDropped();
    await vi.advanceTimersByTimeAsync(backoff(0));
    expect(h.conns[1].info.participantId).not.toBe(h.conns[0].info.participantId);
  });

  it('leave closes the connection and cancels a pending rejoin', async () => {
    const h = harness();
    await h.ctl.join();
    h.conns[0].handlers.onDropped();
    h.ctl.leave();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.ctl.state.status).toBe('idle');
    expect(h.connect).toHaveBeenCalledTimes(1);
  });

  it('publishing follows the local participant', async () => {
    const h = harness();
    await h.ctl.join({ publish: true });
    expect(h.ctl.publishing).toBe(false);
    h.conns[0].handlers.onParticipants([{
      id: 'P', userId: 'u', isLocal: true, canPublish: true, publishState: 'PUBLISHED', audioMuted: false, videoStopped: false, stream: null,
    }]);
    expect(h.ctl.publishing).toBe(true);
  });
});
