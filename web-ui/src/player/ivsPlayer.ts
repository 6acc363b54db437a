// The cloud player: Amazon IVS's web player SDK (from npm, with its wasm
// worker served as hashed assets). Overlays come from TEXT_METADATA_CUE.

import {
  create, isPlayerSupported, PlayerEventType, PlayerState as IvsState,
  type MediaPlayer, type Quality as IvsQuality, type TextMetadataCue,
} from 'amazon-ivs-player';
import wasmBinary from 'amazon-ivs-player/dist/assets/amazon-ivs-wasmworker.min.wasm?url';
import wasmWorker from 'amazon-ivs-player/dist/assets/amazon-ivs-wasmworker.min.js?url';
import { METADATA_OWNER } from './overlayDecoder';
import { Emitter, type Player, type PlayerState, type Quality } from './types';

const toQuality = (q: IvsQuality): Quality => ({ id: q.name, name: q.name, height: q.height, bitrate: q.bitrate });

const states: Record<string, PlayerState> = {
  [IvsState.IDLE]: 'paused',
  [IvsState.READY]: 'loading',
  [IvsState.BUFFERING]: 'buffering',
  [IvsState.PLAYING]: 'playing',
  [IvsState.ENDED]: 'ended',
};

export class IvsPlayer extends Emitter implements Player {
  private readonly player: MediaPlayer;
  private readonly video: HTMLVideoElement;

  constructor(video: HTMLVideoElement) {
    super();
    if (!isPlayerSupported) throw new Error('This browser cannot play IVS streams.');
    this.video = video;
    this.player = create({ wasmWorker, wasmBinary });
    this.player.attachHTMLVideoElement(video);
    const p = this.player;
    for (const [ivs, ours] of Object.entries(states)) {
      p.addEventListener(ivs as IvsState, () => this.emit('state', ours));
    }
    p.addEventListener(PlayerEventType.TEXT_METADATA_CUE, (cue: TextMetadataCue) => {
      // In-band (RTMP) metadata has another owner; PutMetadata's is ours.
      if (cue.owner && cue.owner !== METADATA_OWNER) return;
      this.emit('metadata', cue.text);
    });
    p.addEventListener(PlayerEventType.AUDIO_BLOCKED, () => {
      p.setMuted(true);
      p.play();
      this.emit('audioBlocked', undefined);
    });
    p.addEventListener(PlayerEventType.PLAYBACK_BLOCKED, () => this.emit('state', 'paused'));
    p.addEventListener(PlayerEventType.QUALITY_CHANGED, (q: IvsQuality) => {
      this.emit('quality', toQuality(q));
      this.emit('qualities', p.getQualities().map(toQuality));
      if (q.width && q.height) this.emit('size', { width: q.width, height: q.height });
    });
    p.addEventListener(PlayerEventType.ERROR, (err: { message?: string; type?: string }) => {
      this.emit('state', 'error');
      this.emit('error', err?.message ?? err?.type ?? 'Playback error');
    });
    video.addEventListener('loadedmetadata', () => {
      if (video.videoWidth && video.videoHeight) this.emit('size', { width: video.videoWidth, height: video.videoHeight });
    });
  }

  load(url: string) {
    this.emit('state', 'loading');
    this.player.setAutoplay(true);
    this.player.load(url);
  }
  async play() { this.player.play(); }
  pause() { this.player.pause(); }
  setMuted(m: boolean) { this.player.setMuted(m); }
  isMuted() { return this.player.isMuted(); }
  setVolume(v: number) { this.player.setVolume(Math.min(1, Math.max(0, v))); }
  getVolume() { return this.player.getVolume(); }
  getQualities() { return this.player.getQualities().map(toQuality); }
  setQuality(id: string | null) {
    if (id === null) {
      this.player.setAutoQualityMode(true);
      return;
    }
    const q = this.player.getQualities().find((x) => x.name === id);
    if (q) this.player.setQuality(q, false);
  }
  isAutoQuality() { return this.player.isAutoQualityMode(); }
  getPosition() { return this.player.getPosition(); }
  destroy() {
    this.player.delete();
    this.video.removeAttribute('src');
    this.clear();
  }
}
