// /following — followed channels, live first (the API's order).

import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { CardSkeletons, ChannelCard } from '../components/ChannelCard';
import { Icon } from '../components/Icon';
import { useApi } from '../services';
import { DIRECTORY_POLL_MS } from './Directory';

export default function Following() {
  const api = useApi();
  const q = useQuery({ queryKey: ['following'], queryFn: api.getFollowingList, refetchInterval: DIRECTORY_POLL_MS });
  const live = q.data?.channels.filter((c) => c.isLive).length ?? 0;
  return (
    <main className="container">
      <div className="page-title">
        <h1>Following</h1>
        {q.data && q.data.channels.length > 0 && <span className="muted small">{live} live · {q.data.channels.length} followed</span>}
      </div>
      {q.isPending ? (
        <CardSkeletons />
      ) : q.isError && !q.data ? (
        <div className="state" role="alert">
          <h2>Failed to load channels</h2>
          <button className="btn" onClick={() => void q.refetch()}>Try again</button>
        </div>
      ) : q.data.channels.length === 0 ? (
        <div className="state">
          <Icon name="heart" size={36} />
          <h2>No channels followed</h2>
          <p>Follow channels you like and they show up here, live ones first.</p>
          <Link to="/" className="btn">Browse live streams</Link>
        </div>
      ) : (
        <div className="grid">
          {q.data.channels.map((c) => <ChannelCard key={c.username} channel={c} />)}
        </div>
      )}
    </main>
  );
}
