// A modal confirmation (role="dialog"): focus moves into it, Escape and
// the backdrop cancel, Tab stays inside, focus returns on close. The
// confirm button's label says what it does ("Ban user", "Reset stream key").

import { useId, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

import { useModalFocus } from './useModalFocus';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
  /** May return a promise: the dialog shows progress and stays open until it settles. */
  onConfirm(): void | Promise<void>;
  onCancel(): void;
}

export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel = 'Cancel', danger, onConfirm, onCancel }: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);

  useModalFocus(ref, open, '[data-autofocus]', onCancel);

  if (!open) return null;
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  };
  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div ref={ref} className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} aria-describedby={children ? bodyId : undefined}>
        <h2 id={titleId} className="modal-title">{title}</h2>
        {children && <div id={bodyId} className="modal-body">{children}</div>}
        <div className="modal-actions">
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={busy} data-autofocus>
            {cancelLabel}
          </button>
          <button type="button" className={danger ? 'btn btn-danger' : 'btn'} onClick={confirm} disabled={busy} aria-busy={busy}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
