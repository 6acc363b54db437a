// The keyboard and focus behaviour every modal dialog shares (ARIA APG
// dialog pattern): while open, focus moves into the dialog (to the first
// element matching initial), Escape calls onEscape, Tab and Shift+Tab stay
// inside, and on close focus returns to where it was.

import { useEffect, useRef, type RefObject } from 'react';

const focusable = 'button:not([disabled]), [href], input:not([disabled]), textarea, select, [tabindex]:not([tabindex="-1"])';

export function useModalFocus(ref: RefObject<HTMLElement | null>, open: boolean, initial: string, onEscape: () => void) {
  // A ref, so a new onEscape each render neither re-runs the effect nor
  // moves focus again.
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    el?.querySelector<HTMLElement>(initial)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        escape.current();
      } else if (e.key === 'Tab' && el) {
        const f = Array.from(el.querySelectorAll<HTMLElement>(focusable));
        if (f.length === 0) return;
        const first = f[0], last = f[f.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      previous?.focus?.();
    };
  }, [open, ref, initial]);
}
