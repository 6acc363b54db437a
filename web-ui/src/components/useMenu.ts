// The keyboard and focus behaviour every drop-down menu shares (ARIA APG
// menu button pattern): opening moves focus to the first item, the arrow
// keys, Home and End move between items, Escape closes and gives focus back
// to the button, and a click outside closes.

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

const item = '[role="menuitem"]';

/** The item a key moves to from current (wrapping around), or undefined for other keys. */
export function nextMenuItem<T>(items: T[], current: T | null, key: string): T | undefined {
  if (items.length === 0) return undefined;
  const i = current === null ? -1 : items.indexOf(current);
  switch (key) {
    case 'ArrowDown': return items[(i + 1) % items.length];
    case 'ArrowUp': return items[(i <= 0 ? items.length : i) - 1];
    case 'Home': return items[0];
    case 'End': return items[items.length - 1];
    default: return undefined;
  }
}

/** State and handlers of a menu: put ref on the element holding the button (aria-haspopup) and the menu. */
export function useMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const anchor = ref.current;
    const onDown = (e: MouseEvent) => {
      if (!anchor?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      anchor?.querySelector<HTMLElement>('[aria-haspopup]')?.focus();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    anchor?.querySelector<HTMLElement>(item)?.focus();
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const onMenuKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>(item));
    const next = nextMenuItem(items, document.activeElement as HTMLElement | null, e.key);
    if (!next) return;
    e.preventDefault();
    next.focus();
  };
  return { open, setOpen, ref, onMenuKeyDown };
}
