// Builds the offline stack (go build ./local) and runs it on free ports
// with a fresh data directory, serving web-ui/dist. Tests read the URLs
// from the environment (e2e/stack.ts).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const web = resolve(import.meta.dirname, '..');
const root = resolve(web, '..');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function waitFor(url: string, ms: number, proc: { exitCode: number | null }, log: string) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`the stack exited (${proc.exitCode}); see ${log}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the stack did not answer ${url} within ${ms} ms; see ${log}`);
}

export default async function globalSetup() {
  const tmp = mkdtempSync(join(tmpdir(), 'onair-e2e-'));
  // ONAIR_E2E_STACK_BIN: an already built `local` binary (skips the build).
  let bin = process.env.ONAIR_E2E_STACK_BIN ?? '';
  if (!bin) {
    bin = join(tmp, 'onair-local');
    console.log(`e2e: go build ./local → ${bin}`);
    execFileSync('go', ['build', '-o', bin, './local'], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(join(web, 'dist', 'index.html'))) {
    console.log('e2e: building web-ui/dist');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
  }
  // Every listener of the stack (-web-addr, -api-addr, -aws-addr, and the
  // media plane's -rtmp-addr, -webrtc-addr, the stages' -sfu-addr, …) gets
  // a free port, so a run never collides with `make dev` or another run.
  const h = spawnSync(bin, ['-h'], { encoding: 'utf8' });
  const help = `${h.stdout ?? ''}${h.stderr ?? ''}`;
  const listeners = [...new Set([...help.matchAll(/^\s*--?([a-z]+)-addr\b/gm)].map((m) => m[1]))];
  for (const required of ['web', 'api', 'aws']) if (!listeners.includes(required)) listeners.push(required);
  const ports: Record<string, number> = {};
  for (const l of listeners) ports[l] = await freePort();
  const args = [
    ...listeners.flatMap((l) => [`--${l}-addr`, `127.0.0.1:${ports[l]}`]),
    '--data-dir', join(tmp, 'data'),
    '--web-dir', join(web, 'dist'),
    '--template', process.env.ONAIR_E2E_TEMPLATE ?? join(root, 'template.yaml'),
  ];
  const hasRtmp = 'rtmp' in ports;
  const log = join(tmp, 'stack.log');
  const out = openSync(log, 'a');
  const proc = spawn(bin, args, { cwd: root, stdio: ['ignore', out, out], detached: false });
  const webUrl = `http://127.0.0.1:${ports.web}`;
  await waitFor(`${webUrl}/_local/config`, 60_000, proc, log);
  process.env.ONAIR_WEB_URL = webUrl;
  process.env.ONAIR_API_URL = `http://127.0.0.1:${ports.api}`;
  process.env.ONAIR_AWS_URL = `http://127.0.0.1:${ports.aws}`;
  process.env.ONAIR_RTMP_URL = hasRtmp ? `rtmp://127.0.0.1:${ports.rtmp}/app` : '';
  process.env.ONAIR_STACK_LOG = log;
  process.env.ONAIR_STACK_PID = String(proc.pid);
  writeFileSync(join(tmp, 'pid'), String(proc.pid));
  console.log(`e2e: stack at ${webUrl} (log ${log})${hasRtmp ? ', RTMP ingest on' : ', no RTMP ingest in this build'}`);
}
