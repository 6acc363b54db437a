// The session: who is signed in, their access token (refreshed on use),
// and the first-login provisioning of their channel (reference §11.2).

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../api/client';
import { isApiError } from '../api/errors';
import type { MyChannel } from '../api/types';
import type { AuthBackend, Session } from './cognito';

export type AuthStatus = 'loading' | 'signedOut' | 'provisioning' | 'provisionFailed' | 'signedIn';

export interface AuthState {
  status: AuthStatus;
  session: Session | null;
  /** The signed-in user's profile and channel (GET /channel), once provisioned. */
  channel: MyChannel | null;
  /** The provisioning error shown with "Try again". */
  error: string | null;
  signIn(username: string, password: string): Promise<void>;
  /** Forgets the session; `notice` is shown on the login page (e.g. after deleting the account). */
  signOut(notice?: string): Promise<void>;
  /** The notice of the last sign-out, if any. */
  notice: string | null;
  /** Revokes the sessions of every device (after a password change). */
  globalSignOut(): Promise<void>;
  /** The access token (refreshed when close to expiry), or null when signed out. */
  getToken(): Promise<string | null>;
  retryProvisioning(): Promise<void>;
  /** Re-reads GET /channel (after a settings change). */
  reloadChannel(): Promise<MyChannel | null>;
  setChannel(c: MyChannel): void;
  backend: AuthBackend;
}

const AuthCtx = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const v = useContext(AuthCtx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

const notProvisioned = (e: unknown) =>
  isApiError(e, 'ChannelNotProvisionedException') || isApiError(e, 'UserNotFoundException');

/**
 * Reads the caller's channel, provisioning it first when the API says it
 * does not exist yet. A 409 means another tab is provisioning: wait and read.
 */
export async function loadOrProvision(api: ApiClient, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<MyChannel> {
  try {
    return await api.getChannel();
  } catch (e) {
    if (!notProvisioned(e)) throw e;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await api.createChannelResources();
      break;
    } catch (e) {
      if (!isApiError(e, 'ConflictException') || attempt >= 5) throw e;
      await sleep(1500);
    }
  }
  return api.getChannel();
}

export function AuthProvider({ backend, api, children }: { backend: AuthBackend; api: ApiClient; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [session, setSession] = useState<Session | null>(null);
  const [channel, setChannel] = useState<MyChannel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const statusRef = useRef(status);
  statusRef.current = status;

  const clear = useCallback(() => {
    setSession(null);
    setChannel(null);
    setError(null);
    setStatus('signedOut');
    // Cached pages were fetched with the old identity (follow flags, bans).
    queryClient.removeQueries();
  }, [queryClient]);

  const provision = useCallback(async () => {
    setStatus('provisioning');
    setError(null);
    try {
      const c = await loadOrProvision(api);
      setChannel(c);
      setStatus('signedIn');
    } catch (e) {
      if (isApiError(e, 'UnauthorizedException')) {
        backend.signOut();
        clear();
        return;
      }
      setError(e instanceof Error ? e.message : 'Your channel could not be set up.');
      setStatus('provisionFailed');
    }
  }, [api, backend, clear]);

  useEffect(() => {
    let cancelled = false;
    backend.currentSession().then((s) => {
      if (cancelled) return;
      if (!s) {
        setStatus('signedOut');
        return;
      }
      setSession(s);
      void provision();
    });
    return () => {
      cancelled = true;
    };
    // Once, on load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const getToken = useCallback(async () => {
    if (statusRef.current === 'signedOut') return null;
    const s = await backend.currentSession();
    if (!s) {
      // The refresh token expired or was revoked (a global sign-out elsewhere).
      if (statusRef.current !== 'loading') clear();
      return null;
    }
    return s.accessToken;
  }, [backend, clear]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const s = await backend.signIn(username, password);
      setNotice(null);
      setSession(s);
      queryClient.removeQueries();
      await provision();
    },
    [backend, provision, queryClient],
  );

  const signOut = useCallback(
    async (message?: string) => {
      backend.signOut();
      setNotice(message ?? null);
      clear();
    },
    [backend, clear],
  );

  const globalSignOut = useCallback(async () => {
    try {
      await backend.globalSignOut();
    } finally {
      backend.signOut();
    }
  }, [backend]);

  const reloadChannel = useCallback(async () => {
    try {
      const c = await api.getChannel();
      setChannel(c);
      return c;
    } catch (e) {
      if (isApiError(e, 'UnauthorizedException')) clear();
      return null;
    }
  }, [api, clear]);

  const value = useMemo<AuthState>(
    () => ({
      status, session, channel, error, signIn, signOut, notice, globalSignOut, getToken,
      retryProvisioning: provision, reloadChannel, setChannel, backend,
    }),
    [status, session, channel, error, signIn, signOut, notice, globalSignOut, getToken, provision, reloadChannel, backend],
  );
  return <AuthCtx.Provider value={value}>{children}</AuthCtx.Provider>;
}
