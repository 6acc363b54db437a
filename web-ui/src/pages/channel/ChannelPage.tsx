// /:username and /:username/profile — the player, overlays, chat, follow,
// and the profile view (banner, avatar, colour, moderation menu).

import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { isApiError } from '../../api/errors';
import type { ChannelPage as ChannelPageData } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { Chat } from '../../chat/Chat';
import { Avatar } from '../../components/Avatar';
import { Banner } from '../../components/ChannelCard';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { FullScreenLoader } from '../../components/FullScreenLoader';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { useMenu } from '../../components/useMenu';
import { OverlayView, useOverlays } from '../../overlays/OverlayLayer';
import { VideoPlayer } from '../../player/VideoPlayer';
import { useApi } from '../../services';
import { FollowButton } from './FollowButton';
import { useChannelPage } from './useChannelPage';

function ProfileMenu({ channel, onChange }: { channel: ChannelPageData; onChange(): void }) {
  const api = useApi();
  const toast = useToast();
  const { status, channel: me } = useAuth();
  const { open, setOpen, ref, onMenuKeyDown } = useMenu();
  const [confirm, setConfirm] = useState(false);
  const own = !!me && me.username.toLowerCase() === channel.username.toLowerCase();
  const canModerate = status === 'signedIn' && !own;
  const copyLink = async () => {
    setOpen(false);
    await navigator.clipboard?.writeText(`${window.location.origin}/${channel.username}`).catch(() => undefined);
    toast.success('Channel link copied');
  };
  const toggleBan = async () => {
    try {
      if (channel.isChannelBanned) await api.unban({ bannedUsername: channel.username });
      else await api.ban({ bannedUsername: channel.username });
      toast.success(channel.isChannelBanned ? `${channel.username} was unbanned` : `${channel.username} was banned`);
      onChange();
    } catch {
      toast.error(channel.isChannelBanned ? 'Failed to unban user' : 'Failed to ban user');
    } finally {
      setConfirm(false);
    }
  };
  return (
    <div className="menu-anchor" ref={ref}>
      <button type="button" className="btn btn-secondary btn-icon-only" aria-label="More options" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <Icon name="more" />
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Channel options" onKeyDown={onMenuKeyDown}>
          {canModerate && (
            <button type="button" role="menuitem" className="menu-item menu-item-danger" onClick={() => { setOpen(false); if (channel.isChannelBanned) void toggleBan(); else setConfirm(true); }}>
              <Icon name="ban" /> {channel.isChannelBanned ? 'Unban user' : 'Ban user'}
            </button>
          )}
          <button type="button" role="menuitem" className="menu-item" onClick={() => void copyLink()}>
            <Icon name="copy" /> Copy channel link
          </button>
        </div>
      )}
      <ConfirmDialog open={confirm} title="Ban user" confirmLabel="Ban user" danger onCancel={() => setConfirm(false)} onConfirm={toggleBan}>
        Are you sure you would like to ban {channel.username}? They will no longer be able to chat or watch your channel.
      </ConfirmDialog>
    </div>
  );
}

export default function ChannelPage() {
  const { username = '' } = useParams();
  const location = useLocation();
  const profile = location.pathname.replace(/\/+$/, '').endsWith('/profile');
  const page = useChannelPage(username);
  const { shown, onCue, clear } = useOverlays();
  const [chatShown, setChatShown] = useState(true);
  const data = page.data;

  useEffect(() => {
    if (data && !data.isLive) clear();
  }, [data, clear]);
  useEffect(() => {
    document.title = data ? `${data.username}${data.isLive ? ' (live)' : ''} · onair` : 'onair';
    return () => {
      document.title = 'onair';
    };
  }, [data]);

  if (page.isPending) return <FullScreenLoader label="Loading channel" />;
  if (page.isError && !data) {
    const missing = isApiError(page.error, 'UserNotFoundException') || isApiError(page.error, 'ResourceNotFoundException') || isApiError(page.error, 'BadRequestException');
    return (
      <main className="state-page">
        <h1>{missing ? 'This page is unavailable' : 'This channel could not be loaded'}</h1>
        <p className="muted">{missing ? 'The channel may have moved or been deleted.' : page.error instanceof Error ? page.error.message : ''}</p>
        <div className="row">
          {!missing && <button className="btn" onClick={() => void page.refetch()}>Try again</button>}
          <Link to="/" className={missing ? 'btn' : 'btn btn-secondary'}>Back to directory</Link>
        </div>
      </main>
    );
  }
  const c = data!;
  const size = c.ingestConfiguration?.video?.videoWidth && c.ingestConfiguration.video.videoHeight
    ? { width: c.ingestConfiguration.video.videoWidth, height: c.ingestConfiguration.video.videoHeight }
    : undefined;
  const colorStyle = { ['--channel-color' as string]: `var(--profile-${c.color})`, ['--on-channel-color' as string]: `var(--on-profile-${c.color})` };

  return (
    <main className={`channel ${chatShown ? '' : 'channel-nochat'}`} style={colorStyle}>
      <div className="channel-main">
        {profile && (
          <section className="profile-hero" aria-label="Profile">
            <div className="profile-banner"><Banner channel={c} /></div>
            <div className="profile-row">
              <Avatar avatar={c.avatar} assetUrls={c.channelAssetUrls} username={c.username} size={96} color={c.color} live={c.isLive} className="profile-avatar" />
              <div className="profile-name">
                <h1>{c.username}</h1>
                {/* A banned viewer is not told whether the channel is live (the API leaves isLive out). */}
                {!c.isViewerBanned && <span className="muted">{c.isLive ? 'Live now' : 'Offline'}</span>}
              </div>
              <div className="row">
                <FollowButton channel={c} onChange={() => void page.invalidate()} />
                <ProfileMenu channel={c} onChange={() => void page.invalidate()} />
              </div>
            </div>
          </section>
        )}
        <VideoPlayer
          playbackUrl={c.playbackUrl}
          isLive={!!c.isLive}
          banned={c.isViewerBanned}
          size={size}
          onMetadata={onCue}
          onEnded={clear}
          chatShown={chatShown}
          onToggleChat={() => setChatShown((s) => !s)}
          overlays={<OverlayView shown={shown} />}
        />
        {!profile && (
          <div className="channel-bar">
            <Link to={`/${c.username}/profile`} className="channel-id">
              <Avatar avatar={c.avatar} assetUrls={c.channelAssetUrls} size={52} color={c.color} live={c.isLive} />
              <div>
                <h1 className="channel-name">{c.username}</h1>
                {c.isViewerBanned ? null : c.isLive ? <span className="pill pill-live">Live</span> : <span className="muted small">Offline</span>}
              </div>
              {/* The link's name keeps its visible text (WCAG 2.5.3) and says where it goes. */}
              <span className="sr-only">, profile</span>
            </Link>
            <div className="row">
              <FollowButton channel={c} onChange={() => void page.invalidate()} />
              <ProfileMenu channel={c} onChange={() => void page.invalidate()} />
            </div>
          </div>
        )}
      </div>
      {chatShown && (
        <Chat
          className="channel-chat"
          ownerUsername={c.username}
          viewerBanned={c.isViewerBanned}
          onBanned={() => void page.invalidate()}
        />
      )}
    </main>
  );
}
