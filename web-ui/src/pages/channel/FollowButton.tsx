// Follow / Following (reference §11.4). Signed out: to /login with the
// channel remembered; back here after login it follows automatically.

import { useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import type { ChannelPage } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { useApi } from '../../services';
import type { LoginState } from '../account/redirect';

export function FollowButton({ channel, onChange }: { channel: ChannelPage; onChange(): void }) {
  const api = useApi();
  const toast = useToast();
  const qc = useQueryClient();
  const { status, channel: me } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [following, setFollowing] = useState(channel.isViewerFollowing);
  const auto = useRef(false);
  const signedIn = status === 'signedIn';
  const own = !!me && me.username.toLowerCase() === channel.username.toLowerCase();

  useEffect(() => setFollowing(channel.isViewerFollowing), [channel.isViewerFollowing]);

  const set = async (follow: boolean) => {
    setBusy(true);
    try {
      if (follow) await api.follow(channel.username);
      else await api.unfollow(channel.username);
      setFollowing(follow);
      void qc.invalidateQueries({ queryKey: ['following'] });
      onChange();
    } catch {
      toast.error(follow ? 'Failed to follow user' : 'Failed to unfollow user');
    } finally {
      setBusy(false);
    }
  };

  // Back from /login with this channel remembered: follow it once.
  const stored = (location.state as LoginState | null)?.locationStoredUsername;
  useEffect(() => {
    if (!signedIn || auto.current || !stored || stored.toLowerCase() !== channel.username.toLowerCase()) return;
    auto.current = true;
    navigate(location.pathname, { replace: true, state: null });
    if (!own && !channel.isViewerFollowing) void set(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedIn, stored, channel.username]);

  if (own) return null;
  if (!signedIn) {
    return (
      <button
        type="button"
        className="btn"
        onClick={() => navigate('/login', { state: { from: location, locationStoredUsername: channel.username } satisfies LoginState })}
      >
        <Icon name="heart" size={18} /> Follow
      </button>
    );
  }
  return following ? (
    <button type="button" className="btn btn-secondary follow-on" onClick={() => void set(false)} disabled={busy} title="Unfollow" aria-pressed="true">
      <Icon name="heart" size={18} /> Following
    </button>
  ) : (
    <button type="button" className="btn" onClick={() => void set(true)} disabled={busy} aria-pressed="false">
      <Icon name="heart" size={18} /> Follow
    </button>
  );
}
