// The web broadcast's stream configuration for the channel type (reference
// §11.7): the SDK's preset for the type with the resolution capped at 720p,
// which a laptop camera and a browser encoder sustain.

export interface StreamConfig {
  maxResolution: { width: number; height: number };
  maxFramerate: number;
  maxBitrate: number;
}

// The SDK's landscape presets (amazon-ivs-web-broadcast BASIC_LANDSCAPE,
// STANDARD_LANDSCAPE); ADVANCED channels take 3.5 Mbps at 30 fps as the reference.
const PRESETS: Record<string, StreamConfig> = {
  BASIC: { maxResolution: { width: 852, height: 480 }, maxFramerate: 30, maxBitrate: 1500 },
  STANDARD: { maxResolution: { width: 1920, height: 1080 }, maxFramerate: 30, maxBitrate: 8500 },
  ADVANCED: { maxResolution: { width: 1920, height: 1080 }, maxFramerate: 30, maxBitrate: 3500 },
};

export const MAX_WIDTH = 1280;
export const MAX_HEIGHT = 720;

export function streamConfigFor(channelType: string | undefined): StreamConfig {
  const t = (channelType ?? 'STANDARD').toUpperCase();
  const base = t.startsWith('ADVANCED') ? PRESETS.ADVANCED : (PRESETS[t] ?? PRESETS.STANDARD);
  return {
    maxResolution: { width: Math.min(base.maxResolution.width, MAX_WIDTH), height: Math.min(base.maxResolution.height, MAX_HEIGHT) },
    maxFramerate: base.maxFramerate,
    maxBitrate: base.maxBitrate,
  };
}

/** Where the camera goes while sharing the screen: a quarter-size corner, top right, 20 px in. */
export function pipComposition(canvas: { width: number; height: number }, index = 2) {
  const width = Math.round(canvas.width / 4);
  const height = Math.round(canvas.height / 4);
  return { index, x: canvas.width - width - 20, y: 20, width, height };
}

/** Bits per second between two byte counters sampled `ms` apart. */
export function bitrate(prevBytes: number, bytes: number, ms: number): number {
  if (ms <= 0 || bytes < prevBytes) return 0;
  return ((bytes - prevBytes) * 8 * 1000) / ms;
}

export function formatBitrate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbps`;
  return `${Math.round(bps / 1e3)} kbps`;
}
