// The overlay forms of the stream manager: their fields, defaults, the
// validation of docs/overlays.md (shown inline before sending; the server
// checks again) and the conversion between a form and the action's data,
// which is also what a preset stores.

import type { StreamActionName } from '../../api/types';

export const LIMITS = {
  quiz: { question: 256, answer: 128, minAnswers: 3, maxAnswers: 5 },
  product: { title: 32, price: 10, imageUrl: 256, description: 256 },
  notice: { title: 24, message: 256 },
  amazon: { keyword: 150 },
  duration: { min: 5, max: 30, default: 15 },
  celebrationDuration: 10,
} as const;

export const MESSAGES = {
  required: 'This field is required.',
  tooLong: 'Maximum length exceeded.',
  url: 'Enter a valid URL.',
  unique: 'Enter a unique option.',
  correct: 'Select a correct answer.',
  duration: `Enter a duration from ${LIMITS.duration.min} to ${LIMITS.duration.max} seconds.`,
  product: 'Choose a product.',
} as const;

export interface QuizForm { question: string; answers: string[]; correctAnswerIndex: number; duration: number }
export interface ProductForm { title: string; price: string; imageUrl: string; description: string }
export interface NoticeForm { title: string; message: string; duration: number }
export interface CelebrationForm { duration: number }
/** An item of GET /products, as returned (the server keeps what it needs). */
export interface AmazonProductForm { item: AmazonItem | null }
export interface AmazonItem {
  images?: { large?: { url?: string }; medium?: { url?: string }; small?: { url?: string } };
  title?: string;
  price?: { displayAmount?: string | null } | null;
  productURL?: string;
  merchantInfo?: unknown;
  [k: string]: unknown;
}

export interface Forms {
  quiz: QuizForm;
  product: ProductForm;
  notice: NoticeForm;
  celebration: CelebrationForm;
  amazon_product: AmazonProductForm;
}

/** Field → message. Quiz answers use `answers.<i>`. */
export type Errors = Record<string, string>;

export const ACTION_LABELS: Record<StreamActionName, { button: string; title: string; send: string; started: string }> = {
  quiz: { button: 'Quiz', title: 'Host a quiz', send: 'Start quiz', started: 'Host a quiz started' },
  product: { button: 'Product', title: 'Feature a product', send: 'Show product', started: 'Feature a product started' },
  amazon_product: { button: 'Amazon product', title: 'Feature an Amazon product', send: 'Show product', started: 'Feature an Amazon product started' },
  notice: { button: 'Notice', title: 'Show a notice', send: 'Show notice', started: 'Show a notice started' },
  celebration: { button: 'Celebration', title: 'Trigger a celebration', send: 'Start celebration', started: 'Trigger a celebration started' },
};

export function defaultForm<N extends StreamActionName>(name: N): Forms[N] {
  const d: Forms = {
    quiz: { question: '', answers: ['', '', ''], correctAnswerIndex: 0, duration: LIMITS.duration.default },
    product: { title: '', price: '', imageUrl: '', description: '' },
    notice: { title: '', message: '', duration: LIMITS.duration.default },
    celebration: { duration: LIMITS.celebrationDuration },
    amazon_product: { item: null },
  };
  return structuredClone(d[name]);
}

/** Length in characters (code points), as the server counts. */
export const charLength = (s: string) => [...s].length;

function text(errors: Errors, field: string, value: string, max: number) {
  if (!value.trim()) errors[field] = MESSAGES.required;
  else if (charLength(value) > max) errors[field] = MESSAGES.tooLong;
}

function duration(errors: Errors, value: number) {
  if (!Number.isInteger(value) || value < LIMITS.duration.min || value > LIMITS.duration.max) errors.duration = MESSAGES.duration;
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  } catch {
    return false;
  }
}

/** Normalises an answer the way the server compares them (case and surrounding spaces ignored). */
const answerKey = (s: string) => s.trim().toLowerCase();

