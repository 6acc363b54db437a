import { describe, expect, it } from 'vitest';
import { decodeStageToken, isTokenExpired, StageTokenError } from './token';
import { stageClientKindFor } from './createStageClient';
import { makeToken } from './testing';

describe('decodeStageToken', () => {
  it('reads the claims a page needs', () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const t = decodeStageToken(`  ${makeToken({ jti: 'p1', stageId: 'S1', publish: false, exp, attributes: { username: 'zoë' } })}\n`);
    expect(t).toEqual({
      participantId: 'p1',
      stageArn: 'arn:aws:ivs:us-east-1:000000000000:stage/S1',
      stageId: 'S1',
      userId: 'user-me',
      attributes: { username: 'zoë' },
      canPublish: false,
      canSubscribe: true,
      expiresAt: new Date(exp * 1000),
      whipUrl: 'https://token-whip.example',
      eventsUrl: 'wss://token-events.example',
    });
    expect(isTokenExpired(t)).toBe(false);
    expect(isTokenExpired(t, Date.now(), 120_000)).toBe(true);
  });

  it.each([
    ['', 'three parts'],
    ['a.b', 'three parts'],
    ['a.%%%.c', 'cannot be read'],
    [`x.${btoa('{"jti":"p"}')}.y`, 'not for an IVS stage'],
  ])('refuses %j', (token, message) => {
    expect(() => decodeStageToken(token)).toThrow(StageTokenError);
    expect(() => decodeStageToken(token)).toThrow(message);
  });
});

describe('stageClientKindFor', () => {
  it('follows stageClient, else offline', () => {
    expect(stageClientKindFor({ offline: true })).toBe('whip');
    expect(stageClientKindFor({ offline: false })).toBe('ivs');
    expect(stageClientKindFor({ offline: false, stageClient: 'whip' })).toBe('whip');
    expect(stageClientKindFor({ offline: true, stageClient: 'ivs' })).toBe('ivs');
  });
});
