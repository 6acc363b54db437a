// Shapes the health route's metrics for the charts: each series becomes
// (unix seconds, value) points from its aligned start and period; the zoom
// buttons and slider pick a window of the shared time axis.

import type { MetricSeries } from '../../api/types';

export const METRIC = {
  bitrate: 'IngestVideoBitrate',
  framerate: 'IngestFramerate',
  keyframe: 'KeyframeInterval',
  views: 'ConcurrentViews',
} as const;

export interface Points {
  x: number[]; // unix seconds
  y: (number | null)[];
}

export function findMetric(metrics: MetricSeries[] | undefined, label: string): MetricSeries | undefined {
  return metrics?.find((m) => m.label === label);
}

/** The points of one series; non-finite values become gaps (null). */
export function toPoints(m: MetricSeries | undefined): Points {
  if (!m || !m.data?.length) return { x: [], y: [] };
  const t0 = Date.parse(m.alignedStartTime) / 1000;
  const period = m.period > 0 ? m.period : 5;
  return {
    x: m.data.map((_, i) => t0 + i * period),
    y: m.data.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)),
  };
}

/**
 * Two series on one time axis (uPlot's AlignedData needs one x array): the
 * union of both x's, each y looked up (null where a series has no point).
 */
export function align(a: Points, b: Points): [number[], (number | null)[], (number | null)[]] {
  const xs = Array.from(new Set([...a.x, ...b.x])).sort((p, q) => p - q);
  const ma = new Map(a.x.map((x, i) => [x, a.y[i]]));
  const mb = new Map(b.x.map((x, i) => [x, b.y[i]]));
  return [xs, xs.map((x) => ma.get(x) ?? null), xs.map((x) => mb.get(x) ?? null)];
}

export const ZOOMS = [
  { label: 'All', seconds: 0 },
  { label: '1 hr', seconds: 3600 },
  { label: '30 min', seconds: 1800 },
  { label: '5 min', seconds: 300 },
] as const;
export type ZoomLabel = (typeof ZOOMS)[number]['label'];

/**
 * The visible [min, max] for a zoom of `seconds` (0 = all) over [first,
 * last], with the window's end at `position` (0 = earliest, 1 = latest).
 * A window wider than the data shows all of it.
 */
export function zoomWindow(first: number, last: number, seconds: number, position = 1): [number, number] {
  if (!(last > first) || seconds <= 0 || seconds >= last - first) return [first, last];
  const p = Math.min(1, Math.max(0, position));
  const end = first + seconds + p * (last - first - seconds);
  return [end - seconds, end];
}

/** Whether the slider means anything for this zoom (the window is narrower than the data). */
export function canSlide(first: number, last: number, seconds: number): boolean {
  return seconds > 0 && last - first > seconds;
}

export function lastValue(p: Points): number | undefined {
  for (let i = p.y.length - 1; i >= 0; i--) if (p.y[i] !== null) return p.y[i]!;
  return undefined;
}

/**
 * IngestVideoBitrate in Mbps. CloudWatch reports IVS's ingest bitrate in
 * Mbps, but some sources (the offline stack, older captures) report bits
 * per second; no stream reaches 1000 Mbps, so a larger value is bps.
 */
export function mbps(v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  return v > 1000 ? v / 1e6 : v;
}

export function toMbps(p: Points): Points {
  return { x: p.x, y: p.y.map((v) => (v === null ? null : mbps(v)!)) };
}
