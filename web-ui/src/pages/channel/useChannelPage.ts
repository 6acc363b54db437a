import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../../auth/AuthContext';
import { useApi } from '../../services';

export const CHANNEL_POLL_MS = 5_000;

/** GET /channels/:username, polled; keyed by the viewer so flags reset on login/logout. */
export function useChannelPage(username: string) {
  const api = useApi();
  const { session, status } = useAuth();
  const viewer = status === 'signedIn' ? (session?.sub ?? '') : 'anonymous';
  const key = ['channelPage', username.toLowerCase(), viewer];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.getChannelPage(username),
    refetchInterval: CHANNEL_POLL_MS,
    enabled: status !== 'loading' && status !== 'provisioning',
  });
  const qc = useQueryClient();
  return { ...q, invalidate: () => qc.invalidateQueries({ queryKey: key }) };
}
