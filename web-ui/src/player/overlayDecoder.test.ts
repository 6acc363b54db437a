import { describe, expect, it } from 'vitest';
import { decodeId3Overlays, decodeIvsCue, decodeOverlayText, METADATA_OWNER, parseId3 } from './overlayDecoder';

const quiz = { question: 'Closest planet?', answers: ['Venus', 'Mercury', 'Mars'], correctAnswerIndex: 1, duration: 15 };
const quizText = JSON.stringify({ v: 1, name: 'quiz', data: quiz, startTime: 1_000, expiry: 16_000 });

/** An ID3v2.4 tag with the given frames ([id, owner/description, payload]). */
function id3(frames: [string, string, string][], version = 4): Uint8Array {
  const enc = new TextEncoder();
  const parts: number[] = [];
  for (const [id, owner, payload] of frames) {
    const body = id === 'TXXX' ? [3, ...enc.encode(owner), 0, ...enc.encode(payload)] : [...enc.encode(owner), 0, ...enc.encode(payload)];
    const size = body.length;
    const sizeBytes = version === 4
      ? [(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]
      : [(size >>> 24) & 0xff, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff];
    parts.push(...enc.encode(id), ...sizeBytes, 0, 0, ...body);
  }
  parts.push(0, 0, 0, 0); // padding
  const n = parts.length;
  return new Uint8Array([0x49, 0x44, 0x33, version, 0, 0, (n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f, ...parts]);
}

describe('decodeOverlayText', () => {
  it('shows a timed overlay for expiry − startTime', () => {
    expect(decodeOverlayText(quizText)).toEqual({ kind: 'show', overlay: { name: 'quiz', data: quiz }, durationMs: 15_000, startTime: 1_000 });
  });
  it('keeps products until replaced', () => {
    const c = decodeOverlayText(JSON.stringify({ v: 1, name: 'product', data: { title: 'Sneakers', price: '$1', imageUrl: 'https://x/y.png', description: 'd' }, startTime: 5 }));
    expect(c).toMatchObject({ kind: 'show', overlay: { name: 'product' }, durationMs: undefined });
  });
  it('gives a celebration 10 s without data', () => {
    expect(decodeOverlayText('{"v":1,"name":"celebration","startTime":1}')).toMatchObject({ kind: 'show', overlay: { name: 'celebration' }, durationMs: 10_000 });
  });
  it.each([['{"v":1,"name":null,"startTime":1}'], ['{"v":1}']])('stop: %s', (t) => expect(decodeOverlayText(t)).toEqual({ kind: 'stop' }));
  it.each([
    ['not json'],
    ['{"v":2,"name":"quiz"}'],
    ['{"name":"quiz","data":{}}'],
    ['{"v":1,"name":"poll","data":{}}'],
    ['{"v":1,"name":"quiz","data":{"question":"q"}}'],
    ['[1,2]'],
    ['HYVwNmQ='],
  ])('ignores %s', (t) => expect(decodeOverlayText(t)).toBeNull());
});

describe('IVS player path', () => {
  it('decodes cues of PutMetadata and ignores other owners', () => {
    expect(decodeIvsCue({ owner: METADATA_OWNER, text: quizText })).toMatchObject({ kind: 'show' });
    expect(decodeIvsCue({ text: quizText })).toMatchObject({ kind: 'show' });
    expect(decodeIvsCue({ owner: 'inband', text: quizText })).toBeNull();
  });
});

describe('ID3 path (hls.js)', () => {
  it('reads PRIV frames owned by metadata.live-video.net', () => {
    expect(decodeId3Overlays(id3([['PRIV', METADATA_OWNER, quizText]]))).toEqual([decodeOverlayText(quizText)]);
  });
  it('reads ID3v2.3 sizes too', () => {
    expect(decodeId3Overlays(id3([['PRIV', METADATA_OWNER, quizText]], 3))).toHaveLength(1);
  });
  it('ignores other owners and TXXX frames', () => {
    const tag = id3([['PRIV', 'com.apple.streaming.transportStreamTimestamp', '\x00\x00\x00\x00\x00\x00\x00\x01'], ['TXXX', 'x', quizText]]);
    expect(parseId3(tag).map((f) => [f.id, f.owner])).toEqual([['PRIV', 'com.apple.streaming.transportStreamTimestamp'], ['TXXX', 'x']]);
    expect(decodeId3Overlays(tag)).toEqual([]);
  });
  it('handles UTF-8 payloads, several tags and garbage', () => {
    const notice = JSON.stringify({ v: 1, name: 'notice', data: { title: 'Señor ✓', message: 'hé', duration: 5 }, startTime: 0, expiry: 5000 });
    const two = new Uint8Array([...id3([['PRIV', METADATA_OWNER, notice]]), ...id3([['PRIV', METADATA_OWNER, '{"v":1,"name":null}']])]);
    const out = decodeId3Overlays(two);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ overlay: { data: { title: 'Señor ✓' } }, durationMs: 5000 });
    expect(out[1]).toEqual({ kind: 'stop' });
    expect(decodeId3Overlays(new Uint8Array([1, 2, 3]))).toEqual([]);
    expect(decodeId3Overlays(new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 50, 0x50]))).toEqual([]);
  });
});
