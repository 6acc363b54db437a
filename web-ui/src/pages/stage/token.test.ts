import { describe, expect, it } from 'vitest';
import { isExpired, parseStageToken, refreshDelay, REFRESH_BEFORE_MS, StageTokenError, tokenRole } from './token';

const b64url = (o: unknown) => {
  const bytes = new TextEncoder().encode(JSON.stringify(o));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const jwt = (claims: unknown, header: unknown = { alg: 'ES384', typ: 'JWT', kid: 'arn:aws:ivs:us-east-1:1:public-key/k' }) =>
  `${b64url(header)}.${b64url(claims)}.c2ln`;

const base = {
  exp: 1_900_000_000,
  iat: 1_899_996_400,
  jti: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  user_id: 'sub-123',
  resource: 'arn:aws:ivs:us-east-1:111122223333:stage/AbCdEf123456',
  topic: 'AbCdEf123456',
  events_url: 'wss://127.0.0.1:4444',
  whip_url: 'https://127.0.0.1:4444',
  attributes: { username: 'ann', role: 'host', avatar: 'tiger', n: 3 },
  version: '1.0',
};

describe('parseStageToken', () => {
  it.each([
    ['publish and subscribe', { allow_publish: true, allow_subscribe: true }, true, true, 'publisher'],
    ['subscribe only (publish omitted, as IVS does)', { allow_subscribe: true }, false, true, 'viewer'],
    ['explicit false', { allow_publish: false, allow_subscribe: true }, false, true, 'viewer'],
    ['publish only', { allow_publish: true }, true, false, 'publisher'],
    ['none', {}, false, false, 'none'],
    ['non-boolean values are not capabilities', { allow_publish: 'true', allow_subscribe: 1 }, false, false, 'none'],
  ])('reads capabilities: %s', (_, capabilities, pub, sub, role) => {
    const t = parseStageToken(jwt({ ...base, capabilities }));
    expect(t.canPublish).toBe(pub);
    expect(t.canSubscribe).toBe(sub);
    expect(tokenRole(t)).toBe(role);
  });

  it('reads identity, stage, expiry, endpoints and string attributes', () => {
    const t = parseStageToken(`  ${jwt({ ...base, capabilities: { allow_subscribe: true } })}\n`);
    expect(t).toMatchObject({
      participantId: base.jti,
      userId: 'sub-123',
      stageArn: base.resource,
      stageId: 'AbCdEf123456',
      expiresAt: base.exp * 1000,
      attributes: { username: 'ann', role: 'host', avatar: 'tiger' },
    });
  });

  it('takes the stage id from the ARN when topic is missing, and decodes UTF-8', () => {
    const t = parseStageToken(jwt({ ...base, topic: undefined, attributes: { username: 'zoë 🎤' } }));
    expect(t.stageId).toBe('AbCdEf123456');
    expect(t.attributes.username).toBe('zoë 🎤');
  });

  it.each([
    ['empty', ''],
    ['two parts', 'eyJhIjoxfQ.eyJhIjoxfQ'],
    ['not base64url', 'a.b$c.d'],
    ['payload not JSON', `${b64url({})}.bm9wZQ.x`],
    ['payload an array', jwt([1, 2])],
    ['no stage', jwt({ ...base, resource: 'arn:aws:ivs:us-east-1:1:channel/x', topic: '' })],
    ['no expiry', jwt({ ...base, exp: undefined })],
    ['a chat token', 'AQICAHh…opaque'],
  ])('refuses %s with a readable error', (_, raw) => {
    expect(() => parseStageToken(raw)).toThrow(StageTokenError);
  });
});

describe('token refresh timing', () => {
  const now = 1_000_000;
  it('refreshes REFRESH_BEFORE_MS before expiry for long tokens', () => {
    expect(refreshDelay(now + 60 * 60_000, now)).toBe(60 * 60_000 - REFRESH_BEFORE_MS);
  });
  it('refreshes at half-life for short tokens', () => {
    expect(refreshDelay(now + 60_000, now)).toBe(30_000);
  });
  it('never schedules faster than once a second', () => {
    expect(refreshDelay(now - 5000, now)).toBe(1000);
  });
  it('knows an expired token', () => {
    expect(isExpired({ expiresAt: now }, now)).toBe(true);
    expect(isExpired({ expiresAt: now + 1 }, now)).toBe(false);
  });
});
