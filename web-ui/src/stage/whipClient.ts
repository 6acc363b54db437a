// The offline stage client: the offline stack's SFU (local/internal/sfu,
// docs/stages.md "Offline stage media"): WHIP to publish, one WHEP session
// per publisher to receive, and a presence WebSocket (token as sub-protocol)
// for who is there, who publishes and who is muted.

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

/** What the client needs from the browser (injected in tests). */
export interface WhipDeps {
  fetch: typeof fetch;
  WebSocket: new (url: string, protocols?: string | string[]) => WebSocket;
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection;
  MediaStream: new (tracks?: MediaStreamTrack[]) => MediaStream;
  /** How long to wait for ICE candidates before sending an offer. */
  iceGatherTimeoutMs?: number;
  /** Delay between WHEP attempts when a publisher's media is not ready yet. */
  retryDelayMs?: number;
}

/** A participant as the SFU's presence socket describes it. */
interface WireParticipant {
  participantId: string;
  userId: string;
  attributes?: Record<string, string>;
  capabilities?: string[];
  publishState?: PublishState;
  tracks?: string[];
  audioMuted?: boolean;
  videoStopped?: boolean;
}

interface WireMessage {
  type: string;
  self?: WireParticipant;
  participants?: WireParticipant[];
  participant?: WireParticipant;
  participantId?: string;
  reason?: string;
}

/** A WHIP or WHEP session: its peer connection and resource URL. */
interface MediaSession {
  pc: RTCPeerConnection;
  location: string;
}

interface Remote {
  info: WireParticipant;
  stream: MediaStream | null;
  sub: MediaSession | null;
  subscribing: boolean;
}

const knownCodes: StageErrorCode[] = [
  'Unauthorized', 'TokenExpired', 'WrongStage', 'InsufficientCapabilities', 'ParticipantDisconnected',
  'StageFull', 'StageNotFound', 'PublisherNotFound', 'AlreadyPublishing',
];

function browserDeps(): WhipDeps {
  return {
    fetch: (...a) => fetch(...a),
    WebSocket,
    RTCPeerConnection,
    MediaStream,
  };
}

export class WhipStageClient implements StageClient {
  readonly kind = 'whip' as const;
  readonly token: StageTokenInfo;
  private readonly raw: string;
  private readonly base: string;
  private readonly deps: WhipDeps;
  private readonly events = new StageEmitter();

  private ws: WebSocket | null = null;
  private state: ConnectionState = 'disconnected';
  private ended = false;
  private remotes = new Map<string, Remote>();
  private self: WireParticipant | null = null;

  private media: LocalMedia = {};
  private localStream: MediaStream | null = null;
  private pub: MediaSession | null = null;
  private publishState: PublishState = 'NOT_PUBLISHED';
  private publishing: Promise<void> | null = null;
  private muted = { audio: false, video: false };
  private serverEnded = false;
  private senderKinds = new WeakMap<RTCRtpSender, string>();

  /** sfuUrl: the SFU's base URL (config stageSfuUrl); the token's whip_url when absent. */
  constructor(token: string, sfuUrl: string | undefined, deps: WhipDeps = browserDeps()) {
    this.raw = token.trim();
    this.token = decodeStageToken(this.raw);
    this.base = (sfuUrl || this.token.whipUrl).replace(/\/$/, '');
    this.deps = deps;
  }

  on<K extends keyof StageClientEvents>(event: K, fn: (v: StageClientEvents[K]) => void) {
    return this.events.on(event, fn);
  }

  getParticipants(): StageParticipant[] {
    const out: StageParticipant[] = [];
    if (this.self) out.push(this.view(this.self, true, this.localStream));
    for (const r of this.remotes.values()) out.push(this.view(r.info, false, r.stream));
    return out;
  }

  private view(p: WireParticipant, isLocal: boolean, stream: MediaStream | null): StageParticipant {
    const caps = p.capabilities ?? [];
    return {
      id: p.participantId,
      userId: p.userId,
      attributes: p.attributes ?? {},
      canPublish: caps.includes('PUBLISH'),
      canSubscribe: caps.includes('SUBSCRIBE'),
      isLocal,
      publishState: isLocal ? this.publishState : (p.publishState ?? 'NOT_PUBLISHED'),
      audioMuted: isLocal ? this.muted.audio : !!p.audioMuted,
      videoStopped: isLocal ? this.muted.video : !!p.videoStopped,
      stream,
    };
  }

