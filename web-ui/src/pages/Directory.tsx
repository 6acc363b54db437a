// "/" — the live directory and, for a signed-in user, the following carousel.

import { useRef } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth/AuthContext';
import { Avatar } from '../components/Avatar';
import { CardSkeletons, ChannelCard } from '../components/ChannelCard';
import { Icon } from '../components/Icon';
import { useApi } from '../services';
import { LiveStages } from './stage/LiveStages';
import type { ChannelSummary } from '../api/types';

export const DIRECTORY_POLL_MS = 10_000;
export const MAX_CAROUSEL = 14;

function FollowingCarousel({ channels }: { channels: ChannelSummary[] }) {
  const track = useRef<HTMLDivElement>(null);
  const page = (dir: number) => {
    const el = track.current;
    if (el) el.scrollBy({ left: dir * el.clientWidth * 0.8, behavior: 'smooth' });
  };
  return (
    <section className="section" aria-labelledby="following-heading">
      <div className="page-title">
        <h2 id="following-heading">Following</h2>
        <Link to="/following" className="btn btn-ghost btn-sm">View all</Link>
      </div>
      <div
        className="carousel"
        onKeyDown={(e) => {
          if (e.key === 'ArrowRight') page(1);
          if (e.key === 'ArrowLeft') page(-1);
        }}
      >
        <button type="button" className="btn-icon" aria-label="Previous channels" onClick={() => page(-1)}>
          <Icon name="chevronLeft" />
        </button>
        <div className="carousel-track" ref={track} role="list">
          {channels.slice(0, MAX_CAROUSEL).map((c) => (
            <Link key={c.username} to={`/${c.username}`} className="carousel-item" role="listitem" aria-label={`${c.username}${c.isLive ? ', live' : ''}`}>
              <Avatar avatar={c.avatar} assetUrls={c.channelAssetUrls} size={64} color={c.color} live={c.isLive} />
              <span>{c.username}</span>
            </Link>
          ))}
        </div>
        <button type="button" className="btn-icon" aria-label="Next channels" onClick={() => page(1)}>
          <Icon name="chevronRight" />
        </button>
      </div>
    </section>
  );
}

export default function Directory() {
  const api = useApi();
  const { status } = useAuth();
  const signedIn = status === 'signedIn';
  const live = useQuery({ queryKey: ['channels', 'live'], queryFn: api.listLiveChannels, refetchInterval: DIRECTORY_POLL_MS });
  const following = useQuery({
    queryKey: ['following'],
    queryFn: api.getFollowingList,
    enabled: signedIn,
    refetchInterval: DIRECTORY_POLL_MS,
  });
  return (
    <main className="container">
      {signedIn && following.data && following.data.channels.length > 0 && <FollowingCarousel channels={following.data.channels} />}
      <section aria-labelledby="live-heading">
        <div className="page-title">
          <h1 id="live-heading">Live streams</h1>
          {live.data && live.data.channels.length > 0 && (
            <span className="muted small">{live.data.channels.length} live now</span>
          )}
        </div>
        {live.isPending ? (
          <CardSkeletons />
        ) : live.isError && !live.data ? (
          <div className="state" role="alert">
            <h2>Live streams could not be loaded</h2>
            <p>{live.error instanceof Error ? live.error.message : ''}</p>
            <button className="btn" onClick={() => void live.refetch()}>Try again</button>
          </div>
        ) : live.data.channels.length === 0 ? (
          <div className="state">
            <Icon name="broadcast" size={36} />
            <h2>No live streams available</h2>
            <p>When someone goes live, their stream shows up here.</p>
          </div>
        ) : (
          <div className="grid">
            {live.data.channels.map((c) => (
              <ChannelCard key={c.username} channel={c} live />
            ))}
          </div>
        )}
      </section>
      <LiveStages />
    </main>
  );
}
