import { describe, expect, it } from 'vitest';
import { bitrateLimit, encoderRows } from './encoder';

describe('encoder configuration checks', () => {
  const browser = {
    channel: { type: 'STANDARD' },
    ingestConfiguration: {
      video: { codec: 'avc1.42c01f', avcProfile: 'Baseline', avcLevel: '3.1', encoder: 'webrtc', targetBitrate: 420_000, targetFramerate: 27.5, videoWidth: 852, videoHeight: 480 },
      audio: { codec: 'opus', sampleRate: 48000, channels: 2, targetBitrate: 64000 },
    },
  };
  it('passes a browser stream', () => {
    const rows = encoderRows(browser, 1);
    expect(rows.map((r) => r.label)).toEqual([
      'Video encoder', 'Video codec', 'Resolution', 'Frame rate', 'Keyframe interval', 'Target bitrate',
      'Audio codec', 'Audio sample rate', 'Audio channels', 'Target audio bitrate',
    ]);
    expect(rows.every((r) => r.check === 'ok')).toBe(true);
    expect(rows.find((r) => r.label === 'Resolution')?.value).toBe('852 × 480');
  });
  it('flags what IVS does not recommend', () => {
    const bad = {
      channel: { type: 'BASIC' },
      ingestConfiguration: {
        video: { codec: 'avc1.640033', targetBitrate: 6_000_000, targetFramerate: 120, videoWidth: 2560, videoHeight: 1440 },
        audio: { sampleRate: 32000, channels: 6, targetBitrate: 384_000 },
      },
    };
    const by = Object.fromEntries(encoderRows(bad, 5).map((r) => [r.label, r.check]));
    expect(by).toEqual({
      'Video codec': 'ok', Resolution: 'error', 'Frame rate': 'error', 'Keyframe interval': 'warning', 'Target bitrate': 'error',
      'Audio sample rate': 'warning', 'Audio channels': 'warning', 'Target audio bitrate': 'warning',
    });
  });
  it('uses the channel type limits', () => {
    expect(bitrateLimit('BASIC', 480)).toBe(1_500_000);
    expect(bitrateLimit('BASIC', 720)).toBe(3_500_000);
    expect(bitrateLimit('STANDARD', 1080)).toBe(8_500_000);
  });
  it('leaves out what IVS reports as 0 (not measured)', () => {
    const rows = encoderRows({ channel: { type: 'BASIC' }, ingestConfiguration: { video: { codec: 'avc1.42C00D', targetBitrate: 0, targetFramerate: 0, videoWidth: 284, videoHeight: 160 }, audio: { codec: 'opus', targetBitrate: 0 } } });
    expect(rows.map((r) => r.label)).toEqual(['Video codec', 'Resolution', 'Audio codec']);
  });
  it('shows nothing without a configuration', () => {
    expect(encoderRows({ channel: { type: 'STANDARD' } })).toEqual([]);
  });
});
