// Being on a stage, whatever the client underneath (connection.ts): join
// with a token, publish the local stream when the token allows it, keep the
// participants list, and survive what a long session meets:
//
//   - the connection drops: fetch a new token and rejoin with backoff; the
//     page (devices, mute state, volumes, chat) is not touched;
//   - the token nears expiry: tokens are checked only when joining (IVS and
//     the offline SFU alike), so the media keeps flowing; a fresh token is
//     fetched ahead of time so that the next rejoin never presents an
//     expired one;
//   - a refusal or an end (removed by the host, stage ended, stage full):
//     stop, and say why (refusals.ts).
//
// A plain class (no React) so the reconnection rules are unit-tested with
// a fake connection and fake timers; useStageSession.ts wraps it.

import type { ConnectFn, StageConnection } from './connection';
import { isPublishing, type StageParticipant } from './participants';
import { isFinal, refusalFromApi, refusalFromMedia, type Refusal } from './refusals';
import { parseStageToken, refreshDelay, type StageTokenInfo } from './token';

export type SessionStatus = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'ended';

export interface IssuedToken {
  token: string;
  info: StageTokenInfo;
}

export interface SessionState {
  status: SessionStatus;
  participants: StageParticipant[];
  refusal: Refusal | null;
  token: IssuedToken | null;
  /** Rejoin attempts since the last successful join. */
  attempt: number;
}

export interface SessionDeps {
  connect: ConnectFn;
  /** Fetches a new token from the token service; absent for a pasted token. */
  fetchToken?: () => Promise<string>;
  /** The current local stream and its state (read at every (re)join). */
  local(): { stream: MediaStream | null; audioMuted: boolean; videoStopped: boolean };
  now?: () => number;
}

export const MAX_ATTEMPTS = 8;
export const backoff = (attempt: number) => Math.min(10_000, 1000 * 2 ** Math.min(attempt, 4));

function errorCode(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

export class StageSessionController {
  state: SessionState = { status: 'idle', participants: [], refusal: null, token: null, attempt: 0 };
  private conn: StageConnection | null = null;
  private gen = 0; // bumps on every (re)join and leave: stale callbacks are ignored
  private publish = false;
  private joinedOnce = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(private deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
  }

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private set(patch: Partial<SessionState>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((fn) => fn());
  }

  get publishing(): boolean {
    const self = this.state.participants.find((p) => p.isLocal);
    return !!self && isPublishing(self);
  }

  /** Joins with `token` (or one fetched from the service); publishes when `publish` and the token allows it. */
  async join(opts: { token?: string; publish?: boolean } = {}): Promise<void> {
    this.publish = !!opts.publish;
    this.joinedOnce = false;
    clearTimeout(this.retryTimer);
    this.set({ status: 'joining', refusal: null, attempt: 0 });
    try {
      await this.connectOnce(opts.token, true);
    } catch (e) {
      this.onJoinError(e);
    }
  }

  /** Publishes now (a viewer who may publish, after the preview) or stops. */
  async setPublishing(on: boolean): Promise<void> {
    this.publish = on;
    const c = this.conn;
    const local = this.deps.local();
    if (!c) return;
    if (on && local.stream && this.state.token?.info.canPublish) await c.publish(local.stream);
    if (!on) await c.unpublish();
  }

  /** A device switch or screen share replaced a track of the published stream. */
  replaceTrack(track: MediaStreamTrack) {
    void this.conn?.replaceTrack(track).catch(() => undefined);
  }

  setLocalState(s: { audioMuted: boolean; videoStopped: boolean }) {
    this.conn?.setState(s);
  }

  leave() {
    this.stop();
    this.set({ status: 'idle', participants: [], attempt: 0 });
  }

  /** Stops everything (the page is going away). */
  dispose() {
    this.stop();
  }

  private stop() {
    this.gen++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    this.conn?.close();
    this.conn = null;
  }

  private end(r: Refusal) {
    this.stop();
    this.set({ status: 'ended', refusal: r, participants: [] });
  }

  private useToken(raw: string): IssuedToken {
    const t = { token: raw, info: parseStageToken(raw) };
    this.set({ token: t });
    this.scheduleRefresh(t);
    return t;
  }

  private scheduleRefresh(t: IssuedToken) {
    clearTimeout(this.refreshTimer);
    if (!this.deps.fetchToken) return;
    this.refreshTimer = setTimeout(() => {
      const gen = this.gen;
      this.deps.fetchToken!()
        .then((raw) => {
          if (gen === this.gen) this.useToken(raw);
        })
        .catch(() => undefined); // the next rejoin fetches again
    }, refreshDelay(t.info.expiresAt, this.now()));
  }

  /** The token for a (re)join: the given one, else a new one from the service when there is one, else the last. */
  private async tokenForJoin(given: string | undefined, first: boolean): Promise<IssuedToken> {
    if (given) return this.useToken(given);
    const last = this.state.token;
    const fresh = last && this.now() < last.info.expiresAt - 5000;
    if (this.deps.fetchToken && (!fresh || !first)) return this.useToken(await this.deps.fetchToken());
    if (last) return last;
    throw new Error('There is no token to join with.');
  }

  private async connectOnce(given: string | undefined, first: boolean): Promise<void> {
    const gen = ++this.gen;
    this.conn?.close();
    this.conn = null;
    let t: IssuedToken;
    try {
      t = await this.tokenForJoin(given, first);
    } catch (e) {
      if (gen !== this.gen) return;
      const r = refusalFromApi(e);
      if (isFinal(r)) return this.end(r);
      throw e;
    }
    if (gen !== this.gen) return;
    const c = await this.deps.connect(t.token, t.info, {
      onParticipants: (list) => {
        if (gen === this.gen) this.set({ participants: list });
      },
      onEnded: (r) => {
        if (gen === this.gen) this.end(r);
      },
      onDropped: () => {
        if (gen === this.gen) this.scheduleRejoin();
      },
    });
    if (gen !== this.gen) {
      c.close();
      return;
    }
    this.conn = c;
    const local = this.deps.local();
    c.setState({ audioMuted: local.audioMuted, videoStopped: local.videoStopped });
    if (this.publish && t.info.canPublish && local.stream) await c.publish(local.stream);
    if (gen !== this.gen) return;
    this.joinedOnce = true;
    this.set({ status: 'joined', attempt: 0 });
  }

  private scheduleRejoin() {
    this.conn?.close();
    this.conn = null;
    const gen = ++this.gen;
    const attempt = this.state.attempt + 1;
    if (attempt > MAX_ATTEMPTS) {
      this.end(refusalFromMedia(undefined, 'The connection to the stage was lost and could not be restored.'));
      return;
    }
    this.set({ status: 'reconnecting', attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (gen !== this.gen) return;
      this.connectOnce(undefined, false).catch((e) => this.onJoinError(e));
    }, backoff(attempt - 1));
  }

  // A join failure: final refusals end the session, except an expired
  // token when a new one can be fetched; anything else is retried.
  private onJoinError(e: unknown) {
    const code = errorCode(e);
    const r = code ? refusalFromMedia(code, e instanceof Error ? e.message : undefined) : refusalFromApi(e);
    if (r.kind === 'tokenExpired' && this.deps.fetchToken && this.state.attempt === 0) {
      this.scheduleRejoin();
      return;
    }
    // Without a token source (a pasted token) a join that never succeeded
    // is not retried: the same token would be refused the same way.
    if (isFinal(r) || (!this.deps.fetchToken && (r.kind !== 'error' || !this.joinedOnce))) {
      this.end(r);
      return;
    }
    this.scheduleRejoin();
  }
}
