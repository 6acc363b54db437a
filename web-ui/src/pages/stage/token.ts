// Reads a participant token's claims. IVS says to treat tokens as opaque,
// and the page never trusts them for anything the server decides: the
// stage checks the signature when the participant joins. But the pasted
// token of /stage/join is all the page has, so its capabilities decide what
// the page offers (device preview and "Join stage" to a publisher, the
// viewer to a subscribe-only token), and its expiry says when to fetch a
// new one. The claims are those of ../../../../shared/spec/ivs-protocols.md
// §1.4 (API-issued tokens use the same vocabulary).

import { decodeStageToken, StageTokenError } from '../../stage/createStageClient';

export { StageTokenError };

/** The stage client's reading of a token, with the expiry as epoch milliseconds (timer arithmetic). */
export interface StageTokenInfo {
  /** The participant id (`jti`). */
  participantId: string;
  userId: string;
  /** The stage ARN (`resource`). */
  stageArn: string;
  /** The stage id (`topic`, the ARN's last segment). */
  stageId: string;
  canPublish: boolean;
  canSubscribe: boolean;
  attributes: Record<string, string>;
  /** Expiry in milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Reads a token's claims with the stage client's decoder (one reading for
 * the pages and the clients). Throws StageTokenError with a message a
 * person can act on when the text is not a participant token.
 */
export function parseStageToken(raw: string): StageTokenInfo {
  const t = decodeStageToken(raw);
  return {
    participantId: t.participantId,
    userId: t.userId,
    stageArn: t.stageArn,
    stageId: t.stageId,
    canPublish: t.canPublish,
    canSubscribe: t.canSubscribe,
    attributes: t.attributes,
    expiresAt: t.expiresAt.getTime(),
  };
}

/** What a token lets its holder be on the page. */
export type TokenRole = 'publisher' | 'viewer' | 'none';

export function tokenRole(t: Pick<StageTokenInfo, 'canPublish' | 'canSubscribe'>): TokenRole {
  if (t.canPublish) return 'publisher';
  if (t.canSubscribe) return 'viewer';
  return 'none';
}

/** Refresh this long before expiry, so a rejoin never presents an expired token. */
export const REFRESH_BEFORE_MS = 2 * 60_000;

/**
 * Milliseconds from now until a token should be replaced: REFRESH_BEFORE_MS
 * before expiry, or at half its remaining life when that is later (short
 * test tokens), and never less than 1 s (no hot loop on an expired token).
 */
export function refreshDelay(expiresAt: number, now: number): number {
  const left = expiresAt - now;
  return Math.max(1000, left - REFRESH_BEFORE_MS, left / 2);
}

export function isExpired(t: Pick<StageTokenInfo, 'expiresAt'>, now: number): boolean {
  return now >= t.expiresAt;
}
