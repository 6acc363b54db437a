// Reading a participant token (an IVS Real-Time JWT: API-issued, or
// self-signed by the token service). Tokens are verified by IVS or the SFU,
// never here: this only reads what a page needs (the /stage/join page shows
// the capabilities of a pasted token; clients need the stage and the
// participant id).

export interface StageTokenInfo {
  participantId: string;
  stageArn: string;
  stageId: string;
  userId: string;
  attributes: Record<string, string>;
  canPublish: boolean;
  canSubscribe: boolean;
  /** Expiry (checked when joining only, as IVS does). */
  expiresAt: Date;
  whipUrl: string;
  eventsUrl: string;
}

export class StageTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageTokenError';
  }
}

function b64urlJson(seg: string): Record<string, unknown> {
  const b64 = seg.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(seg.length / 4) * 4, '=');
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
  return v as Record<string, unknown>;
}

const s = (v: unknown) => (typeof v === 'string' ? v : '');

/** Decodes a participant token; throws StageTokenError when it is not one. */
export function decodeStageToken(token: string): StageTokenInfo {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new StageTokenError('This is not a participant token (it should have three parts separated by dots).');
  let claims: Record<string, unknown>;
  try {
    claims = b64urlJson(parts[1]);
  } catch {
    throw new StageTokenError('This is not a participant token (its claims cannot be read).');
  }
  const stageArn = s(claims.resource);
  const participantId = s(claims.jti);
  if (!stageArn.includes(':stage/') || !participantId || typeof claims.exp !== 'number') {
    throw new StageTokenError('This token is not for an IVS stage (resource, jti or exp missing).');
  }
  const caps = (claims.capabilities && typeof claims.capabilities === 'object' ? claims.capabilities : {}) as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  if (claims.attributes && typeof claims.attributes === 'object') {
    for (const [k, v] of Object.entries(claims.attributes as Record<string, unknown>)) {
      if (typeof v === 'string') attributes[k] = v;
    }
  }
  return {
    participantId,
    stageArn,
    stageId: s(claims.topic) || stageArn.slice(stageArn.lastIndexOf('/') + 1),
    userId: s(claims.user_id),
    attributes,
    canPublish: caps.allow_publish === true,
    canSubscribe: caps.allow_subscribe === true,
    expiresAt: new Date(claims.exp * 1000),
    whipUrl: s(claims.whip_url),
    eventsUrl: s(claims.events_url),
  };
}

/** True when the token can no longer be used to join (or will not be within marginMs). */
export function isTokenExpired(info: StageTokenInfo, now = Date.now(), marginMs = 0): boolean {
  return info.expiresAt.getTime() - marginMs <= now;
}
