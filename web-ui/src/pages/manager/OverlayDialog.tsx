// One overlay's modal: its form with the validation of docs/overlays.md
// shown inline, "Send" (validate, then POST /channel/actions/send; the
// server's message is shown when it refuses), and the preset stored on the
// server for this action: "Save preset" (save or edit), "Load preset",
// "Delete preset".

import { useEffect, useId, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { isApiError } from '../../api/errors';
import type { StreamActionName } from '../../api/types';
import { useApi } from '../../services';
import { Modal } from './Modal';
import {
  ACTION_LABELS, addAnswer, charLength, defaultForm, fromData, LIMITS, removeAnswer, toData, validate,
  type AmazonItem, type Errors, type Forms, type NoticeForm, type ProductForm, type QuizForm,
} from './overlayForms';
import { presetDiffers } from './presets';

export const OFFLINE_MESSAGE = 'Overlays need a live stream: go live first, then send the overlay.';

interface Props<N extends StreamActionName> {
  name: N;
  preset?: Record<string, unknown>;
  live: boolean;
  onClose(): void;
  onSend(name: N, data: Record<string, unknown>): Promise<void>;
  onSavePreset(name: N, data: Record<string, unknown>): Promise<void>;
  onDeletePreset(name: N): Promise<void>;
}

function Field({ id, label, error, count, max, children }: { id: string; label: string; error?: string; count?: number; max?: number; children: ReactNode }) {
  return (
    <div className="field">
      <div className="field-label-row">
        <label htmlFor={id}>{label}</label>
        {max !== undefined && <span className={`faint small ${count! > max ? 'over' : ''}`}>{count}/{max}</span>}
      </div>
      {children}
      {error && <p className="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

const inputProps = (id: string, error?: string) => ({
  id,
  'aria-invalid': !!error,
  'aria-describedby': error ? `${id}-error` : undefined,
});

function QuizFields({ f, set, errors, id }: { f: QuizForm; set(f: QuizForm): void; errors: Errors; id: string }) {
  return (
    <>
      <Field id={`${id}-q`} label="Question" error={errors.question} count={charLength(f.question)} max={LIMITS.quiz.question}>
        <textarea {...inputProps(`${id}-q`, errors.question)} rows={2} value={f.question} onChange={(e) => set({ ...f, question: e.target.value })} />
      </Field>
      <fieldset className="answers">
        <legend className="label">Answers (select the correct one)</legend>
        {f.answers.map((a, i) => {
          const err = errors[`answers.${i}`];
          const aid = `${id}-a${i}`;
          return (
            <div key={i} className="answer-row">
              <input
                type="radio"
                name={`${id}-correct`}
                aria-label={`Answer ${i + 1} is correct`}
                checked={f.correctAnswerIndex === i}
                onChange={() => set({ ...f, correctAnswerIndex: i })}
              />
              <div className="field grow">
                <label htmlFor={aid} className="sr-only">Answer {i + 1}</label>
                <input {...inputProps(aid, err)} placeholder={`Answer ${i + 1}`} value={a} onChange={(e) => set({ ...f, answers: f.answers.map((x, j) => (j === i ? e.target.value : x)) })} />
                {err && <p className="field-error" id={`${aid}-error`}>{err}</p>}
              </div>
              <button type="button" className="btn-icon" aria-label={`Remove answer ${i + 1}`} disabled={f.answers.length <= LIMITS.quiz.minAnswers} onClick={() => set(removeAnswer(f, i))}>
                −
              </button>
            </div>
          );
        })}
        {errors.correctAnswerIndex && <p className="field-error">{errors.correctAnswerIndex}</p>}
        <button type="button" className="btn btn-ghost btn-sm" disabled={f.answers.length >= LIMITS.quiz.maxAnswers} onClick={() => set(addAnswer(f))}>
          + Add an answer
        </button>
      </fieldset>
      <DurationField id={id} value={f.duration} error={errors.duration} onChange={(duration) => set({ ...f, duration })} />
    </>
  );
}

function DurationField({ id, value, error, onChange }: { id: string; value: number; error?: string; onChange(v: number): void }) {
  return (
    <Field id={`${id}-d`} label={`Duration (${LIMITS.duration.min}–${LIMITS.duration.max} seconds)`} error={error}>
      <input {...inputProps(`${id}-d`, error)} type="number" min={LIMITS.duration.min} max={LIMITS.duration.max} value={Number.isFinite(value) ? value : ''} onChange={(e) => onChange(e.target.valueAsNumber)} />
    </Field>
  );
}

function ProductFields({ f, set, errors, id }: { f: ProductForm; set(f: ProductForm): void; errors: Errors; id: string }) {
  const t = (k: keyof ProductForm, label: string, max: number, area = false) => (
    <Field id={`${id}-${k}`} label={label} error={errors[k]} count={charLength(f[k])} max={max}>
      {area ? (
        <textarea {...inputProps(`${id}-${k}`, errors[k])} rows={3} value={f[k]} onChange={(e) => set({ ...f, [k]: e.target.value })} />
      ) : (
        <input {...inputProps(`${id}-${k}`, errors[k])} value={f[k]} onChange={(e) => set({ ...f, [k]: e.target.value })} />
      )}
    </Field>
  );
  return (
    <>
      {t('title', 'Title', LIMITS.product.title)}
      {t('price', 'Price', LIMITS.product.price)}
      {t('imageUrl', 'Image URL', LIMITS.product.imageUrl)}
      {t('description', 'Description', LIMITS.product.description, true)}
    </>
  );
}

function NoticeFields({ f, set, errors, id }: { f: NoticeForm; set(f: NoticeForm): void; errors: Errors; id: string }) {
  return (
    <>
      <Field id={`${id}-t`} label="Title" error={errors.title} count={charLength(f.title)} max={LIMITS.notice.title}>
        <input {...inputProps(`${id}-t`, errors.title)} value={f.title} onChange={(e) => set({ ...f, title: e.target.value })} />
      </Field>
      <Field id={`${id}-m`} label="Message" error={errors.message} count={charLength(f.message)} max={LIMITS.notice.message}>
        <textarea {...inputProps(`${id}-m`, errors.message)} rows={3} value={f.message} onChange={(e) => set({ ...f, message: e.target.value })} />
      </Field>
      <DurationField id={id} value={f.duration} error={errors.duration} onChange={(duration) => set({ ...f, duration })} />
    </>
  );
}

const SORTS = [
  ['Relevance', 'Relevance'],
  ['NewestArrivals', 'Newest arrivals'],
  ['Price:LowToHigh', 'Price: low to high'],
  ['Price:HighToLow', 'Price: high to low'],
  ['Featured', 'Featured'],
] as const;

function AmazonFields({ item, set, error, id }: { item: AmazonItem | null; set(i: AmazonItem | null): void; error?: string; id: string }) {
  const api = useApi();
  const [keyword, setKeyword] = useState('');
  const [debounced, setDebounced] = useState('');
  const [sort, setSort] = useState<(typeof SORTS)[number][0]>('Relevance');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(keyword.trim()), 500);
    return () => clearTimeout(t);
  }, [keyword]);
  const tooLong = charLength(keyword) > LIMITS.amazon.keyword;
  const q = useQuery({
    queryKey: ['products', debounced, sort],
    queryFn: () => api.searchProducts(debounced, { sort, origin: 'input' }),
    enabled: !!debounced && !tooLong,
    staleTime: 60_000,
  });
  const items = (q.data?.items ?? []) as AmazonItem[];
  useEffect(() => {
    if (items.length && !item) set(items[0]); // the first result is chosen, as the reference
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q.data]);
  return (
    <>
      <div className="row amazon-search">
        <div className="field grow">
          <label htmlFor={`${id}-k`}>Search products</label>
          <input id={`${id}-k`} type="search" value={keyword} aria-invalid={tooLong} onChange={(e) => setKeyword(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-s`}>Sort by</label>
          <select id={`${id}-s`} value={sort} onChange={(e) => setSort(e.target.value as typeof sort)}>
            {SORTS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </div>
      </div>
      {tooLong && <p className="field-error">Maximum length exceeded.</p>}
      {q.isFetching && <p className="muted small">Searching…</p>}
      {q.isError && <p className="field-error" role="alert">{(q.error as Error).message}</p>}
      {items.length > 0 && (
        <ul className="product-results" aria-label="Products">
          {items.map((it, i) => (
            <li key={`${it.productURL}-${i}`}>
              <label className={`product-choice ${item?.productURL === it.productURL ? 'selected' : ''}`}>
                <input type="radio" name={`${id}-item`} checked={item?.productURL === it.productURL} onChange={() => set(it)} />
                {it.images?.small?.url && <img src={it.images.small.url} alt="" width={48} height={48} />}
                <span className="grow">{it.title}</span>
                <strong>{it.price?.displayAmount ?? ''}</strong>
              </label>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="field-error">{error}</p>}
    </>
  );
}

export function OverlayDialog<N extends StreamActionName>({ name, preset, live, onClose, onSend, onSavePreset, onDeletePreset }: Props<N>) {
  const id = useId();
  const labels = ACTION_LABELS[name];
  const [form, setForm] = useState<Forms[N]>(() => (preset ? fromData(name, preset) : defaultForm(name)));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState<null | 'send' | 'save' | 'delete'>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const errors = touched ? validate(name, form) : {};
  const set = (f: Forms[N]) => {
    setForm(f);
    setNotice(null);
  };

  const check = () => {
    setTouched(true);
    setServerError(null);
    return Object.keys(validate(name, form)).length === 0;
  };

  const run = async (what: 'send' | 'save' | 'delete', fn: () => Promise<void>, done: string | null) => {
    setBusy(what);
    setServerError(null);
    try {
      await fn();
      if (done) setNotice(done);
    } catch (e) {
      if (isApiError(e, 'ChannelNotBroadcastingException')) setServerError(OFFLINE_MESSAGE);
      else setServerError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  const send = () => {
    if (!check()) return;
    if (!live) {
      setServerError(OFFLINE_MESSAGE);
      return;
    }
    void run('send', () => onSend(name, toData(name, form)), null);
  };
  const save = () => {
    if (!check()) return;
    void run('save', () => onSavePreset(name, toData(name, form)), `Saved as your ${labels.button.toLowerCase()} preset`);
  };
  const data = toData(name, form);
  const dirty = presetDiffers(preset, data);

  return (
    <Modal title={labels.title} onClose={onClose} wide={name === 'amazon_product'}>
      <form
        className="form overlay-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {name === 'quiz' && <QuizFields id={id} f={form as QuizForm} set={(f) => set(f as Forms[N])} errors={errors} />}
        {name === 'product' && <ProductFields id={id} f={form as ProductForm} set={(f) => set(f as Forms[N])} errors={errors} />}
        {name === 'notice' && <NoticeFields id={id} f={form as NoticeForm} set={(f) => set(f as Forms[N])} errors={errors} />}
        {name === 'celebration' && <p className="muted">Confetti rains over your stream and chat for {LIMITS.celebrationDuration} seconds.</p>}
        {name === 'amazon_product' && (
          <AmazonFields id={id} item={(form as Forms['amazon_product']).item} set={(item) => set({ item } as Forms[N])} error={errors.item} />
        )}
        {!live && <p className="alert alert-info small">{OFFLINE_MESSAGE}</p>}
        {serverError && <p className="alert alert-error" role="alert">{serverError}</p>}
        {notice && <p className="alert alert-success small" role="status">{notice}</p>}
        <div className="overlay-preset-row">
          <span className="muted small">{preset ? (dirty ? 'Preset saved · edited' : 'Preset saved') : 'No preset saved'}</span>
          <div className="row">
            {preset && (
              <>
                <button type="button" className="btn btn-ghost btn-sm" disabled={!!busy || !dirty} onClick={() => { setForm(fromData(name, preset)); setTouched(false); setNotice('Preset loaded'); }}>
                  Load preset
                </button>
                <button type="button" className="btn btn-ghost btn-sm" disabled={!!busy} onClick={() => void run('delete', () => onDeletePreset(name), 'Preset deleted')}>
                  Delete preset
                </button>
              </>
            )}
            <button type="button" className="btn btn-secondary btn-sm" disabled={!!busy} aria-busy={busy === 'save'} onClick={save}>
              Save preset
            </button>
          </div>
        </div>
        <div className="modal-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn" disabled={!!busy} aria-busy={busy === 'send'} title={labels.send}>
            Send
          </button>
        </div>
      </form>
    </Modal>
  );
}
