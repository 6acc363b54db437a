import { describe, expect, it } from 'vitest';
import type * as IVS from 'amazon-ivs-web-broadcast';
import { IvsStageClient, type IvsSdk } from './ivsClient';
import { FakeMediaStream, FakeTrack, makeToken } from './testing';
import type { StageClientError, StageClientEvents } from './types';

// The SDK's enums, as it defines them (amazon-ivs-web-broadcast 1.41.0 .d.ts).
const StageEvents = {
  STAGE_CONNECTION_STATE_CHANGED: 'stageConnectionStateChanged',
  STAGE_PARTICIPANT_JOINED: 'stageParticipantJoined',
  STAGE_PARTICIPANT_LEFT: 'stageParticipantLeft',
  STAGE_PARTICIPANT_STREAMS_ADDED: 'stageParticipantStreamsAdded',
  STAGE_PARTICIPANT_STREAMS_REMOVED: 'stageParticipantStreamsRemoved',
  STAGE_STREAM_MUTE_CHANGED: 'stageStreamMuteChanged',
  STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED: 'stageParticipantPublishStateChanged',
  STAGE_LEFT: 'stageLeft',
  ERROR: 'error',
};

class FakeStage {
  static last: FakeStage;
  handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  refreshed = 0;
  joined = false;
  left = false;
  constructor(readonly token: string, readonly strategy: IVS.StageStrategy) {
    FakeStage.last = this;
  }
  on(ev: string, fn: (...a: unknown[]) => void) {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), fn]);
  }
  emit(ev: string, ...a: unknown[]) {
    for (const fn of this.handlers.get(ev) ?? []) fn(...a);
  }
  async join() {
    this.joined = true;
  }
  leave = () => {
    this.left = true;
    this.emit(StageEvents.STAGE_LEFT, 'user-initiated');
  };
  refreshStrategy = () => {
    this.refreshed++;
  };
}

class FakeLocalStageStream {
  muted = false;
  constructor(readonly mediaStreamTrack: FakeTrack) {}
  setMuted = (m: boolean) => {
    this.muted = m;
  };
}

const sdk = {
  Stage: FakeStage,
  LocalStageStream: FakeLocalStageStream,
  StageEvents,
  SubscribeType: { NONE: 'none', AUDIO_ONLY: 'audio_only', AUDIO_VIDEO: 'audio_video' },
  StageConnectionState: { DISCONNECTED: 'disconnected', CONNECTING: 'connecting', CONNECTED: 'connected', ERRORED: 'errored' },
  StageParticipantPublishState: { NOT_PUBLISHED: 'not_published', ATTEMPTING_PUBLISH: 'attempting_publish', PUBLISHED: 'published', ERRORED: 'errored' },
  StageLeftReason: {
    UNKNOWN: 'unknown', USER_INITIATED: 'user-initiated', TOKEN_REUSED: 'token-reused', PARTICIPANT_DISCONNECTED: 'participant-disconnected',
    STAGE_DELETED: 'stage-deleted', FAILED_EXCHANGE: 'failed-exchange', REAL_TIME_CONNECTION_FORCED_LEAVE: 'real-time-connection-forced-leave',
    REAL_TIME_CONNECTION_TOKEN_REVOCATION: 'real-time-connection-token-revocation',
  },
  StageErrorCode: {
    TOKEN_MALFORMED: 1, TOKEN_EXPIRED: 2, TIMEOUT: 3, FAILED: 4, CANCELED: 5, STAGE_AT_CAPACITY: 6, CODEC_MISMATCH: 7,
    TOKEN_NOT_ALLOWED: 8, STAGE_DELETED: 9, PARTICIPANT_DISCONNECTED: 10, TOKEN_EXCHANGE_REQUEST_INVALID: 11, TOKEN_EXCHANGE_FAILED: 12,
  },
} as unknown as IvsSdk;

const info = (id: string, o: Partial<IVS.StageParticipantInfo> = {}) =>
  ({
    id, userId: `user-${id}`, attributes: { username: id }, capabilities: new Set(['publish', 'subscribe']),
    isLocal: false, userInfo: {}, videoStopped: false, audioMuted: false, isPublishing: false, ...o,
  }) as unknown as IVS.StageParticipantInfo;

function client(token = makeToken()) {
  const c = new IvsStageClient(token, sdk, FakeMediaStream as unknown as typeof MediaStream);
  const seen: { [K in keyof StageClientEvents]: StageClientEvents[K][] } = {
    connectionState: [], participants: [], publishState: [], error: [], left: [],
  };
  for (const k of Object.keys(seen) as (keyof StageClientEvents)[]) c.on(k, (v) => (seen[k] as unknown[]).push(v));
  return { c, seen };
}

