// Timed metadata → overlays (docs/overlays.md "The metadata format"). The
// same JSON arrives by two paths: the IVS player's TEXT_METADATA_CUE text,
// or an ID3 tag with a PRIV frame owned by metadata.live-video.net in the
// HLS segments (the offline media plane; hls.js hands over the raw tag).

export const METADATA_OWNER = 'metadata.live-video.net';

export type OverlayName = 'quiz' | 'product' | 'notice' | 'celebration' | 'amazon_product';
export const OVERLAY_NAMES: readonly OverlayName[] = ['quiz', 'product', 'notice', 'celebration', 'amazon_product'];

export interface QuizData { question: string; answers: string[]; correctAnswerIndex: number; duration: number }
export interface ProductData { title: string; price: string; imageUrl: string; description: string }
export interface NoticeData { title: string; message: string; duration: number }
export interface CelebrationData { duration?: number }
export interface AmazonProductData {
  images: { large: { url: string } };
  title: string;
  price?: { displayAmount?: string };
  productURL: string;
  merchantInfo?: { id?: string; name?: string };
}

export type Overlay =
  | { name: 'quiz'; data: QuizData }
  | { name: 'product'; data: ProductData }
  | { name: 'notice'; data: NoticeData }
  | { name: 'celebration'; data: CelebrationData }
  | { name: 'amazon_product'; data: AmazonProductData };

/** What a cue means: show an overlay for durationMs (undefined = until replaced), or hide it. */
export type OverlayCommand =
  | { kind: 'show'; overlay: Overlay; durationMs?: number; startTime: number }
  | { kind: 'stop' };

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function validData(name: OverlayName, d: unknown): boolean {
  if (!isObj(d)) return name === 'celebration' && d === undefined;
  switch (name) {
    case 'quiz':
      return isStr(d.question) && Array.isArray(d.answers) && d.answers.every(isStr) && isNum(d.correctAnswerIndex);
    case 'product':
      return isStr(d.title) && isStr(d.imageUrl);
    case 'notice':
      return isStr(d.title) && isStr(d.message);
    case 'celebration':
      return true;
    case 'amazon_product':
      return isStr(d.title) && isObj(d.images) && isObj(d.images.large) && isStr(d.images.large.url) && isStr(d.productURL);
  }
}

/**
 * Decodes a cue's text. Returns null for anything that is not an onair v1
 * overlay (other metadata in the stream, newer formats, garbage).
 */
export function decodeOverlayText(text: string): OverlayCommand | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(m) || m.v !== 1) return null;
  if (m.name === null || m.name === undefined) return { kind: 'stop' };
  if (!isStr(m.name) || !OVERLAY_NAMES.includes(m.name as OverlayName)) return null;
  const name = m.name as OverlayName;
  const data = name === 'celebration' && m.data === undefined ? {} : m.data;
  if (!validData(name, data)) return null;
  const startTime = isNum(m.startTime) ? m.startTime : Date.now();
  let durationMs: number | undefined;
  if (isNum(m.expiry) && isNum(m.startTime)) durationMs = Math.max(0, m.expiry - m.startTime);
  else if (name === 'celebration') durationMs = 10_000;
  return { kind: 'show', overlay: { name, data } as Overlay, durationMs, startTime };
}

/** The IVS player path: TEXT_METADATA_CUE {owner?, text}. In-band metadata of other owners is ignored. */
export function decodeIvsCue(cue: { owner?: string; text?: string }): OverlayCommand | null {
  if (cue.owner && cue.owner !== METADATA_OWNER) return null;
  return typeof cue.text === 'string' ? decodeOverlayText(cue.text) : null;
}

export interface Id3Frame {
  id: string;
  /** PRIV owner identifier or TXXX description. */
  owner?: string;
  data: Uint8Array;
}

const syncsafe = (b: Uint8Array, i: number) => ((b[i] & 0x7f) << 21) | ((b[i + 1] & 0x7f) << 14) | ((b[i + 2] & 0x7f) << 7) | (b[i + 3] & 0x7f);
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** Parses the frames of one or more ID3v2.3/2.4 tags in b (as hls.js delivers metadata samples). */
export function parseId3(b: Uint8Array): Id3Frame[] {
  const frames: Id3Frame[] = [];
  let off = 0;
  while (off + 10 <= b.length) {
    if (b[off] !== 0x49 || b[off + 1] !== 0x44 || b[off + 2] !== 0x33) break; // "ID3"
    const version = b[off + 3];
    const flags = b[off + 5];
    const size = syncsafe(b, off + 6);
    let p = off + 10;
    const end = Math.min(b.length, p + size);
    if (flags & 0x40) p += version === 4 ? syncsafe(b, p) : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) + 4; // extended header
    while (p + 10 <= end) {
      const id = latin1(b.subarray(p, p + 4));
      if (!/^[A-Z0-9]{4}$/.test(id)) break; // padding
      const fsize = version === 4 ? syncsafe(b, p + 4) : (b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7];
      const body = b.subarray(p + 10, Math.min(end, p + 10 + fsize));
      p += 10 + fsize;
      if (id === 'PRIV') {
        const z = body.indexOf(0);
        if (z < 0) continue;
        frames.push({ id, owner: latin1(body.subarray(0, z)), data: body.subarray(z + 1) });
      } else if (id === 'TXXX' && body.length > 1 && (body[0] === 0 || body[0] === 3)) {
        // Latin-1 or UTF-8 text: description NUL value.
        const rest = body.subarray(1);
        const z = rest.indexOf(0);
        if (z < 0) continue;
        let value = rest.subarray(z + 1);
        if (value.length && value[value.length - 1] === 0) value = value.subarray(0, -1);
        frames.push({ id, owner: new TextDecoder().decode(rest.subarray(0, z)), data: value });
      }
    }
    off = off + 10 + size + (flags & 0x10 ? 10 : 0);
  }
  return frames;
}

/** The hls.js path: the overlay commands of an ID3 tag (PRIV frames owned by metadata.live-video.net only). */
export function decodeId3Overlays(tag: Uint8Array): OverlayCommand[] {
  const out: OverlayCommand[] = [];
  for (const f of parseId3(tag)) {
    if (f.id !== 'PRIV' || f.owner !== METADATA_OWNER) continue;
    const c = decodeOverlayText(new TextDecoder().decode(f.data));
    if (c) out.push(c);
  }
  return out;
}

/** The payload texts of an ID3 tag's PRIV frames owned by metadata.live-video.net. */
export function id3PayloadTexts(tag: Uint8Array): string[] {
  return parseId3(tag)
    .filter((f) => f.id === 'PRIV' && f.owner === METADATA_OWNER)
    .map((f) => new TextDecoder().decode(f.data));
}
