// The overlays of a stream's timed metadata (docs/overlays.md): one at a
// time; a new one replaces the shown one, a stop hides it, a timed one
// hides after its duration counted from when the cue played.

import { useCallback, useEffect, useRef, useState } from 'react';
import { decodeOverlayText, type Overlay, type OverlayCommand } from '../player/overlayDecoder';
import { Confetti } from './Confetti';
import { Icon } from '../components/Icon';

export interface ShownOverlay {
  overlay: Overlay;
  /** Unique per cue, so a repeated quiz resets the answer. */
  key: number;
  /** Local time when it hides; undefined = until replaced. */
  until?: number;
}

/** State machine of the overlay being shown; feed it cue texts. */
export function useOverlays(now: () => number = Date.now) {
  const [shown, setShown] = useState<ShownOverlay | null>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const apply = useCallback(
    (cmd: OverlayCommand) => {
      clearTimeout(timer.current);
      if (cmd.kind === 'stop') {
        setShown(null);
        return;
      }
      const until = cmd.durationMs !== undefined ? now() + cmd.durationMs : undefined;
      const key = ++seq.current;
      setShown({ overlay: cmd.overlay, key, until });
      if (cmd.durationMs !== undefined) {
        timer.current = setTimeout(() => setShown((s) => (s?.key === key ? null : s)), cmd.durationMs);
      }
    },
    [now],
  );

  const onCue = useCallback(
    (text: string) => {
      const cmd = decodeOverlayText(text);
      if (cmd) apply(cmd);
    },
    [apply],
  );
  const clear = useCallback(() => {
    clearTimeout(timer.current);
    setShown(null);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  return { shown, onCue, clear, apply };
}

function Countdown({ until }: { until?: number }) {
  const [left, setLeft] = useState(() => (until ? Math.max(0, Math.ceil((until - Date.now()) / 1000)) : 0));
  useEffect(() => {
    if (!until) return;
    const t = setInterval(() => setLeft(Math.max(0, Math.ceil((until - Date.now()) / 1000))), 250);
    return () => clearInterval(t);
  }, [until]);
  if (!until) return null;
  return <span className="overlay-countdown" aria-label={`${left} seconds left`}>{left}s</span>;
}

function Quiz({ data, until }: { data: Extract<Overlay, { name: 'quiz' }>['data']; until?: number }) {
  const [choice, setChoice] = useState<number | null>(null);
  const [closed, setClosed] = useState(false);
  useEffect(() => {
    if (choice === null) return;
    const t = setTimeout(() => setClosed(true), 2000);
    return () => clearTimeout(t);
  }, [choice]);
  if (closed) return null;
  return (
    <div className="overlay-card overlay-quiz" role="group" aria-label="Quiz">
      <div className="overlay-card-head">
        <span className="overlay-kind">Quiz</span>
        <Countdown until={until} />
      </div>
      <p className="overlay-title">{data.question}</p>
      <div className="quiz-answers">
        {data.answers.map((a, i) => {
          const state = choice === null ? '' : i === data.correctAnswerIndex ? 'correct' : i === choice ? 'wrong' : 'dim';
          return (
            <button key={i} type="button" className={`quiz-answer ${state}`} disabled={choice !== null} onClick={() => setChoice(i)} aria-pressed={choice === i}>
              {a}
              {state === 'correct' && <Icon name="check" size={16} />}
            </button>
          );
        })}
      </div>
      {choice !== null && (
        <p className="quiz-result" role="status">{choice === data.correctAnswerIndex ? 'Correct!' : 'Not quite.'}</p>
      )}
    </div>
  );
}

function ProductCard({ title, price, imageUrl, description, url }: { title: string; price?: string; imageUrl: string; description?: string; url?: string }) {
  const [more, setMore] = useState(false);
  return (
    <div className="overlay-card overlay-product" role="group" aria-label="Featured product">
      <img src={imageUrl} alt="" className="product-img" />
      <div className="product-body">
        <span className="overlay-kind"><Icon name="cart" size={14} /> Featured</span>
        <p className="overlay-title">{title}</p>
        {price && <p className="product-price">{price}</p>}
        {more && description && <p className="small">{description}</p>}
        <div className="row">
          {description && !url && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setMore((m) => !m)}>
              {more ? 'Less' : 'Learn more'}
            </button>
          )}
          {url && (
            <a className="btn btn-sm" href={url} target="_blank" rel="noopener noreferrer sponsored">Buy now</a>
          )}
        </div>
      </div>
    </div>
  );
}

/** What to draw over the player for the shown overlay (celebration confetti goes over the whole page). */
export function OverlayView({ shown }: { shown: ShownOverlay | null }) {
  if (!shown) return null;
  const { overlay, until, key } = shown;
  switch (overlay.name) {
    case 'quiz':
      return <Quiz key={key} data={overlay.data} until={until} />;
    case 'product':
      return <ProductCard key={key} title={overlay.data.title} price={overlay.data.price} imageUrl={overlay.data.imageUrl} description={overlay.data.description} />;
    case 'amazon_product':
      return (
        <ProductCard
          key={key}
          title={overlay.data.title}
          price={overlay.data.price?.displayAmount}
          imageUrl={overlay.data.images.large.url}
          url={overlay.data.productURL}
        />
      );
    case 'notice':
      return (
        <div className="overlay-notice" role="status" aria-label="Notice" key={key}>
          <strong>{overlay.data.title}</strong>
          <div className="marquee"><span>{overlay.data.message}</span></div>
        </div>
      );
    case 'celebration':
      return (
        <div className="overlay-celebration" role="status" key={key}>
          <Confetti />
          <div className="celebration-banner"><Icon name="gift" size={18} /> Celebration!</div>
        </div>
      );
  }
}
