// Test helpers: participant tokens and browser fakes (WebSocket,
// RTCPeerConnection, MediaStream) for the stage clients' unit tests.

const b64url = (v: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(v))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export interface TokenOpts {
  jti?: string;
  stageId?: string;
  publish?: boolean;
  subscribe?: boolean;
  exp?: number;
  attributes?: Record<string, string>;
}

/** An (unsigned-looking) participant token with IVS's claim set. */
export function makeToken(o: TokenOpts = {}): string {
  const stageId = o.stageId ?? 'AbCdEf123456';
  const caps: Record<string, boolean> = {};
  if (o.publish ?? true) caps.allow_publish = true;
  if (o.subscribe ?? true) caps.allow_subscribe = true;
  return [
    b64url({ alg: 'ES384', typ: 'JWT', kid: 'arn:aws:ivs:us-east-1:000000000000:public-key/k' }),
    b64url({
      exp: o.exp ?? Math.floor(Date.now() / 1000) + 3600,
      iat: Math.floor(Date.now() / 1000),
      jti: o.jti ?? 'me',
      user_id: 'user-me',
      resource: `arn:aws:ivs:us-east-1:000000000000:stage/${stageId}`,
      topic: stageId,
      events_url: 'wss://token-events.example',
      whip_url: 'https://token-whip.example',
      capabilities: caps,
      attributes: o.attributes ?? { username: 'me', avatar: 'bear' },
      version: '1.0',
    }),
    'c2lnbmF0dXJl',
  ].join('.');
}

export class FakeTrack {
  enabled = true;
  constructor(readonly kind: 'audio' | 'video', readonly id = `${kind}-${Math.random().toString(36).slice(2)}`) {}
}

export class FakeMediaStream {
  private tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
  getTracks() {
    return [...this.tracks];
  }
}

export class FakeSender {
  constructor(public track: FakeTrack | null) {}
  replaceTrack(t: FakeTrack | null) {
    this.track = t;
    return Promise.resolve();
  }
}

interface FakeTransceiver {
  kind: string;
  direction: string;
  sender: FakeSender;
  setCodecPreferences?: () => void;
}

export class FakePeerConnection extends EventTarget {
  static all: FakePeerConnection[] = [];
  transceivers: FakeTransceiver[] = [];
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  iceGatheringState = 'complete';
  connectionState = 'new';
  constructor() {
    super();
    FakePeerConnection.all.push(this);
  }
  addTransceiver(trackOrKind: FakeTrack | string, init: { direction: string }) {
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const tr = { kind, direction: init.direction, sender: new FakeSender(typeof trackOrKind === 'string' ? null : trackOrKind) };
    this.transceivers.push(tr);
    return tr;
  }
  getSenders() {
    return this.transceivers.filter((t) => t.direction === 'sendonly').map((t) => t.sender);
  }
  async createOffer() {
    return { type: 'offer', sdp: `offer ${this.transceivers.map((t) => `${t.kind}:${t.direction}`).join(' ')}` };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remoteDescription = d;
    for (const t of this.transceivers) {
      if (t.direction !== 'recvonly') continue;
      const ev = new Event('track') as Event & { track: FakeTrack };
      ev.track = new FakeTrack(t.kind as 'audio' | 'video');
      this.dispatchEvent(ev);
    }
  }
  setConnectionState(s: string) {
    this.connectionState = s;
    this.dispatchEvent(new Event('connectionstatechange'));
  }
  close() {
    this.connectionState = 'closed';
  }
}

export class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { reason: string; code: number }) => void) | null = null;
  constructor(readonly url: string, readonly protocols?: string | string[]) {
    FakeWebSocket.all.push(this);
  }
  /** The server sends a message (the socket opens with the first). */
  receive(msg: unknown) {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.serverClose('');
  }
  serverClose(reason: string, code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ reason, code });
  }
}

/** A wire participant as the SFU's presence socket sends it. */
export function wire(id: string, o: Partial<Record<string, unknown>> = {}) {
  return {
    participantId: id,
    userId: `user-${id}`,
    attributes: { username: id },
    capabilities: ['PUBLISH', 'SUBSCRIBE'],
    publishState: 'NOT_PUBLISHED',
    tracks: [],
    audioMuted: false,
    videoStopped: false,
    ...o,
  };
}
