import { describe, expect, it } from 'vitest';
import { formatBlockedWords, parseBlockedWords } from './blockedWords';

describe('parseBlockedWords', () => {
  it.each([
    ['nothing', '', []],
    ['commas and new lines', 'darn, heck no\nspoiler', ['darn', 'heck no', 'spoiler']],
    ['trimmed, inner spaces collapsed', '  heck    no  ,  darn ', ['heck no', 'darn']],
    ['empty entries skipped', 'darn,, ,\n', ['darn']],
    ['duplicates in any case dropped', 'Darn, darn, DARN!', ['Darn']],
    ['non-Latin words', 'ばか, Dummkopf', ['ばか', 'Dummkopf']],
  ])('%s', (_name, text, words) => {
    expect(parseBlockedWords(text)).toEqual({ words, error: null });
  });

  it.each([
    ['punctuation only', '!!!', 'needs a letter or a digit'],
    ['over 50 characters', 'x'.repeat(51), 'at most 50 characters'],
    ['over 100 words', Array.from({ length: 101 }, (_, i) => `w${i}`).join(','), 'At most 100 blocked words'],
    ['a control character', 'bad\u0007word', 'control character'],
  ])('refuses %s', (_name, text, message) => {
    const r = parseBlockedWords(text);
    expect(r.words).toBeNull();
    expect(r.error).toContain(message);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(parseBlockedWords('😀'.repeat(25) + 'a').error).toBeNull();
  });

  it('round-trips the stored list', () => {
    expect(parseBlockedWords(formatBlockedWords(['darn', 'heck no']))).toEqual({ words: ['darn', 'heck no'], error: null });
    expect(formatBlockedWords(undefined)).toBe('');
  });
});
