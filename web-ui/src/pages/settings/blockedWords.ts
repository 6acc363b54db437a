// The "Blocked words" setting: what the owner types (entries separated by
// commas or new lines) → the list PUT /channel/preferences/update takes as
// blockedWords. The rules are the server's (shared/chatreview
// NormalizeBlockedWords), checked here first so the owner learns at once.

export const MAX_BLOCKED_WORDS = 100;
export const MAX_BLOCKED_WORD_LENGTH = 50;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The words of an entry, lower-cased, as the server compares them. */
function key(entry: string): string {
  return entry
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter(Boolean)
    .join(' ');
}

export type BlockedWordsResult = { words: string[]; error: null } | { words: null; error: string };

/** Splits and validates the field's text: trimmed, inner spaces collapsed, duplicates (any case) dropped. */
export function parseBlockedWords(text: string): BlockedWordsResult {
  const entries = text
    .split(/[,\n]/)
    .map((w) => w.replace(/\s+/g, ' ').trim())
    .filter((w) => w !== '');
  const words: string[] = [];
  const seen = new Set<string>();
  for (const w of entries) {
    if (CONTROL.test(w)) return { words: null, error: `“${w}” holds a control character.` };
    if ([...w].length > MAX_BLOCKED_WORD_LENGTH) {
      return { words: null, error: `Each blocked word or phrase is at most ${MAX_BLOCKED_WORD_LENGTH} characters.` };
    }
    if (!LETTER_OR_DIGIT.test(w)) return { words: null, error: `“${w}” needs a letter or a digit.` };
    const k = key(w);
    if (!seen.has(k)) {
      seen.add(k);
      words.push(w);
    }
  }
  if (words.length > MAX_BLOCKED_WORDS) return { words: null, error: `At most ${MAX_BLOCKED_WORDS} blocked words.` };
  return { words, error: null };
}

/** The field's text for a stored list. */
export function formatBlockedWords(words: readonly string[] | undefined): string {
  return (words ?? []).join(', ');
}
