// Glass-to-glass latency of the offline media plane (make bench-latency;
// not part of make test). Each source shows the wall-clock time at which a
// frame was made as a row of 44 black and white blocks (milliseconds since
// the epoch, bit i in block i) plus a human-readable clock; the viewer is the
// web app's channel page (its hls.js player and configuration, unchanged),
// where at every rendered frame (requestVideoFrameCallback) the frame is
// drawn to a canvas, the blocks are read back and subtracted from the time
// the frame is displayed. Source and viewer run on this machine, one clock.
//
//   RTMP → LL-HLS:    frames generated here, piped into ffmpeg (libx264
//                     veryfast zerolatency, 1 s keyframes, 720p30, 2.5 Mbps)
//                     which publishes to the RTMP ingest, as make stream does;
//   browser → LL-HLS: the stream manager goes live with the official web
//                     broadcast SDK; its "camera" is a canvas showing the
//                     blocks, drawn from Date.now().
//
// Results: e2e/artifacts/latency.json and screenshots of the playing page
// with the burned-in clock next to a page clock (latency-*.png).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { accessToken, api, expect, goLiveFromBrowser, registerAndSignIn, stack, test, uniqueName } from './stack';

const SECONDS = Number(process.env.LATENCY_SECONDS ?? 30);
const WARMUP_MS = 5_000;
const artifacts = resolve(import.meta.dirname, 'artifacts');

/** The block pattern, shared by every drawer and the reader (passed into pages as data). */
const PATTERN = { bits: 44, cols: 22, blocksPerWidth: 32 };
type Pattern = typeof PATTERN;

interface Result {
  path: string; samples: number; p50: number; p95: number; min: number; max: number; unreadable: number; frames: number; size: string;
  /** ms of media the player had buffered ahead of the playhead (median): its share of the latency. */
  bufferedAheadP50: number;
  /** The player waited for data (stalls), or moved its playhead (seeks: catch-up jumps, hls.js's gap skips). */
  stalls: number;
  jumps: number;
  at: string;
  /** 1, 5 and 15 min load averages at the start and end of the measurement. */
  load: string;
}
test.describe.configure({ timeout: 300_000 });

/** Adds a path's result to e2e/artifacts/latency.json (each test on its own: a failed one does not lose the others). */
function record(r: Result) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, 'latency.json');
  let all: Result[] = [];
  try {
    all = (JSON.parse(readFileSync(file, 'utf8')) as { results: Result[] }).results.filter((x) => x.path !== r.path);
  } catch {
    // first result
  }
  all.push(r);
  writeFileSync(file, JSON.stringify({ seconds: SECONDS, results: all }, null, 2));
  console.log(`glass-to-glass ${r.path}: p50 ${r.p50} ms, p95 ${r.p95} ms (min ${r.min}, max ${r.max}; ${r.samples} frames read, ${r.unreadable} unreadable, ${r.size}; ` +
    `player buffer ahead p50 ${r.bufferedAheadP50} ms, ${r.stalls} stalls, ${r.jumps} seeks; load average ${r.load})`);
}

const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * Starts measuring on the channel page's <video>: returns once it plays.
 * Samples are collected in the page (window.__latency) until collect().
 */
async function watch(page: Page, channel: string) {
  await page.goto(`${stack.web}/${channel}`);
  await expect(page.getByText('Stream offline')).toBeHidden({ timeout: 30_000 });
  const video = page.getByTestId('video');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(0.5);
  await video.evaluate((v: HTMLVideoElement, p: Pattern) => {
    const state = { samples: [] as number[], ahead: [] as number[], unreadable: 0, frames: 0, size: '', stalls: 0, jumps: 0 };
    v.addEventListener('waiting', () => state.stalls++);
    v.addEventListener('seeking', () => state.jumps++);
    (window as unknown as { __latency: typeof state }).__latency = state;
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      v.requestVideoFrameCallback(onFrame);
      const W = v.videoWidth, H = v.videoHeight;
      if (!W || !H) return;
      state.frames++;
      state.size = `${W}x${H}`;
      // Block size and places relative to the frame's width, so any scaling
      // on the way (the SDK composes at its own size) keeps them readable.
      const s = W / p.blocksPerWidth;
      const top = Math.round(H / 2);
      const band = Math.ceil(Math.ceil(p.bits / p.cols) * s);
      if (canvas.width !== W) { canvas.width = W; canvas.height = band; }
      g.drawImage(v, 0, top, W, band, 0, 0, W, band);
      const px = g.getImageData(0, 0, W, band).data;
      let value = 0;
      for (let i = 0; i < p.bits; i++) {
        const cx = Math.round(s * (1.5 + (i % p.cols))), cy = Math.round(s * (0.5 + Math.floor(i / p.cols)));
        let sum = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) sum += px[((cy + dy) * W + cx + dx) * 4];
        const luma = sum / 25;
        if (luma > 64 && luma < 192) { state.unreadable++; return; } // a block between black and white: not our pattern (yet)
        if (luma >= 192) value += 2 ** i;
      }
      const shown = performance.timeOrigin + meta.expectedDisplayTime;
      state.samples.push(shown - value);
      // What of it the player holds: media buffered ahead of the playhead.
      const b = v.buffered;
      if (b.length) state.ahead.push(b.end(b.length - 1) - v.currentTime);
    };
    v.requestVideoFrameCallback(onFrame);
  }, PATTERN);
}

