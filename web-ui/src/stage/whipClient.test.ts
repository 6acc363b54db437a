import { beforeEach, describe, expect, it, vi } from 'vitest';
import { WhipStageClient, type WhipDeps } from './whipClient';
import { FakeMediaStream, FakePeerConnection, FakeTrack, FakeWebSocket, makeToken, wire } from './testing';
import type { StageClientError, StageClientEvents } from './types';

type FetchCall = { url: string; init: RequestInit };

/** A scripted SFU: answers WHIP/WHEP posts and deletes, records calls. */
function sfu(answers: Record<string, () => Response> = {}) {
  const calls: FetchCall[] = [];
  let n = 0;
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    for (const [suffix, answer] of Object.entries(answers)) if (url.endsWith(suffix)) return answer();
    if (init?.method === 'DELETE') return new Response(null, { status: 200 });
    n++;
    return new Response(`answer ${n}`, { status: 201, headers: { Location: `/sessions/s${n}` } });
  });
  return { calls, fetch: fetchImpl as unknown as typeof fetch };
}

function deps(f: typeof fetch): WhipDeps {
  return {
    fetch: f,
    WebSocket: FakeWebSocket as unknown as WhipDeps['WebSocket'],
    RTCPeerConnection: FakePeerConnection as unknown as WhipDeps['RTCPeerConnection'],
    MediaStream: FakeMediaStream as unknown as WhipDeps['MediaStream'],
    iceGatherTimeoutMs: 10,
    retryDelayMs: 1,
  };
}

/** Collects a client's events. */
function record(c: WhipStageClient) {
  const seen: { [K in keyof StageClientEvents]: StageClientEvents[K][] } = {
    connectionState: [], participants: [], publishState: [], error: [], left: [],
  };
  for (const k of Object.keys(seen) as (keyof StageClientEvents)[]) {
    c.on(k, (v) => (seen[k] as unknown[]).push(v));
  }
  return seen;
}

const flush = () => new Promise((r) => setTimeout(r, 20));

async function joined(c: WhipStageClient, participants: unknown[] = []) {
  const p = c.join();
  const ws = FakeWebSocket.all.at(-1)!;
  ws.receive({ type: 'welcome', stageArn: 'arn', self: wire('me'), participants: [wire('me'), ...participants] });
  await p;
  await flush();
  return ws;
}

beforeEach(() => {
  FakeWebSocket.all = [];
  FakePeerConnection.all = [];
});

