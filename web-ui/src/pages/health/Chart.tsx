// One uPlot area chart of a metric over the session. Charts sharing a
// `syncKey` move their hover cursor together; `window` is the visible time
// range (the zoom buttons and slider), applied without rebuilding the chart.

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartProps {
  title: string;
  unit: string;
  data: uPlot.AlignedData;
  color: string;
  syncKey: string;
  window?: [number, number];
  height?: number;
  format?: (v: number) => string;
}

/**
 * Records on the chart's box how many values uPlot itself holds for the
 * series (not the time axis): `data-values`, what the end-to-end tests read
 * to tell a chart with data from an empty canvas.
 */
function markPlotted(el: HTMLElement, u: uPlot) {
  const ys = (u.data[1] ?? []) as ArrayLike<number | null | undefined>;
  let n = 0;
  for (let i = 0; i < ys.length; i++) if (ys[i] != null) n++;
  el.dataset.values = String(n);
}

function cssVar(name: string, fallback: string) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function Chart({ title, unit, data, color, syncKey, window: win, height = 200, format = (v) => v.toFixed(2) }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const winRef = useRef(win);
  winRef.current = win;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--text-muted', '#666');
    const grid = cssVar('--border', '#ddd');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { sync: { key: syncKey }, drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.15 : 1] } },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, values: (_u, vals) => vals.map((v) => (v == null ? '' : `${+v.toFixed(2)}`)) },
      ],
      series: [
        { value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleTimeString()) },
        {
          label: `${title} (${unit})`,
          stroke: color,
          width: 2,
          fill: `${color}33`,
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => (v == null ? '—' : `${format(v)} ${unit}`),
        },
      ],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    markPlotted(el, u);
    if (winRef.current) u.setScale('x', { min: winRef.current[0], max: winRef.current[1] });
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when what it shows changes; data and window update in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title, unit, color, syncKey, height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data, !winRef.current);
    if (box.current) markPlotted(box.current, u);
    if (winRef.current) u.setScale('x', { min: winRef.current[0], max: winRef.current[1] });
  }, [data]);

  useEffect(() => {
    const u = plot.current;
    if (!u || !win) return;
    u.setScale('x', { min: win[0], max: win[1] });
  }, [win]);

  const points = data[0].length;
  return (
    <figure className="chart" aria-label={`${title} chart`}>
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} className="chart-box" data-points={points} />
      {points === 0 && <p className="chart-empty muted small">No data yet</p>}
    </figure>
  );
}
