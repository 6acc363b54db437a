// The stage pages' view of a stage connection. The page code never knows
// which client runs: connectStage adapts the StageClient of src/stage
// (offline WHIP/WHEP + presence, or the IVS Web Broadcast SDK in the cloud,
// chosen from the run-time configuration) to what the pages need.

import type { AppConfig } from '../../config';
import { createStageClient, type StageClient, type StageClientError, type StageParticipant as ClientParticipant } from '../../stage/createStageClient';
import type { StageParticipant } from './participants';
import { refusalFor, refusalFromMedia, type Refusal } from './refusals';
import type { StageTokenInfo } from './token';

export interface ConnectionHandlers {
  /** Every participant (the local one with isLocal), whenever anything changes. */
  onParticipants(list: StageParticipant[]): void;
  /** The stage ended for this participant: removed by the host, stage deleted, token refused. Final. */
  onEnded(r: Refusal): void;
  /** The connection was lost (network, server restart): the session rejoins. */
  onDropped(): void;
}

export interface StageConnection {
  publish(stream: MediaStream): Promise<void>;
  unpublish(): Promise<void>;
  /** A track of the published stream was replaced (device switch, screen share). */
  replaceTrack(track: MediaStreamTrack): Promise<void>;
  /** Tells the others about mute / camera off. */
  setState(s: { audioMuted: boolean; videoStopped: boolean }): void;
  close(): void;
}

export type ConnectFn = (token: string, info: StageTokenInfo, handlers: ConnectionHandlers) => Promise<StageConnection>;

const attr = (p: ClientParticipant, k: string) => p.attributes[k] || undefined;

/** A client participant as the pages show it (the token service's attributes read). */
export function toPageParticipant(p: ClientParticipant): StageParticipant {
  return {
    id: p.id,
    userId: p.userId,
    username: attr(p, 'username'),
    avatar: attr(p, 'avatar'),
    avatarUrl: attr(p, 'avatarUrl'),
    role: attr(p, 'role'),
    isLocal: p.isLocal,
    canPublish: p.canPublish,
    publishState: p.publishState,
    audioMuted: p.audioMuted,
    videoStopped: p.videoStopped,
    stream: p.stream,
  };
}

/**
 * What a client error means for the session: a refusal that ends it, a
 * drop to rejoin after, or nothing (a failed subscription to one publisher
 * is the client's to retry; the others keep playing).
 */
export function classifyClientError(e: Pick<StageClientError, 'code' | 'action' | 'message'>): { end: Refusal } | 'drop' | 'ignore' {
  if (e.action === 'subscribe') return e.code === 'ParticipantDisconnected' ? { end: refusalFor.removed() } : 'ignore';
  switch (e.code) {
    case 'ConnectionFailed':
    case 'Unknown':
      return 'drop';
    case 'AlreadyPublishing':
    case 'PublisherNotFound':
      return 'ignore';
  }
  return { end: refusalFromMedia(e.code, e.message) };
}

/** Joins a stage with the client the run-time configuration chooses. */
export async function connectStage(token: string, _info: StageTokenInfo, h: ConnectionHandlers, config: AppConfig, make: typeof createStageClient = createStageClient): Promise<StageConnection> {
  const client: StageClient = await make(config, token);
  let closed = false;
  let media: { video: MediaStreamTrack | null; audio: MediaStreamTrack | null } = { video: null, audio: null };
  const finish = (fn: () => void) => {
    if (closed) return;
    closed = true;
    off.forEach((f) => f());
    fn();
  };
  const off = [
    client.on('participants', (list) => {
      if (!closed) h.onParticipants(list.map(toPageParticipant));
    }),
    client.on('left', ({ reason, message }) => {
      switch (reason) {
        case 'disconnected':
          return finish(() => h.onEnded(refusalFor.removed(message)));
        case 'stageEnded':
          return finish(() => h.onEnded(refusalFor.stageEnded()));
        case 'connectionLost':
          return finish(() => h.onDropped());
      }
    }),
    client.on('error', (e) => {
      const what = classifyClientError(e);
      if (what === 'ignore') return;
      finish(() => {
        client.leave();
        if (what === 'drop') h.onDropped();
        else h.onEnded(what.end);
      });
    }),
  ];
  try {
    await client.join();
  } catch (e) {
    closed = true;
    off.forEach((f) => f());
    client.leave();
    throw e;
  }
  return {
    publish: (stream) => {
      media = { video: stream.getVideoTracks()[0] ?? null, audio: stream.getAudioTracks()[0] ?? null };
      return client.setLocalMedia(media);
    },
    unpublish: () => {
      media = { video: null, audio: null };
      return client.setLocalMedia(media);
    },
    replaceTrack: async (track) => {
      if (!media.video && !media.audio) return; // not publishing: the next publish takes the stream's tracks
      media = { ...media, [track.kind]: track };
      await client.setLocalMedia(media);
    },
    setState: ({ audioMuted, videoStopped }) => {
      client.setMuted('audio', audioMuted);
      client.setMuted('video', videoStopped);
    },
    close: () => finish(() => client.leave()),
  };
}
