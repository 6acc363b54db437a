// The cloud stage client: the official Web Broadcast SDK's `Stage` with a
// strategy that publishes the local streams when the token allows it and
// subscribes to everyone (audio and video).

import type * as IVS from 'amazon-ivs-web-broadcast';
import { decodeStageToken, type StageTokenInfo } from './token';
import {
  StageClientError,
  StageEmitter,
  type ConnectionState,
  type LeftReason,
  type LocalMedia,
  type PublishState,
  type StageClient,
  type StageClientEvents,
  type StageErrorCode,
  type StageParticipant,
} from './types';

/** The parts of the SDK module the client uses (the module itself, or a fake in tests). */
export type IvsSdk = Pick<
  typeof IVS,
  | 'Stage'
  | 'LocalStageStream'
  | 'StageEvents'
  | 'SubscribeType'
  | 'StageConnectionState'
  | 'StageParticipantPublishState'
  | 'StageLeftReason'
  | 'StageErrorCode'
>;

interface Entry {
  info: IVS.StageParticipantInfo;
  publishState: PublishState;
  streams: IVS.StageStream[];
  stream: MediaStream | null;
}

const publishStates: Record<string, PublishState> = {
  not_published: 'NOT_PUBLISHED',
  attempting_publish: 'ATTEMPTING_PUBLISH',
  published: 'PUBLISHED',
  errored: 'ERRORED',
};

export class IvsStageClient implements StageClient {
  readonly kind = 'ivs' as const;
  readonly token: StageTokenInfo;
  private readonly raw: string;
  private readonly sdk: IvsSdk;
  private readonly events = new StageEmitter();
  private readonly MediaStreamCtor: new (tracks?: MediaStreamTrack[]) => MediaStream;

  private stage: IVS.Stage | null = null;
  private entries = new Map<string, Entry>();
  private localStreams: IVS.LocalStageStream[] = [];
  private localMedia: MediaStream | null = null;
  private muted = { audio: false, video: false };
  private ended = false;
  private publishState: PublishState = 'NOT_PUBLISHED';

  constructor(token: string, sdk: IvsSdk, MediaStreamCtor: new (tracks?: MediaStreamTrack[]) => MediaStream = MediaStream) {
    this.raw = token.trim();
    this.token = decodeStageToken(this.raw);
    this.sdk = sdk;
    this.MediaStreamCtor = MediaStreamCtor;
  }

  on<K extends keyof StageClientEvents>(event: K, fn: (v: StageClientEvents[K]) => void) {
    return this.events.on(event, fn);
  }

  /** The strategy: publish the local streams when allowed, subscribe to everyone. */
  readonly strategy: IVS.StageStrategy = {
    stageStreamsToPublish: () => this.localStreams,
    shouldPublishParticipant: () => this.token.canPublish && this.localStreams.length > 0,
    shouldSubscribeToParticipant: () =>
      this.token.canSubscribe ? this.sdk.SubscribeType.AUDIO_VIDEO : this.sdk.SubscribeType.NONE,
  };

