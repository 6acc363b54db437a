// /login — sign in; with ?code=&username= (the verification email's link)
// it confirms the account first.

import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { friendlyError } from '../../auth/messages';
import { FormField } from '../../components/FormField';
import { AuthLayout } from './AuthLayout';
import { afterLogin, signupPrefsKey, type LoginState } from './redirect';

type Confirmation = { kind: 'pending' } | { kind: 'ok' } | { kind: 'failed'; message: string } | null;

export default function Login() {
  const { status, signIn, backend, notice } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const state = (location.state ?? null) as LoginState | null;
  const code = params.get('code');
  const linkUser = params.get('username');
  const [username, setUsername] = useState(linkUser ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmation, setConfirmation] = useState<Confirmation>(code && linkUser ? { kind: 'pending' } : null);
  const confirming = useRef(false);

  useEffect(() => {
    if (!code || !linkUser || confirming.current) return;
    confirming.current = true;
    let meta: Record<string, string> | undefined;
    try {
      meta = JSON.parse(localStorage.getItem(signupPrefsKey(linkUser)) ?? 'null') ?? undefined;
    } catch {
      meta = undefined;
    }
    backend
      .confirmSignUp(linkUser, code, meta)
      .then(() => {
        localStorage.removeItem(signupPrefsKey(linkUser));
        setConfirmation({ kind: 'ok' });
      })
      .catch((e: { code?: string; message?: string }) => {
        // A second click on the link: the account is already confirmed.
        if (e?.code === 'NotAuthorizedException' && /current status is CONFIRMED/i.test(e.message ?? '')) setConfirmation({ kind: 'ok' });
        else setConfirmation({ kind: 'failed', message: e?.message ?? '' });
      })
      .finally(() => navigate({ pathname: '/login', search: '' }, { replace: true, state: location.state }));
  }, [backend, code, linkUser, navigate, location.state]);

  if (status === 'signedIn') {
    const next = afterLogin(state);
    return <Navigate to={next.to} state={next.state} replace />;
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
      const next = afterLogin(state);
      navigate(next.to, { replace: true, state: next.state });
    } catch (err) {
      setError(friendlyError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Log in to onair"
      subtitle="Watch, chat and follow your favourite channels."
      footer={<>New to onair? <Link to="/register" state={location.state}>Create an account</Link></>}
    >
      {(state?.message ?? notice) && <div className="alert alert-success" role="status">{state?.message ?? notice}</div>}
      {confirmation?.kind === 'pending' && <div className="alert alert-info" role="status">Confirming your registration…</div>}
      {confirmation?.kind === 'ok' && <div className="alert alert-success" role="status">Your registration has been confirmed. Log in to continue.</div>}
      {confirmation?.kind === 'failed' && (
        <div className="alert alert-error" role="alert">
          Your registration has not been confirmed. {confirmation.message}
        </div>
      )}
      <form className="form" onSubmit={submit} noValidate style={{ marginTop: 16 }}>
        <FormField label="Username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus={!linkUser} />
        <FormField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus={!!linkUser} />
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <Link to="/reset" className="small">Forgot password?</Link>
        </div>
        <button type="submit" className="btn btn-block" disabled={busy} aria-busy={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthLayout>
  );
}