describe('IvsStageClient', () => {
  it("joins the SDK's Stage with a strategy that subscribes to everyone and publishes local streams when allowed", async () => {
    const token = makeToken();
    const { c } = client(token);
    await c.join();
    const stage = FakeStage.last;
    expect(stage.token).toBe(token);
    expect(stage.joined).toBe(true);
    expect(stage.strategy.shouldSubscribeToParticipant(info('x'))).toBe('audio_video');
    expect(stage.strategy.shouldPublishParticipant(info('me'))).toBe(false); // nothing to publish yet

    const cam = new FakeTrack('video');
    await c.setLocalMedia({ video: cam as unknown as MediaStreamTrack, audio: new FakeTrack('audio') as unknown as MediaStreamTrack });
    expect(stage.refreshed).toBe(1);
    expect(stage.strategy.shouldPublishParticipant(info('me'))).toBe(true);
    expect(stage.strategy.stageStreamsToPublish().map((s) => s.mediaStreamTrack)).toEqual([cam, expect.any(FakeTrack)]);

    c.setMuted('video', true);
    const streams = stage.strategy.stageStreamsToPublish() as unknown as FakeLocalStageStream[];
    expect(streams.map((s) => s.muted)).toEqual([true, false]);
  });

  it('never publishes with a subscribe-only token, and a publish-only token subscribes to nobody', async () => {
    const viewer = client(makeToken({ publish: false })).c;
    await viewer.setLocalMedia({ video: new FakeTrack('video') as unknown as MediaStreamTrack });
    await viewer.join();
    expect(FakeStage.last.strategy.shouldPublishParticipant(info('me'))).toBe(false);

    await client(makeToken({ subscribe: false })).c.join();
    expect(FakeStage.last.strategy.shouldSubscribeToParticipant(info('x'))).toBe('none');
  });

  it("maps the SDK's participant events to the shared participant list", async () => {
    const { c, seen } = client();
    await c.join();
    const stage = FakeStage.last;
    stage.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, 'connected');
    stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, info('me', { isLocal: true }));
    stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, info('ann'));
    stage.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, info('ann', { isPublishing: true }), 'published');
    const video = { mediaStreamTrack: new FakeTrack('video') };
    const audio = { mediaStreamTrack: new FakeTrack('audio') };
    stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, info('ann'), [video, audio]);
    stage.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, info('me', { isLocal: true }), 'published');
    stage.emit(StageEvents.STAGE_STREAM_MUTE_CHANGED, info('ann', { audioMuted: true }), audio);

    expect(seen.connectionState).toEqual(['connected']);
    expect(seen.publishState).toEqual(['PUBLISHED']);
    const ps = c.getParticipants();
    expect(ps.map((p) => [p.id, p.isLocal, p.publishState, p.audioMuted])).toEqual([
      ['me', true, 'PUBLISHED', false],
      ['ann', false, 'PUBLISHED', true],
    ]);
    expect(ps[1].attributes).toEqual({ username: 'ann' });
    expect(ps[1].canPublish).toBe(true);
    expect((ps[1].stream as unknown as FakeMediaStream).getTracks()).toEqual([video.mediaStreamTrack, audio.mediaStreamTrack]);

    stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, info('ann'), [video, audio]);
    expect(c.getParticipants()[1].stream).toBeNull();
    stage.emit(StageEvents.STAGE_PARTICIPANT_LEFT, info('ann'));
    expect(c.getParticipants().map((p) => p.id)).toEqual(['me']);
  });

  it('reports errors and why the stage was left with the shared codes', async () => {
    const { c, seen } = client();
    await c.join();
    const stage = FakeStage.last;
    stage.emit(StageEvents.ERROR, { name: 'x', code: 6, category: 'PUBLISH_ERROR', message: 'Stage at capacity' });
    const err = seen.error[0] as StageClientError;
    expect([err.code, err.action, err.message]).toEqual(['StageFull', 'publish', 'Stage at capacity']);
    stage.emit(StageEvents.STAGE_LEFT, 'stage-deleted');
    expect(seen.left).toEqual([{ reason: 'stageEnded', message: 'The stage has ended.' }]);

    const other = client();
    await other.c.join();
    FakeStage.last.emit(StageEvents.STAGE_LEFT, 'participant-disconnected');
    expect(other.seen.left[0].reason).toBe('disconnected');

    const third = client();
    await third.c.join();
    third.c.leave();
    expect(FakeStage.last.left).toBe(true);
    expect(third.seen.left).toEqual([{ reason: 'user', message: 'You left the stage.' }]);
  });
});
