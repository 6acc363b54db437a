import { Link } from 'react-router';
import type { ChannelSummary } from '../api/types';
import { Avatar } from './Avatar';

/** A banner image if uploaded, else the preset gradient. */
export function Banner({ channel, className }: { channel: Pick<ChannelSummary, 'banner' | 'channelAssetUrls'>; className?: string }) {
  const url = channel.channelAssetUrls?.banner;
  if (url && (channel.banner === 'custom' || !channel.banner)) return <img src={url} alt="" className={className} loading="lazy" />;
  return <div className={`banner-art banner-${channel.banner ?? 'aurora'} ${className ?? ''}`} aria-hidden="true" />;
}

export function ChannelCard({ channel, live }: { channel: ChannelSummary; live?: boolean }) {
  const isLive = live ?? channel.isLive;
  return (
    <Link
      to={`/${channel.username}`}
      className="channel-card"
      style={{ ['--card-color' as string]: `var(--profile-${channel.color})` }}
      aria-label={`${channel.username}${isLive ? ', live' : ', offline'}`}
    >
      <div className="channel-thumb">
        <Banner channel={channel} />
        <div className="thumb-avatar">
          <Avatar avatar={channel.avatar} assetUrls={channel.channelAssetUrls} size={72} color={channel.color} live={isLive} />
        </div>
        {isLive ? <span className="pill pill-live">Live</span> : <span className="pill pill-offline">Offline</span>}
      </div>
      <div className="channel-meta">
        <Avatar avatar={channel.avatar} assetUrls={channel.channelAssetUrls} size={36} color={channel.color} />
        <div style={{ minWidth: 0 }}>
          <strong>{channel.username}</strong>
          <span className="muted small">{isLive ? 'Streaming now' : 'Offline'}</span>
        </div>
      </div>
    </Link>
  );
}

export function CardSkeletons({ count = 8 }: { count?: number }) {
  return (
    <div className="grid" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <div key={i}>
          <div className="skeleton" style={{ aspectRatio: '16 / 9', borderRadius: 'var(--radius-lg)' }} />
          <div className="row" style={{ padding: '10px 2px' }}>
            <div className="skeleton" style={{ width: 36, height: 36, borderRadius: '50%' }} />
            <div className="skeleton" style={{ width: '50%', height: 14 }} />
          </div>
        </div>
      ))}
    </div>
  );
}
