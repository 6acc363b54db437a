import { useId, useState, type InputHTMLAttributes } from 'react';
import { Icon } from './Icon';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  error?: string | null;
  hint?: string;
}

/** A labelled input with its error and hint; password inputs get a show/hide toggle. */
export function FormField({ label, error, hint, type = 'text', ...rest }: Props) {
  const id = useId();
  const [show, setShow] = useState(false);
  const isPassword = type === 'password';
  const describedBy = [error ? `${id}-err` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className={isPassword ? 'password-wrap' : undefined}>
        <input id={id} type={isPassword && show ? 'text' : type} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
        {isPassword && (
          <button type="button" className="btn-icon password-toggle" onClick={() => setShow((s) => !s)} aria-label={show ? "Hide password" : "Show password"} aria-pressed={show}>
            <Icon name={show ? 'eyeOff' : 'eye'} size={18} />
          </button>
        )}
      </div>
      {error && <p id={`${id}-err`} className="field-error">{error}</p>}
      {hint && !error && <p id={`${id}-hint`} className="hint">{hint}</p>}
    </div>
  );
}
