// The offline player: hls.js on a <video>. Overlays come from the ID3 tags
// hls.js extracts (MPEG-TS ID3 stream or fMP4 emsg), emitted when playback
// reaches their timestamp, so every viewer sees them with the same frame.

import Hls, { type ErrorData, type FragParsingMetadataData, type Level } from 'hls.js';
import { bufferedEndAt, catchUpPosition } from './liveCatchUp';
import { id3PayloadTexts } from './overlayDecoder';
import { Emitter, qualityName, type Player, type PlayerState, type Quality } from './types';

const toQuality = (l: Level, i: number): Quality => ({ id: String(i), name: qualityName(l.height, l.frameRate), height: l.height, bitrate: l.bitrate });

export class HlsPlayer extends Emitter implements Player {
  private readonly video: HTMLVideoElement;
  private hls: Hls | null = null;
  private state: PlayerState = 'idle';
  private pending: { pts: number; text: string }[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastJump = 0;
  private lastStall = 0;
  private readonly off: (() => void)[] = [];

  constructor(video: HTMLVideoElement) {
    super();
    this.video = video;
    const listen = (ev: string, fn: () => void) => {
      video.addEventListener(ev, fn);
      this.off.push(() => video.removeEventListener(ev, fn));
    };
    listen('playing', () => this.setState('playing'));
    listen('pause', () => this.state !== 'ended' && this.setState('paused'));
    listen('waiting', () => {
      this.lastStall = performance.now();
      this.setState('buffering');
    });
    listen('ended', () => this.setState('ended'));
    listen('timeupdate', () => this.flushMetadata());
    listen('loadedmetadata', () => {
      if (video.videoWidth && video.videoHeight) this.emit('size', { width: video.videoWidth, height: video.videoHeight });
    });
    listen('resize', () => {
      if (video.videoWidth && video.videoHeight) this.emit('size', { width: video.videoWidth, height: video.videoHeight });
    });
  }

  private setState(s: PlayerState) {
    if (s === this.state) return;
    this.state = s;
    this.emit('state', s);
  }

  load(url: string): void {
    this.hls?.destroy();
    this.pending = [];
    this.setState('loading');
    if (!Hls.isSupported()) {
      // Safari plays HLS natively (no overlay metadata on this path).
      this.video.src = url;
      void this.play();
      return;
    }
    const hls = new Hls({
      lowLatencyMode: true,
      // Catch up smoothly (up to 1.5× speed) when more than a second is
      // buffered behind the target; liveCatchUp.ts jumps when that is not enough.
      maxLiveSyncPlaybackRate: 1.5,
      // hls.js raises its target latency after every stall and never lowers
      // it again; by default by 1 s, so one stall at start-up kept a viewer
      // 1.8 s behind the browser broadcast instead of 0.8 s for the whole
      // session (docs/performance.md). A quarter second per stall still gives
      // a viewer whose network keeps stalling a growing buffer (up to one
      // target duration, hls.js's cap).
      liveSyncOnStallIncrease: 0.25,
      backBufferLength: 30,
      // Overlays are read from FRAG_PARSING_METADATA (parseId3), not from
      // hls.js's own metadata text track, whose <track src="data:,WEBVTT">
      // the app's CSP (media-src without data:) refuses.
      enableID3MetadataCues: false,
      enableEmsgMetadataCues: false,
    });
    this.hls = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, (_e, d) => {
      this.emit('qualities', d.levels.map(toQuality));
      void this.play();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => {
      const l = hls.levels[d.level];
      this.emit('quality', l ? toQuality(l, d.level) : null);
    });
    hls.on(Hls.Events.FRAG_PARSING_METADATA, (_e, d: FragParsingMetadataData) => {
      for (const s of d.samples) {
        for (const text of id3PayloadTexts(s.data)) this.pending.push({ pts: s.pts, text });
      }
      this.pending.sort((a, b) => a.pts - b.pts);
      this.flushMetadata();
    });
    hls.on(Hls.Events.ERROR, (_e, d: ErrorData) => {
      if (!d.fatal) return;
      if (d.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      if (d.type === Hls.ErrorTypes.NETWORK_ERROR && this.state !== 'idle') {
        // The stream may not have its first segments yet, or it ended; retry a little later.
        setTimeout(() => this.hls === hls && hls.startLoad(), 2000);
        this.setState('buffering');
        return;
      }
      this.setState('error');
      this.emit('error', d.details);
    });
    hls.loadSource(url);
    hls.attachMedia(this.video);
    this.timer = setInterval(() => {
      this.flushMetadata();
      this.catchUp(hls);
    }, 250);
  }

  /** Brings a viewer who fell behind the live target back to it (liveCatchUp.ts). */
  private catchUp(hls: Hls) {
    const v = this.video;
    const to = catchUpPosition({
      live: !!hls.latestLevelDetails?.live,
      paused: v.paused || this.state !== 'playing',
      latency: hls.latency,
      target: hls.targetLatency,
      syncPosition: hls.liveSyncPosition,
      currentTime: v.currentTime,
      bufferedEnd: bufferedEndAt(v.buffered, v.currentTime),
      sinceLastJump: performance.now() - this.lastJump,
      sinceLastStall: performance.now() - this.lastStall,
    });
    if (to === null) return;
    this.lastJump = performance.now();
    v.currentTime = to;
  }

  private flushMetadata() {
    const t = this.video.currentTime;
    while (this.pending.length && this.pending[0].pts <= t + 0.1) {
      this.emit('metadata', this.pending.shift()!.text);
    }
  }

  async play(): Promise<void> {
    try {
      await this.video.play();
    } catch (e) {
      if (e instanceof DOMException && e.name === 'NotAllowedError' && !this.video.muted) {
        // Autoplay with sound is blocked until the viewer interacts: play muted.
        this.video.muted = true;
        this.emit('audioBlocked', undefined);
        try {
          await this.video.play();
        } catch {
          this.setState('paused');
        }
      }
    }
  }

  pause() { this.video.pause(); }
  setMuted(m: boolean) { this.video.muted = m; }
  isMuted() { return this.video.muted; }
  setVolume(v: number) { this.video.volume = Math.min(1, Math.max(0, v)); }
  getVolume() { return this.video.volume; }
  getQualities() { return this.hls ? this.hls.levels.map(toQuality) : []; }
  setQuality(id: string | null) {
    if (!this.hls) return;
    this.hls.currentLevel = id === null ? -1 : Number(id);
  }
  isAutoQuality() { return !this.hls || this.hls.autoLevelEnabled; }
  getPosition() { return this.video.currentTime; }

  destroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.hls?.destroy();
    this.hls = null;
    this.off.forEach((f) => f());
    this.video.removeAttribute('src');
    this.video.load();
    this.clear();
  }
}
