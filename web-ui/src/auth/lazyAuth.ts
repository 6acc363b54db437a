// The Cognito SDK (with its crypto dependencies) is the largest part of
// the start-up bundle and is not needed to paint the first page: load it
// in its own chunk, right after start, behind the same interface.

import type { AppConfig } from '../config';
import type { AuthBackend } from './cognito';

export function lazyCognitoAuth(cfg: Pick<AppConfig, 'userPoolId' | 'userPoolClientId' | 'cognitoEndpoint'>): AuthBackend {
  let loaded: Promise<AuthBackend> | null = null;
  const get = () => (loaded ??= import('./cognito').then((m) => new m.CognitoAuth(cfg)));
  // signOut is synchronous in the interface: run it once the SDK is there.
  return {
    currentSession: () => get().then((b) => b.currentSession()),
    signIn: (u, p) => get().then((b) => b.signIn(u, p)),
    signUp: (u, e, p) => get().then((b) => b.signUp(u, e, p)),
    confirmSignUp: (u, c, m) => get().then((b) => b.confirmSignUp(u, c, m)),
    resendConfirmationCode: (u) => get().then((b) => b.resendConfirmationCode(u)),
    forgotPassword: (u) => get().then((b) => b.forgotPassword(u)),
    confirmPassword: (u, c, p) => get().then((b) => b.confirmPassword(u, c, p)),
    changePassword: (o, n) => get().then((b) => b.changePassword(o, n)),
    globalSignOut: () => get().then((b) => b.globalSignOut()),
    signOut: () => {
      void get().then((b) => b.signOut());
    },
  };
}