/** Warm-up, then SECONDS of samples; a screenshot with a page clock beside the video. */
async function collect(page: Page, path: string, shot: string): Promise<Result> {
  await page.waitForTimeout(WARMUP_MS); // hls.js settles on its live edge (and the first keyframe)
  await page.evaluate(() => {
    const st = (window as unknown as { __latency: { samples: number[]; ahead: number[]; unreadable: number; stalls: number; jumps: number } }).__latency;
    st.samples.length = 0;
    st.ahead.length = 0;
    st.unreadable = 0;
    st.stalls = 0;
    st.jumps = 0;
  });
  const loadBefore = loadNow();
  const end = Date.now() + SECONDS * 1000;
  // The page clock, beside the player, for the screenshot.
  await page.evaluate(() => {
    const el = document.createElement('div');
    el.id = 'page-clock';
    el.style.cssText = 'position:fixed;right:12px;top:64px;z-index:9999;font:700 40px DejaVu Sans Mono,monospace;color:#fff;background:#c00;padding:6px 12px';
    document.body.append(el);
    const tick = () => { el.textContent = `page ${new Date().toISOString().slice(11, 23)}`; requestAnimationFrame(tick); };
    tick();
  });
  await page.waitForTimeout(SECONDS * 500);
  mkdirSync(join(artifacts, 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(artifacts, 'screenshots', `${shot}.png`) });
  await page.waitForTimeout(Math.max(0, end - Date.now()));
  const st = await page.evaluate(() => (window as unknown as { __latency: { samples: number[]; ahead: number[]; unreadable: number; frames: number; size: string; stalls: number; jumps: number } }).__latency);
  const ahead = [...st.ahead].sort((a, b) => a - b);
  const s = st.samples.filter((d) => d > -100 && d < 30_000).sort((a, b) => a - b);
  const q = (f: number) => Math.round(s[Math.min(s.length - 1, Math.floor(f * s.length))]);
  const r: Result = { path, samples: s.length, p50: q(0.5), p95: q(0.95), min: Math.round(s[0]), max: Math.round(s.at(-1)!), unreadable: st.unreadable, frames: st.frames, size: st.size, bufferedAheadP50: Math.round(1000 * (ahead[ahead.length >> 1] ?? NaN)), stalls: st.stalls, jumps: st.jumps,
    at: new Date().toISOString(), load: `${loadBefore} → ${loadNow()}` };
  record(r);
  // The measurement read the clock (a loaded machine renders few frames; none means it is broken).
  expect(s.length, `frames whose clock was read (${st.unreadable} unreadable)`).toBeGreaterThanOrEqual(20);
  return r;
}

async function streamer(browser: Browser, prefix: string) {
  const ctx = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await ctx.newPage();
  const name = uniqueName(prefix);
  await registerAndSignIn(page, name, `${name}@example.com`);
  return { ctx, page, name };
}

/**
 * The RTMP encoder: 1280×720 grey frames with the block pattern of the
 * moment each is written, 30 a second on the wall clock, into ffmpeg.
 * ffmpeg adds the human-readable clock (the frame's time, from its pts).
 */
