// Reads a participant token's claims. IVS says to treat tokens as opaque,
// and the page never trusts them for anything the server decides: the
// stage checks the signature when the participant joins. But the pasted
// token of /stage/join is all the page has, so its capabilities decide what
// the page offers (device preview and "Join stage" to a publisher, the
// viewer to a subscribe-only token), and its expiry says when to fetch a
// new one. The claims are those of ../../../../shared/spec/ivs-protocols.md
// §1.4 (API-issued tokens use the same vocabulary).

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
  whipUrl?: string;
  eventsUrl?: string;
}

export class StageTokenError extends Error {}

function b64urlDecode(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const bin = atob(padded);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Parses a token's claims. Throws StageTokenError with a message a person
 * can act on when the text is not a participant token.
 */
export function parseStageToken(raw: string): StageTokenInfo {
  const token = raw.trim();
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[1]) {
    throw new StageTokenError('This is not a participant token: it should be three parts separated by dots (eyJ…).');
  }
  let claims: Record<string, unknown>;
  try {
    const v = JSON.parse(b64urlDecode(parts[1])) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    claims = v as Record<string, unknown>;
  } catch {
    throw new StageTokenError('This token could not be read: check that it was copied completely.');
  }
  const resource = str(claims.resource);
  const topic = str(claims.topic) || resource.slice(resource.lastIndexOf('/') + 1);
  if (!resource.includes(':stage/') || !topic) {
    throw new StageTokenError('This token is not for a stage (it names no stage).');
  }
  if (typeof claims.exp !== 'number') throw new StageTokenError('This token has no expiry: it is not a participant token.');
  const caps = claims.capabilities && typeof claims.capabilities === 'object' ? (claims.capabilities as Record<string, unknown>) : {};
  const attrs: Record<string, string> = {};
  if (claims.attributes && typeof claims.attributes === 'object') {
    for (const [k, v] of Object.entries(claims.attributes as Record<string, unknown>)) {
      if (typeof v === 'string') attrs[k] = v;
    }
  }
  return {
    participantId: str(claims.jti),
    userId: str(claims.user_id),
    stageArn: resource,
    stageId: topic,
    canPublish: caps.allow_publish === true,
    canSubscribe: caps.allow_subscribe === true,
    attributes: attrs,
    expiresAt: claims.exp * 1000,
    whipUrl: str(claims.whip_url) || undefined,
    eventsUrl: str(claims.events_url) || undefined,
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
