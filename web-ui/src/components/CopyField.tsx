import { useId, useState } from 'react';
import { Icon } from './Icon';

/** A read-only value with a Copy button; `secret` masks it until shown. */
export function CopyField({ label, value, secret, hint }: { label: string; value: string; secret?: boolean; hint?: React.ReactNode }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const [shown, setShown] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard access can be refused (insecure origin): select the text instead.
      const el = document.getElementById(id) as HTMLInputElement | null;
      el?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field">
        <input id={id} readOnly value={value} type={secret && !shown ? 'password' : 'text'} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
        {secret && (
          <button type="button" className="btn-icon" onClick={() => setShown((s) => !s)} aria-label={shown ? `Hide ${label.toLowerCase()}` : `Show ${label.toLowerCase()}`}>
            <Icon name={shown ? 'eyeOff' : 'eye'} />
          </button>
        )}
        <button type="button" className="btn btn-secondary btn-sm" onClick={copy} aria-label="Copy" title={`Copy ${label.toLowerCase()}`}>
          <Icon name={copied ? 'check' : 'copy'} size={16} />
          <span aria-hidden="true">{copied ? 'Copied' : 'Copy'}</span>
        </button>
      </div>
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}
