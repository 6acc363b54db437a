import { describe, expect, it } from 'vitest';
import type { StreamActionPresets } from '../../api/types';
import { hasPreset, onlyKnown, presetDiffers, withoutPreset, withPreset } from './presets';

describe('presets', () => {
  const quiz = { question: 'q', answers: ['a', 'b', 'c'], correctAnswerIndex: 0, duration: 15 };
  it('saves a preset next to the others and replaces an existing one', () => {
    const p = withPreset({ notice: { title: 't', message: 'm', duration: 5 } }, 'quiz', quiz);
    expect(Object.keys(p).sort()).toEqual(['notice', 'quiz']);
    const q = withPreset(p, 'quiz', { ...quiz, question: 'edited' });
    expect(q.quiz?.question).toBe('edited');
    expect(q.notice).toEqual(p.notice);
  });
  it('deletes one preset and leaves the rest', () => {
    const p = withoutPreset({ quiz, celebration: { duration: 10 } }, 'quiz');
    expect(p).toEqual({ celebration: { duration: 10 } });
    expect(hasPreset(p, 'quiz')).toBe(false);
    expect(hasPreset(p, 'celebration')).toBe(true);
  });
  it('never sends keys the server refuses', () => {
    const odd = { quiz, poll: { x: 1 }, notice: null, product: [] } as unknown as StreamActionPresets;
    expect(onlyKnown(odd)).toEqual({ quiz });
    expect(withPreset(odd, 'celebration', { duration: 10 })).toEqual({ quiz, celebration: { duration: 10 } });
    expect(onlyKnown(null)).toEqual({});
  });
  it('tells whether the form differs from the saved preset, ignoring key order', () => {
    expect(presetDiffers(quiz, { duration: 15, correctAnswerIndex: 0, answers: ['a', 'b', 'c'], question: 'q' })).toBe(false);
    expect(presetDiffers(quiz, { ...quiz, duration: 20 })).toBe(true);
    expect(presetDiffers(undefined, quiz)).toBe(true);
  });
});
