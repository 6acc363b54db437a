// The initial route's transfer size: what index.html loads before the
// first render (its entry script, module preloads and stylesheets), raw
// and gzipped (level 9, as the offline stack serves it). Run after a
// build: node scripts/bundle-size.mjs
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let raw = 0, gz = 0;
const rows = [];
for (const f of ['index.html', ...new Set(refs)]) {
  const b = readFileSync(join(dist, f));
  const z = gzipSync(b, { level: 9 }).length;
  raw += b.length;
  gz += z;
  rows.push([f, b.length, z]);
}
for (const [f, r, z] of rows) console.log(`${f.padEnd(40)} ${String(r).padStart(9)} B  gzip ${String(z).padStart(8)} B`);
console.log(`${'total (initial route)'.padEnd(40)} ${String(raw).padStart(9)} B  gzip ${String(gz).padStart(8)} B`);
