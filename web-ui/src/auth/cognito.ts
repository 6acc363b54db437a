// Cognito through amazon-cognito-identity-js: the only file that knows the
// SDK. Everything else uses the AuthBackend interface (the auth context's
// tests give it a fake).

import {
  AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool, CognitoUserSession,
} from 'amazon-cognito-identity-js';
import type { AppConfig } from '../config';

export interface Session {
  accessToken: string;
  /** Unix seconds. */
  expiresAt: number;
  /** The user's id (the token's sub): their chat user id. */
  sub: string;
  /** Cognito's immutable username (cognito:username). */
  username: string;
  /** The public name (preferred_username), when set. */
  preferredUsername?: string;
  email?: string;
}

export interface AuthBackend {
  /** The current session, refreshed when it expires within a minute; null when signed out or the refresh failed. */
  currentSession(): Promise<Session | null>;
  signIn(username: string, password: string): Promise<Session>;
  signUp(username: string, email: string, password: string): Promise<{ userConfirmed: boolean }>;
  confirmSignUp(username: string, code: string, meta?: Record<string, string>): Promise<void>;
  resendConfirmationCode(username: string): Promise<void>;
  forgotPassword(usernameOrEmail: string): Promise<void>;
  confirmPassword(username: string, code: string, newPassword: string): Promise<void>;
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
  /** Revokes every refresh token of the user (all devices), then forgets the local session. */
  globalSignOut(): Promise<void>;
  /** Forgets the local session. */
  signOut(): void;
}

const REFRESH_MARGIN_S = 60;

function toSession(s: CognitoUserSession): Session {
  const access = s.getAccessToken();
  const id = s.getIdToken().decodePayload() as Record<string, unknown>;
  return {
    accessToken: access.getJwtToken(),
    expiresAt: access.getExpiration(),
    sub: String(access.decodePayload().sub ?? id.sub ?? ''),
    username: String(id['cognito:username'] ?? access.decodePayload().username ?? ''),
    preferredUsername: typeof id.preferred_username === 'string' ? id.preferred_username : undefined,
    email: typeof id.email === 'string' ? id.email : undefined,
  };
}

function cb<T>(resolve: (v: T) => void, reject: (e: unknown) => void) {
  return (err?: unknown, result?: T) => (err ? reject(err) : resolve(result as T));
}

export class CognitoAuth implements AuthBackend {
  private readonly pool: CognitoUserPool;

  constructor(cfg: Pick<AppConfig, 'userPoolId' | 'userPoolClientId' | 'cognitoEndpoint'>, storage?: Storage) {
    this.pool = new CognitoUserPool({
      UserPoolId: cfg.userPoolId,
      ClientId: cfg.userPoolClientId,
      endpoint: cfg.cognitoEndpoint,
      Storage: storage,
    });
  }

  private user(username: string): CognitoUser {
    const u = new CognitoUser({ Username: username, Pool: this.pool });
    u.setAuthenticationFlowType('USER_PASSWORD_AUTH');
    return u;
  }

  private current(): CognitoUser {
    const u = this.pool.getCurrentUser();
    if (!u) throw Object.assign(new Error('Sign in first.'), { code: 'NotAuthorizedException' });
    return u;
  }

  private async withSession(u: CognitoUser): Promise<CognitoUserSession> {
    return new Promise((resolve, reject) => u.getSession(cb(resolve, reject)));
  }

  async currentSession(): Promise<Session | null> {
    const u = this.pool.getCurrentUser();
    if (!u) return null;
    try {
      let s = await this.withSession(u); // refreshes an expired access token itself
      if (s.getAccessToken().getExpiration() - Date.now() / 1000 < REFRESH_MARGIN_S) {
        s = await new Promise<CognitoUserSession>((resolve, reject) =>
          u.refreshSession(s.getRefreshToken(), cb(resolve, reject)),
        );
      }
      return toSession(s);
    } catch {
      u.signOut();
      return null;
    }
  }

  signIn(username: string, password: string): Promise<Session> {
    const name = username.trim();
    const details = new AuthenticationDetails({
      Username: name,
      Password: password,
      // The pre-authentication trigger requires the name typed (reference §4.7).
      ClientMetadata: { submittedUsername: name },
    });
    const u = this.user(name);
    return new Promise((resolve, reject) =>
      u.authenticateUser(details, {
        onSuccess: (s) => resolve(toSession(s)),
        onFailure: reject,
        newPasswordRequired: () =>
          reject(Object.assign(new Error('A new password is required.'), { code: 'PasswordResetRequiredException' })),
      }),
    );
  }

  signUp(username: string, email: string, password: string): Promise<{ userConfirmed: boolean }> {
    const attrs = [new CognitoUserAttribute({ Name: 'email', Value: email.trim() })];
    return new Promise((resolve, reject) =>
      this.pool.signUp(username.trim(), password, attrs, [], (err, res) =>
        err ? reject(err) : resolve({ userConfirmed: Boolean(res?.userConfirmed) }),
      ),
    );
  }

  confirmSignUp(username: string, code: string, meta?: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(username).confirmRegistration(code, false, (err) => (err ? reject(err) : resolve()), meta),
    );
  }

  resendConfirmationCode(username: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(username).resendConfirmationCode((err) => (err ? reject(err) : resolve())),
    );
  }

  forgotPassword(usernameOrEmail: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(usernameOrEmail.trim()).forgotPassword({ onSuccess: () => resolve(), onFailure: reject }),
    );
  }

  confirmPassword(username: string, code: string, newPassword: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(username).confirmPassword(code, newPassword, { onSuccess: () => resolve(), onFailure: reject }),
    );
  }

  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    const u = this.current();
    await this.withSession(u);
    await new Promise<void>((resolve, reject) =>
      u.changePassword(oldPassword, newPassword, (err) => (err ? reject(err) : resolve())),
    );
  }

  async globalSignOut(): Promise<void> {
    const u = this.current();
    await this.withSession(u);
    await new Promise<void>((resolve, reject) => u.globalSignOut({ onSuccess: () => resolve(), onFailure: reject }));
  }

  signOut(): void {
    this.pool.getCurrentUser()?.signOut();
  }
}
