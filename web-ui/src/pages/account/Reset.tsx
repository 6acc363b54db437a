// /reset — forgotten password: email → Cognito ForgotPassword (the email's
// link carries ?code=&username=) → new password → back to /login.

import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { friendlyError } from '../../auth/messages';
import { validateNewPassword, validateUsername, type Errors } from '../../auth/validation';
import { FormField } from '../../components/FormField';
import { AuthLayout } from './AuthLayout';
import { OfflineMailHint } from './OfflineMailHint';

function RequestLink() {
  const { backend } = useAuth();
  // The pool's sign-in alias is the public name (preferred_username), not
  // the email (template.yaml), so the reset starts from the username; the
  // code goes to the account's email.
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    const v = validateUsername(username);
    setError(v);
    if (v) return;
    setBusy(true);
    try {
      await backend.forgotPassword(username.trim());
      setSent(true);
    } catch (err) {
      // The pool prevents user-existence errors: only real failures reach here.
      setError(friendlyError(err));
    } finally {
      setBusy(false);
    }
  };
  if (sent) {
    return (
      <AuthLayout title="Check your email" footer={<Link to="/login">Return to login</Link>}>
        <p>If an account with this username exists, you will receive an email at its address with a link to reset your password.</p>
        <OfflineMailHint />
        <p className="muted small">
          Nothing arrived? <button type="button" className="link-button" onClick={() => void send()}>Resend</button>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Reset your password" subtitle="Enter your username and we'll email you a link." footer={<Link to="/login">Return to login</Link>}>
      <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void send(); }}>
        <FormField label="Username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} error={error} autoFocus />
        <button type="submit" className="btn btn-block" disabled={busy}>Send reset link</button>
      </form>
    </AuthLayout>
  );
}

function ChooseNewPassword({ username, code }: { username: string; code: string }) {
  const { backend } = useAuth();
  const navigate = useNavigate();
  const [form, setForm] = useState({ newPassword: '', confirmPassword: '' });
  const [errors, setErrors] = useState<Errors<'newPassword' | 'confirmPassword'>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const v = validateNewPassword(form);
    setErrors(v);
    if (Object.keys(v).length) return;
    setBusy(true);
    setError(null);
    try {
      await backend.confirmPassword(username, code, form.newPassword);
      navigate('/login', { replace: true, state: { message: 'Password has been reset. Log in with your new password.' } });
    } catch (err) {
      setError(friendlyError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthLayout title="Choose a new password" subtitle={<>For <strong>{username}</strong></>} footer={<Link to="/login">Return to login</Link>}>
      <form className="form" noValidate onSubmit={submit}>
        <FormField label="New password" type="password" name="newPassword" autoComplete="new-password" value={form.newPassword} onChange={(e) => setForm((f) => ({ ...f, newPassword: e.target.value }))} error={errors.newPassword} autoFocus />
        <FormField label="Confirm password" type="password" name="confirmPassword" autoComplete="new-password" value={form.confirmPassword} onChange={(e) => setForm((f) => ({ ...f, confirmPassword: e.target.value }))} error={errors.confirmPassword} />
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <button type="submit" className="btn btn-block" disabled={busy}>Reset password</button>
      </form>
    </AuthLayout>
  );
}

export default function Reset() {
  const { status } = useAuth();
  const [params] = useSearchParams();
  const code = params.get('code');
  const username = params.get('username');
  if (status === 'signedIn') return <Navigate to="/" replace />;
  return code && username ? <ChooseNewPassword username={username} code={code} /> : <RequestLink />;
}