export function validate<N extends StreamActionName>(name: N, form: Forms[N]): Errors {
  const errors: Errors = {};
  switch (name) {
    case 'quiz': {
      const f = form as QuizForm;
      text(errors, 'question', f.question, LIMITS.quiz.question);
      const seen = new Map<string, number>();
      f.answers.forEach((a, i) => {
        const field = `answers.${i}`;
        text(errors, field, a, LIMITS.quiz.answer);
        if (errors[field]) return;
        const k = answerKey(a);
        if (seen.has(k)) errors[field] = MESSAGES.unique;
        else seen.set(k, i);
      });
      if (f.answers.length < LIMITS.quiz.minAnswers || f.answers.length > LIMITS.quiz.maxAnswers) {
        errors.answers = `Give ${LIMITS.quiz.minAnswers} to ${LIMITS.quiz.maxAnswers} answers.`;
      }
      if (!(f.correctAnswerIndex >= 0 && f.correctAnswerIndex < f.answers.length)) errors.correctAnswerIndex = MESSAGES.correct;
      duration(errors, f.duration);
      break;
    }
    case 'product': {
      const f = form as ProductForm;
      text(errors, 'title', f.title, LIMITS.product.title);
      text(errors, 'price', f.price, LIMITS.product.price);
      text(errors, 'imageUrl', f.imageUrl, LIMITS.product.imageUrl);
      if (!errors.imageUrl && !isHttpUrl(f.imageUrl)) errors.imageUrl = MESSAGES.url;
      text(errors, 'description', f.description, LIMITS.product.description);
      break;
    }
    case 'notice': {
      const f = form as NoticeForm;
      text(errors, 'title', f.title, LIMITS.notice.title);
      text(errors, 'message', f.message, LIMITS.notice.message);
      duration(errors, f.duration);
      break;
    }
    case 'celebration':
      break;
    case 'amazon_product': {
      const f = form as AmazonProductForm;
      if (!f.item || !f.item.images?.large?.url || !f.item.productURL) errors.item = MESSAGES.product;
      break;
    }
  }
  return errors;
}

/** The action's `data` for POST /channel/actions/send (and for a preset). */
export function toData<N extends StreamActionName>(name: N, form: Forms[N]): Record<string, unknown> {
  switch (name) {
    case 'quiz': {
      const f = form as QuizForm;
      return { question: f.question.trim(), answers: f.answers.map((a) => a.trim()), correctAnswerIndex: f.correctAnswerIndex, duration: f.duration };
    }
    case 'product': {
      const f = form as ProductForm;
      return { title: f.title.trim(), price: f.price.trim(), imageUrl: f.imageUrl.trim(), description: f.description.trim() };
    }
    case 'notice': {
      const f = form as NoticeForm;
      return { title: f.title.trim(), message: f.message.trim(), duration: f.duration };
    }
    case 'celebration':
      return { duration: LIMITS.celebrationDuration };
    case 'amazon_product':
      return { ...((form as AmazonProductForm).item ?? {}) };
  }
  return {};
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** The form for stored action data (a preset, or the active action). Unknown shapes fall back to defaults. */
export function fromData<N extends StreamActionName>(name: N, data: Record<string, unknown> | undefined): Forms[N] {
  const d = data ?? {};
  const def = defaultForm(name);
  switch (name) {
    case 'quiz': {
      const answers = Array.isArray(d.answers) ? d.answers.map(str).slice(0, LIMITS.quiz.maxAnswers) : [];
      while (answers.length < LIMITS.quiz.minAnswers) answers.push('');
      return { question: str(d.question), answers, correctAnswerIndex: num(d.correctAnswerIndex, 0), duration: num(d.duration, LIMITS.duration.default) } as Forms[N];
    }
    case 'product':
      return { title: str(d.title), price: str(d.price), imageUrl: str(d.imageUrl), description: str(d.description) } as Forms[N];
    case 'notice':
      return { title: str(d.title), message: str(d.message), duration: num(d.duration, LIMITS.duration.default) } as Forms[N];
    case 'celebration':
      return def;
    case 'amazon_product':
      return { item: Object.keys(d).length ? (d as AmazonItem) : null } as Forms[N];
  }
  return def;
}

/** Adds an empty answer (up to 5); keeps the correct answer pointing at the same text. */
export function addAnswer(f: QuizForm): QuizForm {
  if (f.answers.length >= LIMITS.quiz.maxAnswers) return f;
  return { ...f, answers: [...f.answers, ''] };
}

/** Removes answer i (down to 3); the correct answer follows its text, or is unset when it was removed. */
export function removeAnswer(f: QuizForm, i: number): QuizForm {
  if (f.answers.length <= LIMITS.quiz.minAnswers || i < 0 || i >= f.answers.length) return f;
  const answers = f.answers.filter((_, j) => j !== i);
  let c = f.correctAnswerIndex;
  if (c === i) c = -1;
  else if (c > i) c--;
  return { ...f, answers, correctAnswerIndex: c };
}
