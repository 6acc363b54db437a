// The directory's "Stages" section: open stages (GET /stages, public),
// those with people publishing first. Hidden when there are none.

import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Avatar } from '../../components/Avatar';
import { useApi } from '../../services';
import type { StageSummary } from '../../api/types';

export const STAGES_POLL_MS = 10_000;

export function sortStages(stages: StageSummary[]): StageSummary[] {
  return [...stages].sort((a, b) => Number(b.publisherCount > 0) - Number(a.publisherCount > 0) || b.createdAt.localeCompare(a.createdAt));
}

function StageCard({ s }: { s: StageSummary }) {
  const live = s.publisherCount > 0;
  const label = live ? `${s.publisherCount} on stage` : 'Open';
  return (
    <Link to={`/stage/${encodeURIComponent(s.host.username)}`} className="channel-card stage-card" aria-label={`${s.host.username}'s stage, ${live ? `live, ${label}` : 'open'}`}>
      <div className="channel-thumb stage-card-thumb">
        <div className="banner-art banner-dusk" aria-hidden="true" />
        <div className="thumb-avatar">
          <Avatar avatar={s.host.avatarUrl ? 'custom' : s.host.avatar} assetUrls={s.host.avatarUrl ? { avatar: s.host.avatarUrl } : undefined} size={72} live={live} />
        </div>
        {live ? <span className="pill pill-live">Live</span> : <span className="pill pill-offline">Open</span>}
      </div>
      <div className="channel-meta">
        <Avatar avatar={s.host.avatarUrl ? 'custom' : s.host.avatar} assetUrls={s.host.avatarUrl ? { avatar: s.host.avatarUrl } : undefined} size={36} />
        <div style={{ minWidth: 0 }}>
          <strong>{s.host.username}</strong>
          <span className="muted small">Stage · {label}{s.allowAnonymous ? '' : ' · members only'}</span>
        </div>
      </div>
    </Link>
  );
}

export function LiveStages() {
  const api = useApi();
  const q = useQuery({ queryKey: ['stages'], queryFn: () => api.listStages(), refetchInterval: STAGES_POLL_MS });
  const stages = q.data ? sortStages(q.data.stages) : [];
  if (stages.length === 0) return null;
  return (
    <section className="section" aria-labelledby="stages-heading">
      <div className="page-title">
        <h2 id="stages-heading">Stages</h2>
        <span className="muted small">{stages.filter((s) => s.publisherCount > 0).length} live now</span>
      </div>
      <div className="grid">
        {stages.map((s) => <StageCard key={s.id} s={s} />)}
      </div>
    </section>
  );
}
