import { describe, expect, it } from 'vitest';
import { bitrate, formatBitrate, pipComposition, streamConfigFor } from './streamConfig';

describe('stream configuration per channel type', () => {
  it.each([
    ['BASIC', 852, 480, 1500],
    ['STANDARD', 1280, 720, 8500],
    ['ADVANCED_HD', 1280, 720, 3500],
    [undefined, 1280, 720, 8500],
  ])('%s → %i×%i at %i kbps', (type, w, h, kbps) => {
    const c = streamConfigFor(type);
    expect(c.maxResolution).toEqual({ width: w, height: h });
    expect(c.maxBitrate).toBe(kbps);
    expect(c.maxFramerate).toBe(30);
  });
  it('puts the camera in the top-right quarter, 20 px in', () => {
    expect(pipComposition({ width: 1280, height: 720 })).toEqual({ index: 2, x: 940, y: 20, width: 320, height: 180 });
  });
  it('computes and formats the outgoing bitrate', () => {
    expect(bitrate(1000, 126_000, 1000)).toBe(1_000_000);
    expect(bitrate(5000, 100, 1000)).toBe(0);
    expect(formatBitrate(1_234_567)).toBe('1.23 Mbps');
    expect(formatBitrate(420_000)).toBe('420 kbps');
  });
});
