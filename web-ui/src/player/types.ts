// The player the channel page uses. Two implementations: the IVS player
// (cloud; overlays from TEXT_METADATA_CUE) and hls.js (offline; overlays
// from ID3 PRIV frames owned by metadata.live-video.net). The page never
// knows which one runs (createPlayer picks from the config).

export type PlayerState = 'idle' | 'loading' | 'playing' | 'paused' | 'buffering' | 'ended' | 'error';

export interface Quality {
  /** Stable id for setQuality. */
  id: string;
  /** "1080p60", "720p" … */
  name: string;
  height: number;
  bitrate: number;
}

export interface PlayerEvents {
  state: PlayerState;
  /** A timed-metadata cue's payload text (JSON), at its playback time. */
  metadata: string;
  qualities: Quality[];
  /** Quality in use changed (auto or manual). */
  quality: Quality | null;
  /** Autoplay with sound was blocked: the player muted itself and plays. */
  audioBlocked: void;
  error: string;
  /** Intrinsic size of the video, for letterboxing. */
  size: { width: number; height: number };
}

export type Listener<K extends keyof PlayerEvents> = (v: PlayerEvents[K]) => void;

export interface Player {
  /** Starts loading url into the video element given at creation, and plays it. */
  load(url: string): void;
  play(): Promise<void>;
  pause(): void;
  setMuted(muted: boolean): void;
  isMuted(): boolean;
  /** 0–1. */
  setVolume(v: number): void;
  getVolume(): number;
  getQualities(): Quality[];
  /** null = automatic (ABR). */
  setQuality(id: string | null): void;
  isAutoQuality(): boolean;
  /** Seconds played (currentTime). */
  getPosition(): number;
  on<K extends keyof PlayerEvents>(event: K, fn: Listener<K>): () => void;
  destroy(): void;
}

export type PlayerKind = 'ivs' | 'hls';

/** Event fan-out shared by both implementations. */
export class Emitter {
  private readonly listeners = new Map<string, Set<(v: unknown) => void>>();
  on<K extends keyof PlayerEvents>(event: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (v: unknown) => void);
    return () => set!.delete(fn as (v: unknown) => void);
  }
  emit<K extends keyof PlayerEvents>(event: K, v: PlayerEvents[K]) {
    this.listeners.get(event)?.forEach((fn) => {
      try {
        fn(v);
      } catch (e) {
        console.error('player listener', e);
      }
    });
  }
  clear() {
    this.listeners.clear();
  }
}

export function qualityName(height: number, framerate?: number): string {
  if (!height) return 'Audio only';
  return framerate && framerate > 40 ? `${height}p${Math.round(framerate)}` : `${height}p`;
}
