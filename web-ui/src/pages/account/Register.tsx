// /register — sign-up straight to Cognito (the PreSignUp trigger enforces
// the rules); then "check your email" with Resend, or, when the stack
// auto-confirms, sign in at once.

import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { AVATARS, PROFILE_COLORS } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ERROR_TEXT, errorType, friendlyError } from '../../auth/messages';
import { validateRegister, type Errors } from '../../auth/validation';
import { FormField } from '../../components/FormField';
import { AuthLayout } from './AuthLayout';
import { OfflineMailHint } from './OfflineMailHint';
import { afterLogin, signupPrefsKey, type LoginState } from './redirect';

type Fields = 'username' | 'email' | 'password' | 'confirmPassword';
const pick = <T,>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)];

export default function Register() {
  const { status, signIn, backend } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const [form, setForm] = useState({ username: '', email: '', password: '', confirmPassword: '' });
  const [errors, setErrors] = useState<Errors<Fields>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<{ username: string; email: string } | null>(null);
  const [resend, setResend] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  if (status === 'signedIn') return <Navigate to="/" replace />;

  const set = (k: Fields) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm((f) => ({ ...f, [k]: e.target.value }));
    if (errors[k]) setErrors((x) => ({ ...x, [k]: undefined }));
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const v = validateRegister(form);
    setErrors(v);
    setFormError(null);
    if (Object.keys(v).length) return;
    const username = form.username.trim();
    // The profile's avatar and colour are chosen here and passed when the
    // account is confirmed (PostConfirmation reads ClientMetadata).
    localStorage.setItem(signupPrefsKey(username), JSON.stringify({ avatar: pick(AVATARS), color: pick(PROFILE_COLORS) }));
    setBusy(true);
    try {
      const { userConfirmed } = await backend.signUp(username, form.email, form.password);
      if (userConfirmed) {
        await signIn(username, form.password);
        const next = afterLogin(location.state as LoginState | null);
        navigate(next.to, { replace: true, state: next.state });
        return;
      }
      setSentTo({ username, email: form.email.trim() });
    } catch (err) {
      const { type } = errorType(err);
      const text = friendlyError(err);
      if (type === 'UsernameExistsException' || type === 'AliasExistsException' || type === 'ReservedUsernameException' || type === 'InvalidUsernameException') {
        setErrors({ username: text });
      } else if (type === 'EmailExistsException') {
        setErrors({ email: text });
      } else if (type === 'InvalidPasswordException') {
        setErrors({ password: text });
      } else {
        setFormError(text);
      }
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <AuthLayout title="Verify your account" footer={<Link to="/login">Return to login</Link>}>
        <p>
          We sent an activation link to <strong>{sentTo.email}</strong>. Open it to confirm your account, then log in as{' '}
          <strong>{sentTo.username}</strong>.
        </p>
        <OfflineMailHint to={sentTo.email} />
        {resend && <div className={`alert ${resend.kind === 'ok' ? 'alert-success' : 'alert-error'}`} role="status">{resend.text}</div>}
        <p className="muted small" style={{ marginTop: 16 }}>
          Didn't get it?{' '}
          <button
            type="button"
            className="link-button"
            onClick={async () => {
              try {
                await backend.resendConfirmationCode(sentTo.username);
                setResend({ kind: 'ok', text: 'We sent you a new link.' });
              } catch (err) {
                const { type } = errorType(err);
                setResend({ kind: 'error', text: type === 'LimitExceededException' ? ERROR_TEXT.resendLimit : friendlyError(err) });
              }
            }}
          >
            Resend
          </button>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Create an account"
      subtitle="Your username is your channel's address."
      footer={<>Already have an account? <Link to="/login" state={location.state}>Log in</Link></>}
    >
      <form className="form" onSubmit={submit} noValidate style={{ marginTop: 8 }}>
        <FormField label="Username" name="username" autoComplete="username" value={form.username} onChange={set('username')} error={errors.username} hint="4–20 letters, numbers, - or _" autoFocus />
        <FormField label="Email" name="email" type="email" autoComplete="email" value={form.email} onChange={set('email')} error={errors.email} />
        <FormField label="Password" name="password" type="password" autoComplete="new-password" value={form.password} onChange={set('password')} error={errors.password} hint="8+ characters with upper and lower case, a number and a symbol" />
        <FormField label="Confirm password" name="confirmPassword" type="password" autoComplete="new-password" value={form.confirmPassword} onChange={set('confirmPassword')} error={errors.confirmPassword} />
        {formError && <div className="alert alert-error" role="alert">{formError}</div>}
        <button type="submit" className="btn btn-block" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
