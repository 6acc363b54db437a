// The stage client: how a stage page joins an IVS Real-Time stage, publishes
// the local camera/microphone/screen and receives everyone else. Two
// implementations behind this one interface, chosen from the run-time
// configuration (createStageClient): the official Web Broadcast SDK's
// `Stage` in the cloud, and WHIP/WHEP + a presence WebSocket against the
// offline stack's SFU. Pages never know which one runs.

import type { StageTokenInfo } from './token';

export type StageClientKind = 'ivs' | 'whip';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'errored';

/** As the Web Broadcast SDK names them (upper-cased). */
export type PublishState = 'NOT_PUBLISHED' | 'ATTEMPTING_PUBLISH' | 'PUBLISHED' | 'ERRORED';

export interface StageParticipant {
  /** The participant id (the token's jti). */
  id: string;
  userId: string;
  /** The token's attributes: the token service puts username, role, avatar, avatarUrl there. */
  attributes: Record<string, string>;
  canPublish: boolean;
  canSubscribe: boolean;
  isLocal: boolean;
  publishState: PublishState;
  audioMuted: boolean;
  videoStopped: boolean;
  /**
   * What to render: for a remote participant the received audio and video
   * (null until subscribed); for the local one the published tracks.
   */
  stream: MediaStream | null;
}

/** Why a client left the stage (the `left` event). */
export type LeftReason =
  | 'user' // leave() was called
  | 'disconnected' // the host (DisconnectParticipant) removed this participant
  | 'stageEnded' // the stage was deleted
  | 'connectionLost'; // the connection dropped: get a new token and join again

/** Error codes shared by both implementations (the SFU's refusal codes). */
export type StageErrorCode =
  | 'Unauthorized'
  | 'TokenExpired'
  | 'WrongStage'
  | 'InsufficientCapabilities'
  | 'ParticipantDisconnected'
  | 'StageFull'
  | 'StageNotFound'
  | 'PublisherNotFound'
  | 'AlreadyPublishing'
  | 'ConnectionFailed'
  | 'Unknown';

export class StageClientError extends Error {
  readonly code: StageErrorCode;
  /** Publishing, subscribing or joining failed. */
  readonly action: 'join' | 'publish' | 'subscribe';
  constructor(code: StageErrorCode, message: string, action: 'join' | 'publish' | 'subscribe') {
    super(message);
    this.name = 'StageClientError';
    this.code = code;
    this.action = action;
  }
}

export interface LocalMedia {
  /** Camera or screen; null or absent publishes no video. */
  video?: MediaStreamTrack | null;
  audio?: MediaStreamTrack | null;
}

export interface StageClientEvents {
  connectionState: ConnectionState;
  /** The whole list after every change (local participant first once joined). */
  participants: StageParticipant[];
  /** The local participant's publish state. */
  publishState: PublishState;
  error: StageClientError;
  left: { reason: LeftReason; message: string };
}

export interface StageClient {
  readonly kind: StageClientKind;
  /** What the token says (capabilities, participant id, stage, expiry). */
  readonly token: StageTokenInfo;
  /**
   * Joins: receives every publisher (when the token may subscribe) and
   * publishes the local media set with setLocalMedia (when it may publish).
   */
  join(): Promise<void>;
  /** Leaves (emits `left` with reason 'user'). The client cannot be joined again: make a new one. */
  leave(): void;
  /**
   * Sets the media to publish. Before join it is published at join; after,
   * tracks are replaced in place (device switch, screen share) or
   * publishing starts/stops. Both null stops publishing.
   */
  setLocalMedia(media: LocalMedia): Promise<void>;
  /** Mutes the microphone or stops the camera for everyone (the track keeps running for the preview). */
  setMuted(kind: 'audio' | 'video', muted: boolean): void;
  getParticipants(): StageParticipant[];
  on<K extends keyof StageClientEvents>(event: K, fn: (v: StageClientEvents[K]) => void): () => void;
}

/** Typed event fan-out shared by both implementations. */
export class StageEmitter {
  private readonly listeners = new Map<string, Set<(v: unknown) => void>>();
  on<K extends keyof StageClientEvents>(event: K, fn: (v: StageClientEvents[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (v: unknown) => void);
    return () => set!.delete(fn as (v: unknown) => void);
  }
  emit<K extends keyof StageClientEvents>(event: K, v: StageClientEvents[K]) {
    this.listeners.get(event)?.forEach((fn) => {
      try {
        fn(v);
      } catch (e) {
        console.error('stage listener', e);
      }
    });
  }
}
