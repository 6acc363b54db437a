// Every reason a person cannot be on a stage, as the page says it. The
// token service (docs/stages.md) answers {__type, message}; the offline SFU
// and the stage client answer codes of their own; the stage itself can end
// or drop a participant while they are on it. One mapping, so every page
// says the same thing for the same refusal.

import { ApiError } from '../../api/errors';

export type RefusalKind =
  | 'signInRequired'
  | 'notInvited'
  | 'banned'
  | 'stageFull'
  | 'stageEnded'
  | 'noStage'
  | 'removed'
  | 'tokenExpired'
  | 'invalidToken'
  | 'unavailable'
  | 'error';

export interface Refusal {
  kind: RefusalKind;
  title: string;
  message: string;
  /** Signing in may help (show "Log in"). */
  signIn?: boolean;
  /** Trying again later may help (show "Try again"). */
  retry?: boolean;
  /** Watching instead may help (show "Watch instead"). */
  watch?: boolean;
}

const R = (kind: RefusalKind, title: string, message: string, extra: Partial<Refusal> = {}): Refusal => ({ kind, title, message, ...extra });

export const refusalFor = {
  signInRequired: () => R('signInRequired', 'Sign in to join this stage', 'The host lets only signed-in people watch this stage.', { signIn: true }),
  notInvited: () =>
    R('notInvited', 'You are not invited to publish', 'Only people the host invited can join this stage with camera and microphone. Ask the host for an invitation, or watch.', { watch: true }),
  banned: () => R('banned', 'You cannot join this stage', 'The host has banned you from their channel.'),
  stageFull: (msg?: string) =>
    R('stageFull', 'The stage is full', msg || 'A stage has at most 12 people publishing at once. Try again when someone leaves, or watch.', { retry: true, watch: true }),
  stageEnded: () => R('stageEnded', 'The stage has ended', 'The host ended this stage.'),
  noStage: (host?: string) => R('noStage', 'No stage right now', host ? `${host} has no stage open at the moment.` : 'There is no stage here at the moment.'),
  removed: (reason?: string) =>
    R('removed', 'You were removed from the stage', `The host removed you from the stage.${reason && !/^(removed by the host|you were removed)/i.test(reason.trim()) ? ` Reason: ${reason.trim()}` : ''}`),
  tokenExpired: () => R('tokenExpired', 'Your token has expired', 'Participant tokens are checked when you join. Get a new token and join again.'),
  invalidToken: (msg?: string) => R('invalidToken', 'This token was refused', msg || 'The stage did not accept this participant token.'),
  unavailable: (msg?: string) => R('unavailable', 'Stages are unavailable', msg || 'The stage service is not ready. Try again in a minute.', { retry: true }),
} as const;

/** A refusal of the token service (POST /stages/{id}/tokens, GET /stages/{id}). */
export function refusalFromApi(e: unknown, requested?: 'publisher' | 'viewer' | 'host'): Refusal {
  if (!(e instanceof ApiError)) {
    return R('error', 'Something went wrong', e instanceof Error ? e.message : String(e), { retry: true });
  }
  switch (e.type) {
    case 'UnauthorizedException':
      return refusalFor.signInRequired();
    case 'ForbiddenException':
      // Both refusals are 403: the service's message tells them apart.
      if (/\bbann/i.test(e.message)) return refusalFor.banned();
      if (requested === 'publisher' || /invit/i.test(e.message)) return refusalFor.notInvited();
      return R('error', 'You cannot join this stage', e.message);
    case 'StageFullException':
      return refusalFor.stageFull(e.message);
    case 'StageNotFoundException':
      return refusalFor.stageEnded();
    case 'StageTokensUnavailableException':
    case 'ServiceUnavailableException':
      return refusalFor.unavailable();
    case 'NetworkError':
      return R('error', 'Could not reach the server', e.message, { retry: true });
  }
  return R('error', 'You cannot join this stage', e.message, { retry: e.status >= 500 || e.status === 429 });
}

/**
 * A refusal of the media plane. `code` is the offline SFU's error code
 * (local/internal/sfu/auth.go) or the cloud SDK's; unknown codes keep
 * their message.
 */
export function refusalFromMedia(code: string | undefined, message?: string): Refusal {
  switch (code) {
    case 'TokenExpired':
      return refusalFor.tokenExpired();
    case 'ParticipantDisconnected':
      return refusalFor.removed();
    case 'StageFull':
      return refusalFor.stageFull();
    case 'StageNotFound':
      return refusalFor.stageEnded();
    case 'WrongStage':
      return refusalFor.invalidToken('This token is for another stage.');
    case 'InsufficientCapabilities':
      return refusalFor.invalidToken('This token does not allow publishing: join as a viewer.');
    case 'Unauthorized':
      return refusalFor.invalidToken(message);
    case 'TooManySubscribers':
      return R('stageFull', 'Too many viewers', 'This stage has as many viewers as it can take. Try again later.', { retry: true });
  }
  return R('error', 'The stage connection failed', message || 'The connection to the stage failed.', { retry: true });
}

/** Whether a refusal means "stop": no automatic rejoin can fix it. */
export function isFinal(r: Refusal): boolean {
  return r.kind !== 'error' && r.kind !== 'unavailable';
}