function rtmpSource(url: string, w = 1280, h = 720, fps = 30): { proc: ChildProcess; stop: () => void } {
  const t0 = Date.now();
  const font = ['/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'].find(existsSync);
  const offset = ((t0 % 86_400_000) / 1000).toFixed(3);
  const text = font ? `,drawtext=fontfile=${font}:text='%{pts\\:hms\\:${offset}}':x=40:y=40:fontsize=64:fontcolor=white:box=1:boxcolor=black:boxborderw=12` : '';
  const proc = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${w}x${h}`, '-framerate', String(fps), '-i', 'pipe:0',
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-vf', `format=yuv420p${text}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(fps), '-keyint_min', String(fps),
    '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '2500k',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-f', 'flv', url,
  ], { stdio: ['pipe', 'ignore', 'inherit'] });
  const frame = Buffer.alloc(w * h, 128);
  const s = w / PATTERN.blocksPerWidth, top = Math.round(h / 2);
  let n = 0, stopped = false, timer: NodeJS.Timeout | undefined;
  const draw = (ms: number) => {
    for (let i = 0; i < PATTERN.bits; i++) {
      const v = Math.floor(ms / 2 ** i) % 2 ? 255 : 0;
      const col = 1 + (i % PATTERN.cols), row = Math.floor(i / PATTERN.cols);
      const x0 = Math.round(col * s), x1 = Math.round((col + 1) * s);
      for (let y = top + Math.round(row * s); y < top + Math.round((row + 1) * s); y++) frame.fill(v, y * w + x0, y * w + x1);
    }
  };
  const next = () => {
    if (stopped) return;
    draw(Date.now());
    proc.stdin!.write(frame);
    n++;
    // The next frame on the wall clock's grid; a late one goes at once, none is doubled.
    timer = setTimeout(next, Math.max(0, t0 + (n * 1000) / fps - Date.now()));
  };
  proc.stdin!.on('error', () => { stopped = true; });
  next();
  return { proc, stop: () => { stopped = true; clearTimeout(timer); proc.stdin!.end(); proc.kill('SIGTERM'); } };
}

test('RTMP (ffmpeg, 1 s keyframes) → LL-HLS → hls.js on the channel page', async ({ browser }) => {
  test.skip(!stack.rtmp, 'this stack has no RTMP ingest');
  const s = await streamer(browser, 'latr');
  const me = await api<{ streamKeyValue: string }>(await accessToken(s.page), 'GET', '/channel');
  expect(me.status).toBe(200);
  const src = rtmpSource(`${stack.rtmp}/${me.body.streamKeyValue}`);
  try {
    const viewer = await (await browser.newContext()).newPage();
    await watch(viewer, s.name);
    const r = await collect(viewer, 'RTMP → LL-HLS', 'latency-rtmp');
    test.info().annotations.push({ type: 'latency', description: `p50 ${r.p50} ms, p95 ${r.p95} ms (target ≤ 2000 ms)` });
    await viewer.context().close();
  } finally {
    src.stop();
    await s.ctx.close();
  }
});

test('browser (web broadcast SDK, WebRTC) → LL-HLS → hls.js on the channel page', async ({ browser }) => {
  const s = await streamer(browser, 'latb');
  // The SDK's camera is a canvas that shows the time it is drawn (blocks and
  // text); the microphone stays Chromium's fake device.
  await s.ctx.addInitScript((p: Pattern) => {
    const md = navigator.mediaDevices;
    const original = md.getUserMedia.bind(md);
    let track: MediaStreamTrack | null = null;
    const clockTrack = () => {
      if (track && track.readyState === 'live') return track.clone();
      const W = 1280, H = 720;
      const canvas = document.createElement('canvas');
      canvas.width = W; canvas.height = H;
      const g = canvas.getContext('2d')!;
      const s = W / p.blocksPerWidth, top = Math.round(H / 2);
      const draw = () => {
        const now = Date.now();
        g.fillStyle = '#808080'; g.fillRect(0, 0, W, H);
        for (let i = 0; i < p.bits; i++) {
          g.fillStyle = Math.floor(now / 2 ** i) % 2 ? '#fff' : '#000';
          g.fillRect((1 + (i % p.cols)) * s, top + Math.floor(i / p.cols) * s, s, s);
        }
        g.font = '700 64px DejaVu Sans Mono, monospace';
        g.fillStyle = '#000'; g.fillRect(28, 28, 520, 92);
        g.fillStyle = '#fff'; g.fillText(new Date(now).toISOString().slice(11, 23), 40, 98);
      };
      setInterval(draw, 1000 / 60);
      draw();
      track = canvas.captureStream(30).getVideoTracks()[0];
      return track.clone();
    };
    md.getUserMedia = async (c?: MediaStreamConstraints) => {
      const out = new MediaStream();
      if (c?.audio) (await original({ audio: c.audio })).getAudioTracks().forEach((t) => out.addTrack(t));
      if (c?.video) out.addTrack(clockTrack());
      return out;
    };
  }, PATTERN);
  await s.page.goto(`${stack.web}/manager`);
  await goLiveFromBrowser(s.page);
  try {
    const viewer = await (await browser.newContext()).newPage();
    await watch(viewer, s.name);
    const r = await collect(viewer, 'browser → LL-HLS', 'latency-browser');
    test.info().annotations.push({ type: 'latency', description: `p50 ${r.p50} ms, p95 ${r.p95} ms (target ≤ 1000 ms)` });
    await viewer.context().close();
  } finally {
    await s.ctx.close();
  }
});
