import { describe, expect, it, vi } from 'vitest';
import { ApiClient, uploadWithPresignedPost } from './client';
import { ApiError, toApiError } from './errors';

type Call = { url: string; init: RequestInit };

function fake(status: number, body?: unknown, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

const client = (f: typeof fetch, token: string | null = 'tok') =>
  new ApiClient({ baseUrl: 'http://api.test/', token: async () => token, fetch: f });

describe('ApiClient', () => {
  it('sends the bare access token and JSON bodies', async () => {
    const { fetchImpl, calls } = fake(200, { username: 'new' });
    await expect(client(fetchImpl).updateUsername('new')).resolves.toEqual({ username: 'new' });
    expect(calls[0].url).toBe('http://api.test/channel/username/update');
    expect(calls[0].init.method).toBe('PUT');
    expect(calls[0].init.headers).toEqual({ Authorization: 'tok', 'Content-Type': 'application/json' });
    expect(calls[0].init.body).toBe('{"newUsername":"new"}');
  });

  it('has no body and no content type on GET', async () => {
    const { fetchImpl, calls } = fake(200, { channels: [], maxResults: 50 });
    await client(fetchImpl).getFollowingList();
    expect(calls[0].init.body).toBeUndefined();
    expect(calls[0].init.headers).toEqual({ Authorization: 'tok' });
  });

  it('treats 204 as success without a body', async () => {
    const { fetchImpl } = fake(204);
    await expect(client(fetchImpl).deleteAccount()).resolves.toBeUndefined();
    await expect(client(fetchImpl).follow('x')).resolves.toBeUndefined();
  });

  it('maps {__type, message} errors', async () => {
    const { fetchImpl } = fake(404, { __type: 'UserNotFoundException', message: 'No channel is named "ghost".' });
    const err = await client(fetchImpl).getChannelPage('ghost').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ type: 'UserNotFoundException', status: 404, message: 'No channel is named "ghost".' });
  });

  it("maps API Gateway's own answers by status", async () => {
    const { fetchImpl } = fake(401, { message: 'Unauthorized' });
    await expect(client(fetchImpl).getChannel()).rejects.toMatchObject({ type: 'UnauthorizedException', status: 401, message: 'Unauthorized' });
    const gw = fake(429, { message: 'Too Many Requests' });
    await expect(client(gw.fetchImpl).getChannel()).rejects.toMatchObject({ type: 'TooManyRequestsException' });
    const crash = fake(502, 'Bad Gateway');
    await expect(client(crash.fetchImpl).getChannel()).rejects.toMatchObject({ type: 'UnexpectedException', message: 'Bad Gateway' });
  });

  it('refuses signed-in routes without a session, and sends none on public ones', async () => {
    const { fetchImpl, calls } = fake(200, { channels: [], maxResults: 50 });
    await expect(client(fetchImpl, null).getChannel()).rejects.toMatchObject({ type: 'UnauthorizedException' });
    expect(calls).toHaveLength(0);
    await client(fetchImpl, null).getChannelPage('alice');
    expect(calls[0].init.headers).toEqual({});
    await client(fetchImpl, 'tok').listLiveChannels();
    expect(calls[1].url).toBe('http://api.test/channels?isLive=true');
    expect(calls[1].init.headers).toEqual({});
  });

  it('attaches the token on optional-login routes when signed in', async () => {
    const { fetchImpl, calls } = fake(200, { token: 't', capabilities: [] });
    await client(fetchImpl).createChatToken('Alice');
    expect(calls[0].init.headers).toMatchObject({ Authorization: 'tok' });
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ chatRoomOwnerUsername: 'Alice' });
  });

  it('encodes path parameters and query strings', async () => {
    const { fetchImpl, calls } = fake(200, {});
    const c = client(fetchImpl);
    await c.searchProducts('red shoes/tall', { sort: 'Price:LowToHigh', page: 2, origin: 'sort' });
    await c.listStreamSessions('AbC', 'n/t+=');
    await c.revokeStageInvite('st-1', 'bob smith');
    await c.stopStreamAction();
    expect(calls.map((x) => x.url)).toEqual([
      'http://api.test/products/red%20shoes%2Ftall?sort=Price%3ALowToHigh&page=2&origin=sort',
      'http://api.test/metrics/AbC/streamSessions?nextToken=n%2Ft%2B%3D',
      'http://api.test/stages/st-1/invites/bob%20smith',
      'http://api.test/channel/actions/send',
    ]);
    expect(calls[3].init.body).toBe('{}');
  });

  it('reports a network failure as NetworkError', async () => {
    const f = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(client(f).getChannel()).rejects.toMatchObject({ type: 'NetworkError', status: 0 });
  });
});

describe('toApiError', () => {
  it('strips AWS JSON type prefixes', () => {
    expect(toApiError(400, { __type: 'com.amazonaws.cognito#InvalidParameterException', message: 'm' }).type).toBe('InvalidParameterException');
  });
  it('has a message for empty 500s', () => {
    expect(toApiError(500, undefined)).toMatchObject({ type: 'UnexpectedException', message: 'An unexpected error occurred.' });
  });
});

describe('uploadWithPresignedPost', () => {
  it('posts the fields, then Content-Type, then the file last, and builds the preview', async () => {
    const { fetchImpl, calls } = fake(204, undefined, {
      Location: 'http://s3.test/bucket/id/avatar',
      'x-amz-version-id': 'v1+2',
      Date: 'Sat, 10 Jan 2026 17:59:58 GMT',
    });
    const out = await uploadWithPresignedPost(
      { url: 'http://s3.test/bucket', fields: { key: 'id/avatar', policy: 'p', 'x-amz-signature': 's' } },
      new Blob(['png'], { type: 'image/png' }),
      'image/png',
      fetchImpl,
    );
    expect(out).toEqual({ previewUrl: 'http://s3.test/bucket/id/avatar?versionId=v1%2B2', uploadDateTime: 'Sat, 10 Jan 2026 17:59:58 GMT' });
    const form = calls[0].init.body as FormData;
    expect([...form.keys()]).toEqual(['key', 'policy', 'x-amz-signature', 'Content-Type', 'file']);
    expect(form.get('Content-Type')).toBe('image/png');
  });

  it("reports S3's XML error", async () => {
    const { fetchImpl } = fake(403, '<Error><Code>AccessDenied</Code><Message>Policy expired.</Message></Error>');
    await expect(uploadWithPresignedPost({ url: 'http://s3.test/b', fields: {} }, new Blob(['x']), 'image/png', fetchImpl)).rejects.toMatchObject({
      type: 'AccessDenied',
      message: 'Policy expired.',
      status: 403,
    });
  });
});