  getParticipants(): StageParticipant[] {
    const out: StageParticipant[] = [];
    for (const e of this.entries.values()) {
      const i = e.info;
      const caps = i.capabilities as Set<string>;
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(i.attributes ?? {})) if (typeof v === 'string') attributes[k] = v;
      out.push({
        id: i.id,
        userId: i.userId,
        attributes,
        canPublish: caps?.has('publish') ?? false,
        canSubscribe: caps?.has('subscribe') ?? false,
        isLocal: i.isLocal,
        publishState: i.isLocal ? this.publishState : e.publishState,
        audioMuted: i.isLocal ? this.muted.audio : i.audioMuted,
        videoStopped: i.isLocal ? this.muted.video : i.videoStopped,
        stream: i.isLocal ? this.localMedia : e.stream,
      });
    }
    return out.sort((a, b) => Number(b.isLocal) - Number(a.isLocal));
  }

  private changed() {
    this.events.emit('participants', this.getParticipants());
  }

  async join(): Promise<void> {
    if (this.ended || this.stage) {
      throw new StageClientError('Unknown', 'This stage client has joined or left already; create a new one.', 'join');
    }
    const { Stage, StageEvents: E } = this.sdk;
    const stage = new Stage(this.raw, this.strategy);
    this.stage = stage;
    stage.on(E.STAGE_CONNECTION_STATE_CHANGED, (s) => this.events.emit('connectionState', s as ConnectionState));
    stage.on(E.STAGE_PARTICIPANT_JOINED, (info) => {
      this.entries.set(info.id, { info, publishState: info.isPublishing ? 'PUBLISHED' : 'NOT_PUBLISHED', streams: [], stream: null });
      this.changed();
    });
    stage.on(E.STAGE_PARTICIPANT_LEFT, (info) => {
      this.entries.delete(info.id);
      this.changed();
    });
    stage.on(E.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (info, state) => {
      const ps = publishStates[state] ?? 'NOT_PUBLISHED';
      const e = this.entry(info);
      e.publishState = ps;
      if (info.isLocal) {
        this.publishState = ps;
        this.events.emit('publishState', ps);
      }
      this.changed();
    });
    stage.on(E.STAGE_PARTICIPANT_STREAMS_ADDED, (info, streams) => {
      if (info.isLocal) return;
      const e = this.entry(info);
      e.streams = [...e.streams.filter((s) => !streams.includes(s)), ...streams];
      e.stream = new this.MediaStreamCtor(e.streams.map((s) => s.mediaStreamTrack));
      this.changed();
    });
    stage.on(E.STAGE_PARTICIPANT_STREAMS_REMOVED, (info, streams) => {
      if (info.isLocal) return;
      const e = this.entry(info);
      e.streams = e.streams.filter((s) => !streams.includes(s));
      e.stream = e.streams.length ? new this.MediaStreamCtor(e.streams.map((s) => s.mediaStreamTrack)) : null;
      this.changed();
    });
    stage.on(E.STAGE_STREAM_MUTE_CHANGED, (info) => {
      this.entry(info);
      this.changed();
    });
    stage.on(E.STAGE_LEFT, (reason) => this.end(this.leftReason(reason)));
    stage.on(E.ERROR, (err) => this.events.emit('error', this.toError(err)));
    try {
      await stage.join();
    } catch (e) {
      const err = e && typeof e === 'object' && 'code' in e ? this.toError(e as IVS.StageError) : new StageClientError('ConnectionFailed', String(e), 'join');
      throw err;
    }
  }

  /** The latest info object (the SDK passes fresh ones with each event). */
  private entry(info: IVS.StageParticipantInfo): Entry {
    let e = this.entries.get(info.id);
    if (!e) this.entries.set(info.id, (e = { info, publishState: 'NOT_PUBLISHED', streams: [], stream: null }));
    e.info = info;
    return e;
  }

  leave() {
    if (!this.stage) {
      this.end('user');
      return;
    }
    this.stage.leave(); // emits STAGE_LEFT (user-initiated)
    this.end('user');
  }

  private end(reason: LeftReason) {
    if (this.ended) return;
    this.ended = true;
    this.entries.clear();
    this.changed();
    const messages: Record<LeftReason, string> = {
      user: 'You left the stage.',
      disconnected: 'You were removed from the stage.',
      stageEnded: 'The stage has ended.',
      connectionLost: 'The connection to the stage was lost.',
    };
    this.events.emit('left', { reason, message: messages[reason] });
  }

  private leftReason(r: IVS.StageLeftReason): LeftReason {
    const R = this.sdk.StageLeftReason;
    switch (r) {
      case R.USER_INITIATED:
        return 'user';
      case R.PARTICIPANT_DISCONNECTED:
      case R.REAL_TIME_CONNECTION_TOKEN_REVOCATION:
        return 'disconnected';
      case R.STAGE_DELETED:
        return 'stageEnded';
      default:
        return 'connectionLost';
    }
  }

  private toError(err: IVS.StageError): StageClientError {
    const C = this.sdk.StageErrorCode;
    const codes: Partial<Record<number, StageErrorCode>> = {
      [C.TOKEN_MALFORMED]: 'Unauthorized',
      [C.TOKEN_EXPIRED]: 'TokenExpired',
      [C.STAGE_AT_CAPACITY]: 'StageFull',
      [C.TOKEN_NOT_ALLOWED]: 'InsufficientCapabilities',
      [C.STAGE_DELETED]: 'StageNotFound',
      [C.PARTICIPANT_DISCONNECTED]: 'ParticipantDisconnected',
      [C.TIMEOUT]: 'ConnectionFailed',
      [C.FAILED]: 'ConnectionFailed',
      [C.CODEC_MISMATCH]: 'ConnectionFailed',
    };
    const action = String(err.category ?? '').startsWith('PUBLISH')
      ? 'publish'
      : String(err.category ?? '').startsWith('SUBSCRIBE')
        ? 'subscribe'
        : 'join';
    return new StageClientError(codes[err.code] ?? 'Unknown', err.message || err.name, action);
  }

  async setLocalMedia(media: LocalMedia): Promise<void> {
    const tracks = [media.video, media.audio].filter((t): t is MediaStreamTrack => !!t);
    this.localStreams = tracks.map((t) => new this.sdk.LocalStageStream(t));
    this.localMedia = tracks.length ? new this.MediaStreamCtor(tracks) : null;
    this.applyMute();
    this.stage?.refreshStrategy();
    this.changed();
  }

  setMuted(kind: 'audio' | 'video', muted: boolean) {
    this.muted[kind] = muted;
    this.applyMute();
    this.changed();
  }

  private applyMute() {
    for (const s of this.localStreams) {
      const kind = s.mediaStreamTrack.kind as 'audio' | 'video';
      s.setMuted(this.muted[kind]);
    }
  }
}

/** Loads the SDK (a large chunk, only for stage pages in the cloud). */
export async function loadIvsSdk(): Promise<IvsSdk> {
  return (await import('amazon-ivs-web-broadcast')) as IvsSdk;
}
