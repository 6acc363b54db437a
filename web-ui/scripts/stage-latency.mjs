// Publish-to-render latency of the offline SFU in Chromium (docs/performance.md).
//
// One page publishes a 640×360 canvas at 30 fps over WHIP; the canvas shows the
// time it was drawn as a row of black and white blocks. The same page receives
// it back over WHEP into a <video> and, at every rendered frame
// (requestVideoFrameCallback), reads the blocks and subtracts the drawn time from
// the frame's expected display time: encoder, SFU, jitter buffer, decoder and
// compositor included, on one clock. A second publisher and subscriber pair can
// run alongside (-pairs N) for load.
//
//   node web-ui/scripts/stage-latency.mjs --aws http://127.0.0.1:44566 --sfu https://127.0.0.1:44444 \
//       --page http://127.0.0.1:44000/ [--seconds 20] [--pairs 1]
import { chromium } from '@playwright/test';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const aws = arg('aws', 'http://127.0.0.1:4566');
const sfu = arg('sfu', 'https://127.0.0.1:4444');
const pageUrl = arg('page', 'http://127.0.0.1:3000/');
const seconds = Number(arg('seconds', '20'));
const pairs = Number(arg('pairs', '1'));

async function ivs(op, body) {
  const res = await fetch(`${aws}/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${op}: ${res.status} ${await res.text()}`);
  return res.json();
}

const { stage } = await ivs('CreateStage', { name: 'latency' });
const stageId = stage.arn.slice(stage.arn.lastIndexOf('/') + 1);
const tokens = [];
for (let i = 0; i < pairs; i++) {
  const pub = (await ivs('CreateParticipantToken', { stageArn: stage.arn, userId: `pub${i}`, capabilities: ['PUBLISH'] })).participantToken;
  const sub = (await ivs('CreateParticipantToken', { stageArn: stage.arn, userId: `sub${i}`, capabilities: ['SUBSCRIBE'] })).participantToken;
  tokens.push({ pub: pub.token, pubId: pub.participantId, sub: sub.token });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--ignore-certificate-errors', '--autoplay-policy=no-user-gesture-required'],
});
try {
  // The local CA is not trusted by this browser profile.
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  page.on('console', (m) => process.env.VERBOSE && console.log('page:', m.text()));
  page.on('requestfailed', (r) => console.error('request failed:', r.method(), r.url(), r.failure()?.errorText));
  await page.goto(pageUrl);
  const result = await page.evaluate(
    async ({ sfu, stageId, tokens, seconds }) => {
      const BITS = 44, BLOCK = 16, W = 640, H = 360;
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      async function exchange(pc, url, token) {
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise((r) => {
          if (pc.iceGatheringState === 'complete') return r();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
          setTimeout(r, 2000);
        });
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` }, body: pc.localDescription.sdp });
        const text = await res.text();
        if (res.status !== 201) throw new Error(`${res.status} ${text}`);
        await pc.setRemoteDescription({ type: 'answer', sdp: text });
      }
      const samples = [];
      let frames = 0;
      const pcs = [];
      for (const t of tokens) {
        // Publisher: a canvas that shows its drawing time as blocks.
        const canvas = document.createElement('canvas');
        canvas.width = W; canvas.height = H;
        const g = canvas.getContext('2d');
        const draw = () => {
          const now = Math.round(performance.timeOrigin + performance.now());
          g.fillStyle = '#808080'; g.fillRect(0, 0, W, H);
          for (let i = 0; i < BITS; i++) {
            g.fillStyle = Math.floor(now / 2 ** i) % 2 ? '#fff' : '#000';
            g.fillRect((i % 20) * 32, Math.floor(i / 20) * 32 + 100, BLOCK * 2, BLOCK * 2);
          }
        };
        setInterval(draw, 1000 / 60);
        draw();
        const stream = canvas.captureStream(30);
        const pub = new RTCPeerConnection();
        pcs.push(pub);
        const tr = pub.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly' });
        const caps = RTCRtpSender.getCapabilities('video');
        tr.setCodecPreferences([...caps.codecs.filter((c) => c.mimeType === 'video/H264'), ...caps.codecs.filter((c) => c.mimeType !== 'video/H264')]);
        await exchange(pub, `${sfu}/stages/${stageId}/whip`, t.pub);

        // Subscriber: the same stream back through the SFU.
        const sub = new RTCPeerConnection();
        pcs.push(sub);
        sub.addTransceiver('video', { direction: 'recvonly' });
        const video = document.createElement('video');
        video.muted = true; video.autoplay = true; video.playsInline = true;
        document.body.append(video);
        sub.ontrack = (ev) => { video.srcObject = new MediaStream([ev.track]); };
        for (let attempt = 0; ; attempt++) {
          try { await exchange(sub, `${sfu}/stages/${stageId}/whep/${t.pubId}`, t.sub); break; } catch (e) {
            if (attempt > 20) throw e;
            await sleep(250); // until the publisher's media flows
          }
        }
        const read = document.createElement('canvas');
        read.width = W; read.height = H;
        const rg = read.getContext('2d', { willReadFrequently: true });
        const onFrame = (_now, meta) => {
          rg.drawImage(video, 0, 0, W, H);
          const px = rg.getImageData(0, 0, W, H).data;
          let v = 0;
          for (let i = 0; i < BITS; i++) {
            const x = (i % 20) * 32 + BLOCK, y = Math.floor(i / 20) * 32 + 100 + BLOCK;
            if (px[(y * W + x) * 4] > 128) v += 2 ** i;
          }
          const shown = performance.timeOrigin + (meta.expectedDisplayTime ?? performance.now());
          const d = shown - v;
          frames++;
          if (frames % 30 === 1) console.log(`frame ${frames}: drawn ${v}, shown ${Math.round(shown)}, latency ${Math.round(d)} ms`);
          if (d > -50 && d < 10000) samples.push(d);
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      }
      await sleep(3000); // warm-up: keyframe, jitter buffer settling
      samples.length = 0;
      await sleep(seconds * 1000);
      const s = [...samples].sort((a, b) => a - b);
      const q = (p) => s[Math.floor(p * (s.length - 1))];
      const stats = await pcs[0].getStats();
      let codec = '';
      stats.forEach((r) => { if (r.type === 'codec') codec ||= r.mimeType; });
      const sub = await pcs[1].getStats();
      sub.forEach((r) => { if (r.type === 'inbound-rtp') console.log(`subscriber: ${r.framesDecoded} frames decoded, ${r.framesDropped ?? 0} dropped, ${r.frameWidth}x${r.frameHeight}`); });
      console.log(`video callbacks: ${frames}`);
      pcs.forEach((pc) => pc.close());
      return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s.at(-1), codec };
    },
    { sfu, stageId, tokens, seconds },
  );
  const f = (x) => `${x.toFixed(0)} ms`;
  console.log(`publish-to-render (${pairs} pair(s), ${result.codec}, ${result.n} frames): p50 ${f(result.p50)}, p95 ${f(result.p95)}, p99 ${f(result.p99)}, max ${f(result.max)}`);
} finally {
  await browser.close();
  await ivs('DeleteStage', { arn: stage.arn }).catch(() => {});
}
