import type { Location } from 'react-router';

export interface LoginState {
  from?: Location;
  /** The channel whose Follow button sent the visitor here (auto-follow after login, reference §11.4). */
  locationStoredUsername?: string;
  focus?: 'COMPOSER';
  message?: string;
}

/** Where to go after signing in, with the state to carry there. */
export function afterLogin(state: LoginState | null): { to: string; state?: unknown } {
  const from = state?.from;
  if (!from || ['/login', '/register', '/reset'].includes(from.pathname)) return { to: '/' };
  return {
    to: from.pathname + (from.search ?? '') + (from.hash ?? ''),
    state: state?.locationStoredUsername || state?.focus ? { locationStoredUsername: state.locationStoredUsername, focus: state.focus } : undefined,
  };
}

/** The sign-up form's avatar and colour, kept until the email link confirms the account (maybe in another tab). */
export const signupPrefsKey = (username: string) => `onair:signup:${username.toLowerCase()}`;