  private changed() {
    this.events.emit('participants', this.getParticipants());
  }

  private setState(s: ConnectionState) {
    if (this.state === s) return;
    this.state = s;
    this.events.emit('connectionState', s);
  }

  private setPublishState(s: PublishState) {
    if (this.publishState === s) return;
    this.publishState = s;
    this.events.emit('publishState', s);
    this.changed();
  }

  join(): Promise<void> {
    if (this.ended) return Promise.reject(new StageClientError('Unknown', 'This stage client has left; create a new one.', 'join'));
    this.setState('connecting');
    const url = this.base.replace(/^http/, 'ws') + `/stages/${encodeURIComponent(this.token.stageId)}/events`;
    return new Promise((resolve, reject) => {
      let welcomed = false;
      const ws = new this.deps.WebSocket(url, this.raw);
      this.ws = ws;
      ws.onmessage = (ev: MessageEvent) => {
        let m: WireMessage;
        try {
          m = JSON.parse(String(ev.data)) as WireMessage;
        } catch {
          return;
        }
        if (m.type === 'welcome' && !welcomed) {
          welcomed = true;
          this.setState('connected');
          this.onWelcome(m);
          resolve();
          return;
        }
        this.onMessage(m);
      };
      ws.onclose = (ev: CloseEvent) => {
        if (!welcomed) {
          this.setState('errored');
          this.ended = true;
          // The SFU refuses before the upgrade (401/403/404): the browser
          // does not show the status, so say what the usual causes are.
          reject(new StageClientError(
            'ConnectionFailed',
            ev.reason || 'Could not join the stage: the token may have expired, the stage ended, or the stage media server is not reachable.',
            'join',
          ));
          return;
        }
        this.end('connectionLost', 'The connection to the stage was lost.');
      };
    });
  }

  private onWelcome(m: WireMessage) {
    this.self = m.self ?? null;
    for (const p of m.participants ?? []) {
      if (p.participantId === this.token.participantId) continue;
      this.remotes.set(p.participantId, { info: p, stream: null, sub: null, subscribing: false });
    }
    this.changed();
    for (const r of this.remotes.values()) this.maybeSubscribe(r);
    if (this.hasMedia()) void this.publish();
    this.sendState();
  }

  private onMessage(m: WireMessage) {
    switch (m.type) {
      case 'participantJoined':
      case 'participantUpdated': {
        const p = m.participant;
        if (!p) return;
        if (p.participantId === this.token.participantId) {
          this.self = { ...p };
          this.changed();
          return;
        }
        let r = this.remotes.get(p.participantId);
        if (!r) {
          r = { info: p, stream: null, sub: null, subscribing: false };
          this.remotes.set(p.participantId, r);
        }
        r.info = p;
        if (p.publishState !== 'PUBLISHED') this.unsubscribe(r);
        this.changed();
        this.maybeSubscribe(r);
        return;
      }
      case 'participantLeft': {
        const r = m.participantId ? this.remotes.get(m.participantId) : undefined;
        if (!r) return;
        this.unsubscribe(r);
        this.remotes.delete(m.participantId!);
        this.changed();
        return;
      }
      case 'disconnected':
        this.end('disconnected', m.reason || 'You were removed from the stage.');
        return;
      case 'stageEnded':
        this.end('stageEnded', m.reason || 'The stage has ended.');
        return;
    }
  }

  leave() {
    this.end('user', 'You left the stage.');
  }

