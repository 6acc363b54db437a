// Smoke test of the offline stage client (src/stage/whipClient.ts) in Chromium
// against a running offline stack: a host publishes its fake camera and
// microphone, a viewer receives both and sees the host mute, the host is
// disconnected (DisconnectParticipant) and hears why, the stage is deleted and
// the viewer hears it ended. The module is bundled with Vite for the page.
//
//   node web-ui/scripts/stage-client-smoke.mjs --aws http://127.0.0.1:44566 \
//       --sfu https://127.0.0.1:44444 --page http://127.0.0.1:44000/
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const aws = arg('aws', 'http://127.0.0.1:4566');
const sfu = arg('sfu', 'https://127.0.0.1:4444');
const pageUrl = arg('page', 'http://127.0.0.1:3000/');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'stage-smoke-'));
await build({
  root, configFile: false, logLevel: 'warn',
  build: { outDir: out, emptyOutDir: true, minify: false, copyPublicDir: false,
    lib: { entry: join(root, 'src/stage/whipClient.ts'), name: 'StageLib', formats: ['iife'], fileName: () => 'whip.js' } },
});
const bundle = readFileSync(join(out, 'whip.js'));
rmSync(out, { recursive: true });
const ivs = async (op, body) => { const r = await fetch(`${aws}/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }); if (!r.ok) throw new Error(op + ' ' + r.status + ' ' + await r.text()); return r.json(); };
const { stage } = await ivs('CreateStage', { name: 'smoke' });
const host = (await ivs('CreateParticipantToken', { stageArn: stage.arn, userId: 'host', attributes: { username: 'hosty' } })).participantToken;
const viewer = (await ivs('CreateParticipantToken', { stageArn: stage.arn, userId: 'viewer', capabilities: ['SUBSCRIBE'] })).participantToken;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'] });
const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
const page = await ctx.newPage();
page.on('console', (m) => process.env.VERBOSE && console.log('page:', m.text()));
await page.route('**/whip.js', (r) => r.fulfill({ body: bundle, contentType: 'text/javascript' }));
await page.goto(pageUrl);
await page.addScriptTag({ url: '/whip.js' });
const step1 = await page.evaluate(async ({ sfu, hostTok, viewerTok, hostId }) => {
  const until = async (f, ms = 15000) => { const t = Date.now(); while (!f()) { if (Date.now() - t > ms) throw new Error('timeout'); await new Promise((r) => setTimeout(r, 50)); } };
  const log = [];
  const h = new StageLib.WhipStageClient(hostTok, sfu);
  const v = new StageLib.WhipStageClient(viewerTok, sfu);
  window.h = h; window.v = v; window.leftH = []; window.leftV = [];
  h.on('left', (x) => leftH.push(x)); v.on('left', (x) => leftV.push(x));
  h.on('error', (e) => log.push('host error ' + e.code + ' ' + e.message));
  v.on('error', (e) => log.push('viewer error ' + e.code + ' ' + e.message));
  h.on('publishState', (s) => log.push('host publishState ' + s));
  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
  await h.setLocalMedia({ video: media.getVideoTracks()[0], audio: media.getAudioTracks()[0] });
  await h.join();
  await v.join();
  const hostOf = () => v.getParticipants().find((p) => p.id === hostId);
  await until(() => hostOf()?.stream?.getTracks().length === 2);
  const el = document.createElement('video'); el.muted = true; el.autoplay = true; el.srcObject = hostOf().stream; document.body.append(el);
  await until(() => el.videoWidth > 0 && el.currentTime > 0.5);
  h.setMuted('audio', true);
  await until(() => hostOf()?.audioMuted === true, 5000);
  const hp = hostOf();
  return { log, host: { publishState: hp.publishState, attrs: hp.attributes, audioMuted: hp.audioMuted, tracks: hp.stream.getTracks().map((t) => t.kind) },
    video: `${el.videoWidth}x${el.videoHeight} playing t=${el.currentTime.toFixed(1)}`, viewerSeesItselfAs: v.getParticipants()[0] };
}, { sfu, hostTok: host.token, viewerTok: viewer.token, hostId: host.participantId });
console.log(JSON.stringify(step1, null, 1));
await ivs('DisconnectParticipant', { stageArn: stage.arn, participantId: host.participantId, reason: 'Removed by the host' });
console.log(JSON.stringify(await page.evaluate(async (hostId) => {
  const until = async (f, ms = 5000) => { const t = Date.now(); while (!f()) { if (Date.now() - t > ms) throw new Error('timeout'); await new Promise((r) => setTimeout(r, 50)); } };
  await until(() => leftH.length > 0 && !v.getParticipants().some((p) => p.id === hostId));
  return { hostLeft: leftH, viewerParticipants: v.getParticipants().map((p) => p.id) };
}, host.participantId)));
await ivs('DeleteStage', { arn: stage.arn });
console.log(JSON.stringify(await page.evaluate(async () => {
  const until = async (f, ms = 5000) => { const t = Date.now(); while (!f()) { if (Date.now() - t > ms) throw new Error('timeout'); await new Promise((r) => setTimeout(r, 50)); } };
  await until(() => leftV.length > 0);
  return { viewerLeft: leftV };
})));
await browser.close();
console.log('stage client smoke test: ok');
