// A modal form dialog for the stream manager (ConfirmDialog is for yes/no):
// role="dialog" labelled by its title; focus moves to its first field and
// comes back, Escape closes, Tab stays inside (useModalFocus).

import { useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

import { useModalFocus } from '../../components/useModalFocus';

export function Modal({ title, onClose, children, wide }: { title: string; onClose(): void; children: ReactNode; wide?: boolean }) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useModalFocus(ref, true, 'input, textarea, select, button', onClose);
  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} className={`modal ${wide ? 'modal-wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <div className="modal-head">
          <h2 id={titleId} className="modal-title">{title}</h2>
          <button type="button" className="btn-icon" aria-label="Close" onClick={onClose}>×</button>
        </div>
        {children}
      </div>
    </div>,
    document.body,
  );
}
