// @vitest-environment happy-dom
import { act, render, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import type { MyChannel } from '../api/types';
import { AuthProvider, loadOrProvision, useAuth, type AuthState } from './AuthContext';
import type { AuthBackend, Session } from './cognito';

const session = (token: string): Session => ({ accessToken: token, expiresAt: 0, sub: 'sub-1', username: 'alice' });
const me: MyChannel = { username: 'alice', avatar: 'bear', color: 'blue' };

function fakeBackend(initial: Session | null): AuthBackend & { sessions: (Session | null)[] } {
  const b = {
    sessions: [initial],
    currentSession: vi.fn(async () => (b.sessions.length > 1 ? b.sessions.shift()! : b.sessions[0])),
    signIn: vi.fn(async () => session('signed-in')),
    signUp: vi.fn(), confirmSignUp: vi.fn(), resendConfirmationCode: vi.fn(), forgotPassword: vi.fn(),
    confirmPassword: vi.fn(), changePassword: vi.fn(), globalSignOut: vi.fn(async () => undefined),
    signOut: vi.fn(),
  };
  return b as unknown as AuthBackend & { sessions: (Session | null)[] };
}

function fakeApi(over: Partial<ApiClient> = {}): ApiClient {
  return { getChannel: vi.fn(async () => me), createChannelResources: vi.fn(async () => ({})), ...over } as unknown as ApiClient;
}

function mount(backend: AuthBackend, api: ApiClient) {
  const qc = new QueryClient();
  qc.setQueryData(['cached'], 'from before');
  const ref: { current: AuthState | null } = { current: null };
  function Probe() {
    ref.current = useAuth();
    return null;
  }
  render(
    <QueryClientProvider client={qc}>
      <AuthProvider backend={backend} api={api}>
        <Probe />
      </AuthProvider>
    </QueryClientProvider>,
  );
  return { ref, qc };
}

describe('AuthProvider', () => {
  it('restores a session and loads the channel', async () => {
    const { ref } = mount(fakeBackend(session('a')), fakeApi());
    await waitFor(() => expect(ref.current?.status).toBe('signedIn'));
    expect(ref.current?.channel).toEqual(me);
  });

  it('is signed out without a session', async () => {
    const api = fakeApi();
    const { ref } = mount(fakeBackend(null), api);
    await waitFor(() => expect(ref.current?.status).toBe('signedOut'));
    expect(api.getChannel).not.toHaveBeenCalled();
    await expect(ref.current!.getToken()).resolves.toBeNull();
  });

  it('hands out the refreshed token of each call', async () => {
    const backend = fakeBackend(session('first'));
    const { ref } = mount(backend, fakeApi());
    await waitFor(() => expect(ref.current?.status).toBe('signedIn'));
    backend.sessions = [session('refreshed')];
    await expect(ref.current!.getToken()).resolves.toBe('refreshed');
  });

  it('signs out when the refresh fails (refresh token expired or revoked)', async () => {
    const backend = fakeBackend(session('first'));
    const { ref, qc } = mount(backend, fakeApi());
    await waitFor(() => expect(ref.current?.status).toBe('signedIn'));
    backend.sessions = [null];
    await act(async () => {
      await expect(ref.current!.getToken()).resolves.toBeNull();
    });
    expect(ref.current?.status).toBe('signedOut');
    expect(ref.current?.channel).toBeNull();
    expect(qc.getQueryData(['cached'])).toBeUndefined();
  });

  it('sign-out forgets the session, the channel and cached pages, and keeps a notice', async () => {
    const backend = fakeBackend(session('a'));
    const { ref, qc } = mount(backend, fakeApi());
    await waitFor(() => expect(ref.current?.status).toBe('signedIn'));
    await act(() => ref.current!.signOut('Your account has been successfully deleted.'));
    expect(backend.signOut).toHaveBeenCalled();
    expect(ref.current).toMatchObject({ status: 'signedOut', channel: null, session: null, notice: 'Your account has been successfully deleted.' });
    expect(qc.getQueryData(['cached'])).toBeUndefined();
  });

  it('provisions the channel on first sign-in', async () => {
    let provisioned = false;
    const api = fakeApi({
      getChannel: vi.fn(async () => {
        if (!provisioned) throw new ApiError('ChannelNotProvisionedException', 'not yet', 404);
        return me;
      }),
      createChannelResources: vi.fn(async () => {
        provisioned = true;
        return {};
      }),
    });
    const { ref } = mount(fakeBackend(null), api);
    await waitFor(() => expect(ref.current?.status).toBe('signedOut'));
    await act(() => ref.current!.signIn('alice', 'pw'));
    expect(ref.current?.status).toBe('signedIn');
    expect(api.createChannelResources).toHaveBeenCalledTimes(1);
  });

  it('shows "Try again" when provisioning fails, and retries', async () => {
    let fail = true;
    const api = fakeApi({
      getChannel: vi.fn(async () => {
        if (fail) throw new ApiError('UnexpectedException', 'boom', 500);
        return me;
      }),
    });
    const { ref } = mount(fakeBackend(session('a')), api);
    await waitFor(() => expect(ref.current?.status).toBe('provisionFailed'));
    expect(ref.current?.error).toBe('boom');
    fail = false;
    await act(() => ref.current!.retryProvisioning());
    expect(ref.current?.status).toBe('signedIn');
  });
});

describe('loadOrProvision', () => {
  it('waits out a concurrent provisioning (409)', async () => {
    let calls = 0;
    const api = fakeApi({
      getChannel: vi.fn(async () => {
        if (calls === 0) throw new ApiError('UserNotFoundException', 'x', 404);
        return me;
      }),
      createChannelResources: vi.fn(async () => {
        if (calls++ === 0) throw new ApiError('ConflictException', 'busy', 409);
        return {};
      }),
    });
    await expect(loadOrProvision(api, async () => undefined)).resolves.toEqual(me);
    expect(api.createChannelResources).toHaveBeenCalledTimes(2);
  });
  it('does not provision on other errors', async () => {
    const api = fakeApi({ getChannel: vi.fn(async () => { throw new ApiError('ServiceUnavailableException', 'down', 503); }) });
    await expect(loadOrProvision(api)).rejects.toMatchObject({ status: 503 });
    expect(api.createChannelResources).not.toHaveBeenCalled();
  });
});
