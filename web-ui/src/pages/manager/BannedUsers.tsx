// The users the streamer banned (GET /channel/bans), each with "Unban".
// A ban from the moderator chat refreshes the list at once (the chat
// invalidates BANNED_USERS_KEY); the polling catches bans made elsewhere
// (the channel page's chat in another tab).

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../services';
import { Avatar } from '../../components/Avatar';
import { useToast } from '../../components/Toasts';
import { BANNED_USERS_KEY } from '../../chat/queryKeys';

export const BANNED_POLL_MS = 30_000;

export function BannedUsers() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const q = useQuery({ queryKey: BANNED_USERS_KEY, queryFn: api.listBannedUsers, refetchInterval: BANNED_POLL_MS });
  const unban = useMutation({
    mutationFn: (username: string) => api.unban({ bannedUsername: username }),
    onSuccess: (_, username) => {
      toast.success(`${username} was unbanned`);
      void qc.invalidateQueries({ queryKey: BANNED_USERS_KEY });
    },
    onError: () => toast.error('Failed to unban user'),
  });
  const users = q.data?.bannedUsers ?? [];
  return (
    <section className="banned" aria-labelledby="banned-title">
      <h3 id="banned-title">Banned users {users.length > 0 && <span className="faint">({users.length})</span>}</h3>
      {q.isError && <p className="field-error" role="alert">Could not load the banned users.</p>}
      {q.isSuccess && users.length === 0 && <p className="muted small">Nobody is banned.</p>}
      {users.length > 0 && (
        <ul className="banned-list" aria-label="Banned users">
          {users.map((u) => (
            <li key={u.username}>
              <Avatar avatar={u.avatar} assetUrls={u.channelAssetUrls} size={28} color={u.color} />
              <span className="grow">{u.username}</span>
              <button type="button" className="btn btn-secondary btn-sm" aria-label={`Unban ${u.username}`} disabled={unban.isPending} onClick={() => unban.mutate(u.username)}>
                Unban
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
