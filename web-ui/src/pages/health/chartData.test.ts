import { describe, expect, it } from 'vitest';
import { align, canSlide, lastValue, mbps, toMbps, toPoints, zoomWindow } from './chartData';

describe('chart data shaping', () => {
  it('turns a series into timestamped points, gaps as null', () => {
    const p = toPoints({ alignedStartTime: '2026-12-04T10:00:00Z', period: 5, label: 'IngestVideoBitrate', data: [1.5, NaN, 2], statistics: { average: 1.75 } });
    const t0 = Date.parse('2026-12-04T10:00:00Z') / 1000;
    expect(p).toEqual({ x: [t0, t0 + 5, t0 + 10], y: [1.5, null, 2] });
    expect(lastValue(p)).toBe(2);
    expect(toPoints(undefined)).toEqual({ x: [], y: [] });
  });
  it('aligns two series on the union of their times', () => {
    expect(align({ x: [0, 5, 10], y: [1, 2, 3] }, { x: [5, 10, 15], y: [30, 29, 28] })).toEqual([
      [0, 5, 10, 15], [1, 2, 3, null], [null, 30, 29, 28],
    ]);
  });
  it('zooms to a window ending at the slider position', () => {
    expect(zoomWindow(0, 7200, 0)).toEqual([0, 7200]); // All
    expect(zoomWindow(0, 7200, 3600)).toEqual([3600, 7200]); // latest hour
    expect(zoomWindow(0, 7200, 3600, 0)).toEqual([0, 3600]);
    expect(zoomWindow(0, 7200, 1800, 0.5)).toEqual([2700, 4500]);
    expect(zoomWindow(0, 600, 1800)).toEqual([0, 600]); // wider than the data
    expect(canSlide(0, 600, 1800)).toBe(false);
    expect(canSlide(0, 7200, 300)).toBe(true);
  });
  it('reads the bitrate in Mbps whether the source sent Mbps or bps', () => {
    expect(mbps(2.5)).toBe(2.5);
    expect(mbps(3_500_000)).toBe(3.5);
    expect(mbps(undefined)).toBeUndefined();
    expect(toMbps({ x: [0, 5], y: [1_500_000, null] })).toEqual({ x: [0, 5], y: [1.5, null] });
  });
});
