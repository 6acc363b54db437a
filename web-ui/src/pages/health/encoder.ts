// The encoder configuration panel: each value IVS measured, checked against
// IVS's recommendations for the channel type (reference §8; the same limits
// as the backend's diagnoses, shared/streams/diagnoses.go).

import type { StreamSession } from '../../api/types';

export type Check = 'ok' | 'warning' | 'error';
export interface EncoderRow {
  label: string;
  value: string;
  check: Check;
  /** What to change, when the value is not recommended. */
  advice?: string;
}

// IVS reports 0 for what it could not measure (a WebRTC source has no
// declared target bitrate or frame rate): shown as unknown, not as a value.
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** The channel type's video bitrate limit in bits per second. */
export function bitrateLimit(channelType: string, height: number | undefined): number {
  if (channelType.toUpperCase() === 'BASIC') return height !== undefined && height <= 480 ? 1_500_000 : 3_500_000;
  return 8_500_000;
}

export function fmtBps(bps: number): string {
  return bps >= 1e6 ? `${+(bps / 1e6).toFixed(2)} Mbps` : `${Math.round(bps / 1e3)} Kbps`;
}

export function encoderRows(session: Pick<StreamSession, 'ingestConfiguration' | 'channel'>, keyframeAvg?: number): EncoderRow[] {
  const v = session.ingestConfiguration?.video ?? {};
  const a = session.ingestConfiguration?.audio ?? {};
  const type = session.channel?.type ?? 'STANDARD';
  const rows: EncoderRow[] = [];
  const enc = str(v.encoder);
  if (enc) rows.push({ label: 'Video encoder', value: enc, check: 'ok' });
  const codec = str(v.codec);
  if (codec) {
    const profile = [str(v.avcProfile), str(v.avcLevel) && `level ${v.avcLevel}`].filter(Boolean).join(', ');
    const h264 = codec.startsWith('avc1');
    rows.push({
      label: 'Video codec',
      value: profile ? `${codec} (${profile})` : codec,
      check: h264 ? 'ok' : 'error',
      advice: h264 ? undefined : 'IVS takes H.264 video: set the encoder to x264 or a hardware H.264 encoder.',
    });
  }
  const w = num(v.videoWidth), h = num(v.videoHeight);
  if (w && h) {
    const over = Math.max(w, h) > 1920 || w * h > 1920 * 1080;
    rows.push({
      label: 'Resolution',
      value: `${w} × ${h}`,
      check: over ? 'error' : 'ok',
      advice: over ? 'Above 1080p: set Settings → Video → Output (Scaled) Resolution to 1920×1080 or less.' : undefined,
    });
  }
  const fps = num(v.targetFramerate);
  if (fps !== undefined) {
    rows.push({
      label: 'Frame rate',
      value: `${+fps.toFixed(2)} fps`,
      check: fps > 60 ? 'error' : 'ok',
      advice: fps > 60 ? 'Above 60 fps: pick 30 or 60 in Settings → Video → Common FPS Values.' : undefined,
    });
  }
  if (keyframeAvg !== undefined) {
    rows.push({
      label: 'Keyframe interval',
      value: `${+keyframeAvg.toFixed(2)} s`,
      check: keyframeAvg > 2 ? 'warning' : 'ok',
      advice: keyframeAvg > 2 ? 'Set Settings → Output → Streaming → Keyframe Interval to 2 s (not 0/auto).' : undefined,
    });
  }
  const vbr = num(v.targetBitrate);
  if (vbr !== undefined) {
    const limit = bitrateLimit(type, h);
    rows.push({
      label: 'Target bitrate',
      value: fmtBps(vbr),
      check: vbr > limit ? 'error' : 'ok',
      advice: vbr > limit ? `Above the ${type} channel limit of ${fmtBps(limit)}: lower Settings → Output → Streaming → Bitrate (CBR).` : undefined,
    });
  }
  const acodec = str(a.codec);
  if (acodec) rows.push({ label: 'Audio codec', value: acodec, check: 'ok' });
  const rate = num(a.sampleRate);
  if (rate !== undefined) {
    const okRate = rate === 44100 || rate === 48000;
    rows.push({
      label: 'Audio sample rate',
      value: `${+(rate / 1000).toFixed(1)} kHz`,
      check: okRate ? 'ok' : 'warning',
      advice: okRate ? undefined : 'Use 44.1 or 48 kHz: Settings → Audio → Sample Rate.',
    });
  }
  const ch = num(a.channels);
  if (ch !== undefined) {
    rows.push({
      label: 'Audio channels',
      value: ch === 1 ? 'Mono (1)' : ch === 2 ? 'Stereo (2)' : String(ch),
      check: ch > 2 ? 'warning' : 'ok',
      advice: ch > 2 ? 'At most 2 channels: Settings → Audio → Channels: Stereo.' : undefined,
    });
  }
  const abr = num(a.targetBitrate);
  if (abr !== undefined) {
    rows.push({
      label: 'Target audio bitrate',
      value: fmtBps(abr),
      check: abr > 320_000 ? 'warning' : 'ok',
      advice: abr > 320_000 ? 'Above 320 Kbps: set Output → Audio Bitrate to 160 Kbps.' : undefined,
    });
  }
  return rows;
}