  /** Tears everything down once and says why. */
  private end(reason: LeftReason, message: string) {
    if (this.ended) return;
    this.ended = true;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, 'leaving');
    // When the SFU ended the participant or the stage, its sessions are gone
    // already: close the peer connections without asking it.
    this.serverEnded = reason === 'disconnected' || reason === 'stageEnded';
    void this.stopPublishing();
    for (const r of this.remotes.values()) this.unsubscribe(r);
    this.remotes.clear();
    this.self = null;
    this.setState('disconnected');
    this.changed();
    this.events.emit('left', { reason, message });
  }

  // ---- Publishing (WHIP) ----

  private hasMedia() {
    return !!(this.media.audio || this.media.video);
  }

  async setLocalMedia(media: LocalMedia): Promise<void> {
    const before = this.media;
    this.media = { audio: media.audio ?? null, video: media.video ?? null };
    this.localStream = this.hasMedia()
      ? new this.deps.MediaStream([this.media.video, this.media.audio].filter((t): t is MediaStreamTrack => !!t))
      : null;
    this.applyMute();
    if (!this.self || this.ended) return; // published at join
    if (!this.hasMedia()) {
      await this.stopPublishing();
      return;
    }
    if (this.pub && this.sameKinds(before, this.media)) {
      // Device switch or screen share: replace in place, no renegotiation.
      for (const sender of this.pub.pc.getSenders()) {
        const kind = sender.track?.kind ?? this.senderKinds.get(sender);
        if (kind === 'audio' || kind === 'video') await sender.replaceTrack(this.media[kind] ?? null);
      }
      this.changed();
      return;
    }
    await this.stopPublishing();
    await this.publish();
  }

  private sameKinds(a: LocalMedia, b: LocalMedia) {
    return !!a.audio === !!b.audio && !!a.video === !!b.video;
  }

  private publish(): Promise<void> {
    if (this.publishing) return this.publishing;
    this.publishing = this.doPublish().finally(() => {
      this.publishing = null;
    });
    return this.publishing;
  }

  private async doPublish() {
    if (!this.token.canPublish) {
      const err = new StageClientError('InsufficientCapabilities', 'This token does not allow publishing.', 'publish');
      this.events.emit('error', err);
      return;
    }
    this.setPublishState('ATTEMPTING_PUBLISH');
    const pc = new this.deps.RTCPeerConnection();
    try {
      for (const kind of ['video', 'audio'] as const) {
        const track = this.media[kind];
        if (!track) continue;
        const tr = pc.addTransceiver(track, { direction: 'sendonly', streams: this.localStream ? [this.localStream] : [] });
        this.senderKinds.set(tr.sender, kind);
        if (kind === 'video') preferH264(tr);
      }
      const session = await this.exchange(pc, `/stages/${encodeURIComponent(this.token.stageId)}/whip`, 'publish');
      if (this.ended || !this.hasMedia()) {
        void this.deleteSession(session);
        return;
      }
      this.pub = session;
      pc.addEventListener('connectionstatechange', () => {
        if (this.pub?.pc !== pc) return;
        if (pc.connectionState === 'connected') this.setPublishState('PUBLISHED');
        if (pc.connectionState === 'failed') {
          this.pub = null;
          pc.close();
          this.setPublishState('ERRORED');
          this.events.emit('error', new StageClientError('ConnectionFailed', 'Publishing stopped: the media connection failed.', 'publish'));
        }
      });
      if (pc.connectionState === 'connected') this.setPublishState('PUBLISHED');
    } catch (e) {
      pc.close();
      this.setPublishState('ERRORED');
      this.events.emit('error', asStageError(e, 'publish'));
    }
  }

  private async stopPublishing() {
    const pub = this.pub;
    this.pub = null;
    if (pub) await this.deleteSession(pub);
    if (!this.ended) this.setPublishState('NOT_PUBLISHED');
    else this.publishState = 'NOT_PUBLISHED';
  }

  setMuted(kind: 'audio' | 'video', muted: boolean) {
    this.muted[kind] = muted;
    this.applyMute();
    this.sendState();
    this.changed();
  }

  /** Muting disables the track: the SFU keeps forwarding silence / black frames, as IVS does. */
  private applyMute() {
    if (this.media.audio) this.media.audio.enabled = !this.muted.audio;
    if (this.media.video) this.media.video.enabled = !this.muted.video;
  }

  private sendState() {
    if (this.ws?.readyState === 1) {
      this.ws.send(JSON.stringify({ type: 'state', audioMuted: this.muted.audio, videoStopped: this.muted.video }));
    }
  }

  // ---- Subscribing (WHEP, one session per publisher) ----

  private maybeSubscribe(r: Remote) {
    if (!this.token.canSubscribe || this.ended || r.sub || r.subscribing || r.info.publishState !== 'PUBLISHED') return;
    r.subscribing = true;
    void this.subscribe(r).finally(() => {
      r.subscribing = false;
    });
  }

  private async subscribe(r: Remote, attempt = 0): Promise<void> {
    const id = r.info.participantId;
    const pc = new this.deps.RTCPeerConnection();
    const stream = new this.deps.MediaStream();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (ev: RTCTrackEvent) => {
      stream.addTrack(ev.track);
      if (this.remotes.get(id) === r && r.sub?.pc === pc) {
        r.stream = stream;
        this.changed();
      }
    });
    try {
      const session = await this.exchange(pc, `/stages/${encodeURIComponent(this.token.stageId)}/whep/${encodeURIComponent(id)}`, 'subscribe');
      if (this.ended || this.remotes.get(id) !== r || r.info.publishState !== 'PUBLISHED') {
        void this.deleteSession(session);
        return;
      }
      r.sub = session;
      if (stream.getTracks().length > 0) {
        r.stream = stream;
        this.changed();
      }
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState !== 'failed' || r.sub?.pc !== pc) return;
        this.unsubscribe(r);
        this.changed();
        this.maybeSubscribe(r); // the publisher may still be there
      });
    } catch (e) {
      pc.close();
      const err = asStageError(e, 'subscribe');
      // PUBLISHED reaches us as the media starts; a WHEP that arrives first
      // is told PublisherNotFound: try again shortly.
      if (err.code === 'PublisherNotFound' && attempt < 3 && !this.ended && this.remotes.get(id) === r) {
        await sleep(this.deps.retryDelayMs ?? 500);
        return this.subscribe(r, attempt + 1);
      }
      this.events.emit('error', err);
    }
  }

  private unsubscribe(r: Remote) {
    const sub = r.sub;
    r.sub = null;
    r.stream = null;
    if (sub) void this.deleteSession(sub);
  }

  // ---- WHIP/WHEP HTTP ----

  /** Offers (after gathering ICE candidates), posts, applies the answer. */
  private async exchange(pc: RTCPeerConnection, path: string, action: 'publish' | 'subscribe'): Promise<MediaSession> {
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIce(pc, this.deps.iceGatherTimeoutMs ?? 2000);
    const endpoint = this.base + path;
    let res: Response;
    try {
      res = await this.deps.fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${this.raw}` },
        body: pc.localDescription?.sdp ?? '',
      });
    } catch {
      throw new StageClientError('ConnectionFailed', 'The stage media server is not reachable.', action);
    }
    const text = await res.text();
    if (res.status !== 201) throw refusal(res.status, text, action);
    await pc.setRemoteDescription({ type: 'answer', sdp: text });
    const location = new URL(res.headers.get('Location') ?? '', endpoint).toString();
    return { pc, location };
  }

  private async deleteSession(s: MediaSession) {
    s.pc.close();
    if (this.serverEnded) return;
    try {
      await this.deps.fetch(s.location, { method: 'DELETE', headers: { Authorization: `Bearer ${this.raw}` } });
    } catch {
      // The SFU also ends a session whose peer connection closed.
    }
  }
}

function preferH264(tr: RTCRtpTransceiver) {
  // IVS requires H.264; the SFU forwards without transcoding, so every
  // browser on the stage can decode what everyone sends.
  const caps = typeof RTCRtpSender !== 'undefined' ? RTCRtpSender.getCapabilities?.('video') : null;
  if (!caps || typeof tr.setCodecPreferences !== 'function') return;
  const h264 = caps.codecs.filter((c) => c.mimeType.toLowerCase() === 'video/h264');
  const rest = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== 'video/h264');
  try {
    tr.setCodecPreferences([...h264, ...rest]);
  } catch {
    // Keep the browser's order.
  }
}

function waitForIce(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    // Host candidates come at once; do not wait for slow interfaces.
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function refusal(status: number, body: string, action: 'publish' | 'subscribe'): StageClientError {
  let code: StageErrorCode = 'Unknown';
  let message = `The stage media server answered ${status}.`;
  try {
    const b = JSON.parse(body) as { code?: string; message?: string };
    if (b.code && (knownCodes as string[]).includes(b.code)) code = b.code as StageErrorCode;
    if (b.message) message = b.message;
  } catch {
    // not JSON
  }
  return new StageClientError(code, message, action);
}

function asStageError(e: unknown, action: 'join' | 'publish' | 'subscribe'): StageClientError {
  if (e instanceof StageClientError) return e;
  return new StageClientError('ConnectionFailed', e instanceof Error ? e.message : String(e), action);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
