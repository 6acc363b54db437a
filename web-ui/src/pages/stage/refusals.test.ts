import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { isFinal, refusalFromApi, refusalFromMedia } from './refusals';

describe('refusalFromApi', () => {
  it.each([
    ['anonymous on a members-only stage', new ApiError('UnauthorizedException', 'Sign in to join this stage.', 401), undefined, 'signInRequired'],
    ['banned', new ApiError('ForbiddenException', 'The host has banned you from their channel.', 403), 'publisher', 'banned'],
    ['banned, asking for nothing', new ApiError('ForbiddenException', 'The host has banned you from their channel.', 403), undefined, 'banned'],
    ['not invited', new ApiError('ForbiddenException', 'Only users the host invited can publish on this stage.', 403), 'publisher', 'notInvited'],
    ['not invited, other wording', new ApiError('ForbiddenException', 'Nope.', 403), 'publisher', 'notInvited'],
    ['stage full', new ApiError('StageFullException', 'The stage has 12 publishers.', 409), 'publisher', 'stageFull'],
    ['stage ended', new ApiError('StageNotFoundException', 'No stage "x".', 404), undefined, 'stageEnded'],
    ['no signing key', new ApiError('StageTokensUnavailableException', 'x', 503), undefined, 'unavailable'],
    ['network', new ApiError('NetworkError', 'Could not reach the server.', 0), undefined, 'error'],
    ['another 403', new ApiError('ForbiddenException', 'Only the stage\'s owner can join as host.', 403), 'host', 'error'],
    ['not an ApiError', new Error('boom'), undefined, 'error'],
  ] as const)('%s → %s', (_, err, requested, kind) => {
    const r = refusalFromApi(err, requested);
    expect(r.kind).toBe(kind);
    expect(r.title).not.toBe('');
    expect(r.message).not.toBe('');
  });

  it('offers the right way out', () => {
    expect(refusalFromApi(new ApiError('UnauthorizedException', '', 401)).signIn).toBe(true);
    expect(refusalFromApi(new ApiError('ForbiddenException', 'invited', 403), 'publisher').watch).toBe(true);
    expect(refusalFromApi(new ApiError('StageFullException', 'full', 409)).retry).toBe(true);
    expect(refusalFromApi(new ApiError('StageFullException', 'Twelve already.', 409)).message).toBe('Twelve already.');
    expect(refusalFromApi(new ApiError('ForbiddenException', 'banned', 403)).watch).toBeUndefined();
  });
});

describe('refusalFromMedia', () => {
  it.each([
    ['TokenExpired', 'tokenExpired'],
    ['ParticipantDisconnected', 'removed'],
    ['StageFull', 'stageFull'],
    ['StageNotFound', 'stageEnded'],
    ['WrongStage', 'invalidToken'],
    ['InsufficientCapabilities', 'invalidToken'],
    ['Unauthorized', 'invalidToken'],
    ['TooManySubscribers', 'stageFull'],
    ['SomethingNew', 'error'],
    [undefined, 'error'],
  ])('%s → %s', (code, kind) => {
    expect(refusalFromMedia(code, 'm').kind).toBe(kind);
  });

  it('keeps the message of an invalid token and of unknown failures', () => {
    expect(refusalFromMedia('Unauthorized', 'invalid participant token: bad signature').message).toContain('bad signature');
    expect(refusalFromMedia('Weird', 'ICE failed').message).toBe('ICE failed');
  });
});

describe('isFinal', () => {
  it('stops on refusals, retries on failures', () => {
    expect(isFinal(refusalFromMedia('StageNotFound'))).toBe(true);
    expect(isFinal(refusalFromMedia('ParticipantDisconnected'))).toBe(true);
    expect(isFinal(refusalFromMedia('ICE'))).toBe(false);
    expect(isFinal(refusalFromApi(new ApiError('StageTokensUnavailableException', '', 503)))).toBe(false);
  });
});
