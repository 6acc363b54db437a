import { describe, expect, it } from 'vitest';
import { addAnswer, defaultForm, fromData, MESSAGES, removeAnswer, toData, validate, type QuizForm } from './overlayForms';

const quiz = (over: Partial<QuizForm> = {}): QuizForm => ({ question: 'Closest planet?', answers: ['Venus', 'Mercury', 'Mars'], correctAnswerIndex: 1, duration: 15, ...over });

describe('overlay form validation', () => {
  it.each([
    ['a valid quiz', quiz(), {}],
    ['an empty question', quiz({ question: '  ' }), { question: MESSAGES.required }],
    ['a question over 256 characters', quiz({ question: 'q'.repeat(257) }), { question: MESSAGES.tooLong }],
    ['256 emoji count as 256 characters', quiz({ question: '🎉'.repeat(256) }), {}],
    ['a repeated answer (case and spaces ignored)', quiz({ answers: ['Venus', ' venus ', 'Mars'] }), { 'answers.1': MESSAGES.unique }],
    ['an empty answer', quiz({ answers: ['Venus', '', 'Mars'] }), { 'answers.1': MESSAGES.required }],
    ['an answer over 128', quiz({ answers: ['Venus', 'x'.repeat(129), 'Mars'] }), { 'answers.1': MESSAGES.tooLong }],
    ['no correct answer', quiz({ correctAnswerIndex: -1 }), { correctAnswerIndex: MESSAGES.correct }],
    ['a duration under 5', quiz({ duration: 4 }), { duration: MESSAGES.duration }],
    ['a duration over 30', quiz({ duration: 31 }), { duration: MESSAGES.duration }],
    ['a fractional duration', quiz({ duration: 7.5 }), { duration: MESSAGES.duration }],
  ])('quiz: %s', (_, form, want) => {
    expect(validate('quiz', form)).toEqual(want);
  });

  it.each([
    ['valid', { title: 'Sneakers', price: '$250', imageUrl: 'https://example.com/s.png', description: 'Fast.' }, {}],
    ['not a URL', { title: 'Sneakers', price: '$250', imageUrl: 'example.com/s.png', description: 'Fast.' }, { imageUrl: MESSAGES.url }],
    ['javascript: URL', { title: 'Sneakers', price: '$250', imageUrl: 'javascript:alert(1)', description: 'Fast.' }, { imageUrl: MESSAGES.url }],
    ['long title and price', { title: 't'.repeat(33), price: '12345678901', imageUrl: 'http://a.b/c', description: 'd' }, { title: MESSAGES.tooLong, price: MESSAGES.tooLong }],
    ['everything missing', defaultForm('product'), { title: MESSAGES.required, price: MESSAGES.required, imageUrl: MESSAGES.required, description: MESSAGES.required }],
  ])('product: %s', (_, form, want) => {
    expect(validate('product', form)).toEqual(want);
  });

  it('notice: title ≤ 24, message ≤ 256, duration 5–30', () => {
    expect(validate('notice', { title: 'Giveaway', message: 'At 9', duration: 20 })).toEqual({});
    expect(validate('notice', { title: 't'.repeat(25), message: 'm'.repeat(257), duration: 3 })).toEqual({
      title: MESSAGES.tooLong, message: MESSAGES.tooLong, duration: MESSAGES.duration,
    });
  });

  it('celebration needs nothing and always lasts 10 s', () => {
    expect(validate('celebration', { duration: 99 })).toEqual({});
    expect(toData('celebration', { duration: 99 })).toEqual({ duration: 10 });
  });

  it('amazon product needs a chosen item with an image and a link', () => {
    expect(validate('amazon_product', { item: null })).toEqual({ item: MESSAGES.product });
    expect(validate('amazon_product', { item: { title: 'x', images: { large: { url: 'https://m/x.jpg' } }, productURL: 'https://a/x' } })).toEqual({});
  });
});

describe('form ↔ data', () => {
  it('trims text fields', () => {
    expect(toData('notice', { title: ' Hi ', message: ' there ', duration: 5 })).toEqual({ title: 'Hi', message: 'there', duration: 5 });
  });
  it('round-trips a quiz and pads short answer lists to three', () => {
    expect(fromData('quiz', toData('quiz', quiz()))).toEqual(quiz());
    expect(fromData('quiz', { question: 'q', answers: ['a'], correctAnswerIndex: 0, duration: 10 }).answers).toEqual(['a', '', '']);
  });
  it('falls back to defaults for missing or odd data', () => {
    expect(fromData('product', undefined)).toEqual(defaultForm('product'));
    expect(fromData('notice', { title: 3, duration: 'x' })).toEqual({ title: '', message: '', duration: 15 });
  });
});

describe('quiz answers', () => {
  it('adds up to five', () => {
    let f = quiz();
    f = addAnswer(addAnswer(addAnswer(f)));
    expect(f.answers).toHaveLength(5);
  });
  it('removes down to three, keeping the correct answer on its text', () => {
    const f = addAnswer(quiz({ answers: ['a', 'b', 'c'], correctAnswerIndex: 2 }));
    const g = removeAnswer(f, 0);
    expect(g.answers).toEqual(['b', 'c', '']);
    expect(g.correctAnswerIndex).toBe(1);
    expect(removeAnswer(g, 0)).toBe(g); // already three
    expect(removeAnswer(f, 2).correctAnswerIndex).toBe(-1);
  });
});
