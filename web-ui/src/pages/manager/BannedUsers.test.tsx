// @vitest-environment happy-dom
// A ban from the moderator chat shows in the banned list at once, not at
// the list's next poll; an unban takes the user off it.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../../api/client';
import type { BannedUser } from '../../api/types';
import type { AppConfig } from '../../config';
import { Chat } from '../../chat/Chat';
import { ToastProvider } from '../../components/Toasts';
import { ServicesProvider } from '../../services';
import { BANNED_POLL_MS, BannedUsers } from './BannedUsers';

vi.mock('../../auth/AuthContext', () => ({
  useAuth: () => ({ status: 'signedIn', session: { sub: 'sub-owner', username: 'owner' } }),
}));
const dropUser = vi.fn();
vi.mock('../../chat/useChatRoom', () => ({
  useChatRoom: () => ({
    status: 'connected',
    capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
    messages: [{ id: 'm1', userId: 'sub-fan', content: 'hello', sendTime: new Date(), displayName: 'fan', channelArn: 'arn:fan' }],
    send: vi.fn(),
    remove: vi.fn(),
    dropUser,
  }),
}));

const fan: BannedUser = { username: 'fan', avatar: 'bear', color: 'blue', channelArn: 'arn:fan', bannedAt: '2026-12-05T01:00:00Z' } as BannedUser;

function mount() {
  let banned: BannedUser[] = [];
  const api = {
    listBannedUsers: vi.fn(async () => ({ bannedUsers: banned })),
    ban: vi.fn(async () => {
      banned = [fan];
      return {};
    }),
    unban: vi.fn(async () => {
      banned = [];
      return {};
    }),
  } as unknown as ApiClient;
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <ServicesProvider value={{ api, config: {} as AppConfig }}>
        <ToastProvider>
          <MemoryRouter>
            <Chat ownerUsername="owner" moderator />
            <BannedUsers />
          </MemoryRouter>
        </ToastProvider>
      </ServicesProvider>
    </QueryClientProvider>,
  );
  return api;
}

describe('the banned list and the moderator chat', () => {
  it('a ban from the chat is listed right away, far sooner than the poll', async () => {
    expect(BANNED_POLL_MS).toBeGreaterThan(5_000);
    const api = mount();
    await screen.findByText('Nobody is banned.');
    fireEvent.click(screen.getByRole('button', { name: 'Ban user' }));
    const dialog = screen.getByRole('dialog', { name: 'Ban user' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Ban user' }));
    // waitFor gives up after 1 s: only the invalidation can make it.
    const list = await screen.findByRole('list', { name: 'Banned users' }, { timeout: 1_000 });
    expect(within(list).getByText('fan')).toBeTruthy();
    expect(api.ban).toHaveBeenCalledWith({ bannedChannelArn: 'arn:fan' });
    expect(dropUser).toHaveBeenCalledWith('sub-fan');
    expect(api.listBannedUsers).toHaveBeenCalledTimes(2);

    fireEvent.click(within(list).getByRole('button', { name: 'Unban fan' }));
    await waitFor(() => expect(screen.getByText('Nobody is banned.')).toBeTruthy(), { timeout: 1_000 });
    expect(api.unban).toHaveBeenCalledWith({ bannedUsername: 'fan' });
  });
});