describe('WhipStageClient', () => {
  it('opens the presence socket with the token as sub-protocol and receives every publisher over WHEP', async () => {
    const token = makeToken({ jti: 'me', stageId: 'Stage1' });
    const s = sfu();
    const c = new WhipStageClient(token, 'https://127.0.0.1:4444/', deps(s.fetch));
    const seen = record(c);
    const ws = await joined(c, [wire('ann', { publishState: 'PUBLISHED' }), wire('viewer', { capabilities: ['SUBSCRIBE'] })]);

    expect(ws.url).toBe('wss://127.0.0.1:4444/stages/Stage1/events');
    expect(ws.protocols).toBe(token);
    expect(seen.connectionState).toEqual(['connecting', 'connected']);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0].url).toBe('https://127.0.0.1:4444/stages/Stage1/whep/ann');
    expect(s.calls[0].init.method).toBe('POST');
    expect(s.calls[0].init.headers).toEqual({ 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` });
    expect(s.calls[0].init.body).toBe('offer video:recvonly audio:recvonly');

    const ps = c.getParticipants();
    expect(ps.map((p) => [p.id, p.isLocal, p.publishState])).toEqual([
      ['me', true, 'NOT_PUBLISHED'],
      ['ann', false, 'PUBLISHED'],
      ['viewer', false, 'NOT_PUBLISHED'],
    ]);
    const ann = ps[1];
    expect(ann.attributes).toEqual({ username: 'ann' });
    expect(ann.canPublish && ann.canSubscribe).toBe(true);
    expect((ann.stream as unknown as FakeMediaStream).getTracks().map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    expect(ps[2].canPublish).toBe(false);
  });

  it('subscribes when a publisher becomes PUBLISHED and ends the session when it stops or leaves', async () => {
    const s = sfu();
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(s.fetch));
    const ws = await joined(c);
    ws.receive({ type: 'participantJoined', participant: wire('bob') });
    await flush();
    expect(s.calls).toHaveLength(0);
    ws.receive({ type: 'participantUpdated', participant: wire('bob', { publishState: 'PUBLISHED', tracks: ['video'] }) });
    await flush();
    expect(s.calls.map((x) => x.url)).toEqual(['https://sfu/stages/AbCdEf123456/whep/bob']);
    expect(c.getParticipants()[1].stream).not.toBeNull();

    ws.receive({ type: 'participantUpdated', participant: wire('bob', { publishState: 'NOT_PUBLISHED' }) });
    await flush();
    expect(s.calls[1]).toMatchObject({ url: 'https://sfu/sessions/s1', init: { method: 'DELETE' } });
    expect(c.getParticipants()[1].stream).toBeNull();
    expect(FakePeerConnection.all[0].connectionState).toBe('closed');

    ws.receive({ type: 'participantLeft', participantId: 'bob' });
    expect(c.getParticipants().map((p) => p.id)).toEqual(['me']);
  });

  it('retries a WHEP refused because the media is not flowing yet', async () => {
    let refusals = 1;
    const s = sfu({
      '/whep/ann': () =>
        refusals-- > 0
          ? new Response(JSON.stringify({ code: 'PublisherNotFound', message: 'not yet' }), { status: 404 })
          : new Response('answer', { status: 201, headers: { Location: '/sessions/x' } }),
    });
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(s.fetch));
    const seen = record(c);
    await joined(c, [wire('ann', { publishState: 'PUBLISHED' })]);
    await flush();
    expect(s.calls.filter((x) => x.url.endsWith('/whep/ann'))).toHaveLength(2);
    expect(seen.error).toEqual([]);
    expect(c.getParticipants()[1].stream).not.toBeNull();
  });

  it('publishes the local media at join with WHIP, then reports PUBLISHED when connected', async () => {
    const token = makeToken();
    const s = sfu();
    const c = new WhipStageClient(token, 'https://sfu', deps(s.fetch));
    const seen = record(c);
    const cam = new FakeTrack('video');
    const mic = new FakeTrack('audio');
    await c.setLocalMedia({ video: cam as unknown as MediaStreamTrack, audio: mic as unknown as MediaStreamTrack });
    expect(s.calls).toHaveLength(0); // not before join
    await joined(c);
    expect(s.calls[0].url).toBe('https://sfu/stages/AbCdEf123456/whip');
    expect(s.calls[0].init.body).toBe('offer video:sendonly audio:sendonly');
    expect(seen.publishState).toEqual(['ATTEMPTING_PUBLISH']);
    const pc = FakePeerConnection.all[0];
    expect(pc.remoteDescription).toEqual({ type: 'answer', sdp: 'answer 1' });
    pc.setConnectionState('connected');
    expect(seen.publishState).toEqual(['ATTEMPTING_PUBLISH', 'PUBLISHED']);
    expect(c.getParticipants()[0]).toMatchObject({ id: 'me', isLocal: true, publishState: 'PUBLISHED' });

    // A device switch replaces the track without a new WHIP session.
    const cam2 = new FakeTrack('video');
    await c.setLocalMedia({ video: cam2 as unknown as MediaStreamTrack, audio: mic as unknown as MediaStreamTrack });
    expect(s.calls).toHaveLength(1);
    expect(pc.getSenders().map((x) => x.track)).toEqual([cam2, mic]);

    // No media: publishing stops (DELETE).
    await c.setLocalMedia({});
    expect(s.calls[1]).toMatchObject({ url: 'https://sfu/sessions/s1', init: { method: 'DELETE' } });
    expect(seen.publishState.at(-1)).toBe('NOT_PUBLISHED');
  });

  it('reports a refused publish (13th publisher) as StageFull', async () => {
    const s = sfu({
      '/whip': () => new Response(JSON.stringify({ code: 'StageFull', message: 'the stage already has 12 publishers' }), { status: 403 }),
    });
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(s.fetch));
    const seen = record(c);
    await c.setLocalMedia({ video: new FakeTrack('video') as unknown as MediaStreamTrack });
    await joined(c);
    expect(seen.error).toHaveLength(1);
    const err = seen.error[0] as StageClientError;
    expect([err.code, err.action, err.message]).toEqual(['StageFull', 'publish', 'the stage already has 12 publishers']);
    expect(seen.publishState.at(-1)).toBe('ERRORED');
  });

  it('does not publish with a subscribe-only token', async () => {
    const s = sfu();
    const c = new WhipStageClient(makeToken({ publish: false }), 'https://sfu', deps(s.fetch));
    const seen = record(c);
    expect(c.token.canPublish).toBe(false);
    await c.setLocalMedia({ video: new FakeTrack('video') as unknown as MediaStreamTrack });
    await joined(c);
    expect(s.calls).toHaveLength(0);
    expect((seen.error[0] as StageClientError).code).toBe('InsufficientCapabilities');
  });

  it('shares mute state over presence and disables the track', async () => {
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(sfu().fetch));
    const mic = new FakeTrack('audio');
    await c.setLocalMedia({ audio: mic as unknown as MediaStreamTrack });
    const ws = await joined(c);
    c.setMuted('audio', true);
    expect(mic.enabled).toBe(false);
    expect(ws.sent.at(-1)).toEqual({ type: 'state', audioMuted: true, videoStopped: false });
    expect(c.getParticipants()[0].audioMuted).toBe(true);
  });

  it('says why when the host disconnects the participant, and ends its sessions', async () => {
    const s = sfu();
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(s.fetch));
    const seen = record(c);
    await c.setLocalMedia({ video: new FakeTrack('video') as unknown as MediaStreamTrack });
    const ws = await joined(c, [wire('ann', { publishState: 'PUBLISHED' })]);
    ws.receive({ type: 'disconnected', reason: 'Removed by the host' });
    ws.serverClose('Removed by the host');
    await flush();
    expect(seen.left).toEqual([{ reason: 'disconnected', message: 'Removed by the host' }]);
    // The SFU ended the sessions itself: they are closed here without a DELETE.
    expect(s.calls.filter((x) => x.init.method === 'DELETE')).toHaveLength(0);
    expect(FakePeerConnection.all.map((pc) => pc.connectionState)).toEqual(['closed', 'closed']);
    expect(c.getParticipants()).toEqual([]);
    expect(seen.connectionState.at(-1)).toBe('disconnected');
  });

  it('ends its sessions with DELETE when the user leaves', async () => {
    const s = sfu();
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(s.fetch));
    const seen = record(c);
    await c.setLocalMedia({ video: new FakeTrack('video') as unknown as MediaStreamTrack });
    await joined(c, [wire('ann', { publishState: 'PUBLISHED' })]);
    c.leave();
    await flush();
    expect(s.calls.filter((x) => x.init.method === 'DELETE').map((x) => x.url).sort()).toEqual(['https://sfu/sessions/s1', 'https://sfu/sessions/s2']);
    expect(seen.left).toEqual([{ reason: 'user', message: 'You left the stage.' }]);
    expect(FakeWebSocket.all[0].readyState).toBe(3);
  });

  it('reports the end of the stage and a lost connection', async () => {
    const c1 = new WhipStageClient(makeToken(), 'https://sfu', deps(sfu().fetch));
    const seen1 = record(c1);
    (await joined(c1)).receive({ type: 'stageEnded', reason: 'The stage has ended' });
    expect(seen1.left).toEqual([{ reason: 'stageEnded', message: 'The stage has ended' }]);

    const c2 = new WhipStageClient(makeToken(), 'https://sfu', deps(sfu().fetch));
    const seen2 = record(c2);
    (await joined(c2)).serverClose('', 1006);
    expect(seen2.left[0].reason).toBe('connectionLost');
  });

  it('rejects join when the socket is refused', async () => {
    const c = new WhipStageClient(makeToken(), 'https://sfu', deps(sfu().fetch));
    const p = c.join();
    FakeWebSocket.all[0].serverClose('');
    await expect(p).rejects.toMatchObject({ code: 'ConnectionFailed', action: 'join' });
  });

  it('falls back to the token whip_url without a configured SFU', async () => {
    const c = new WhipStageClient(makeToken(), undefined, deps(sfu().fetch));
    void c.join();
    expect(FakeWebSocket.all[0].url).toBe('wss://token-whip.example/stages/AbCdEf123456/events');
  });
});
