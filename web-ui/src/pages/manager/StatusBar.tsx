// The stream manager's status bar (reference §11.7): live or offline, time
// since the session started, concurrent views, health; it opens the
// stream's health page in a new tab.

import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Icon } from '../../components/Icon';
import { formatDuration } from '../health/sessions';
import type { StreamStatus } from './useStreamStatus';

export function StatusBar({ status }: { status: StreamStatus }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!status.live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [status.live]);
  const s = status.session;
  const href = s ? `/health/${encodeURIComponent(s.streamId)}` : '/health';
  return (
    <Link to={href} target="_blank" rel="noopener" className={`status-bar ${status.live ? 'is-live' : ''}`}>
      <span className="status-item">
        {status.live ? <span className="pill pill-live">Live</span> : <span className="pill pill-idle">Offline</span>}
      </span>
      <span className="status-item">
        <span className="status-label">Elapsed</span>
        <span className="status-value" data-testid="elapsed">{status.live && s ? formatDuration(now - Date.parse(s.startTime)) : '—'}</span>
      </span>
      <span className="status-item">
        <span className="status-label">Viewers</span>
        <span className="status-value" data-testid="viewers">{status.live ? (status.views ?? 0) : '—'}</span>
      </span>
      <span className="status-item">
        <span className="status-label">Health</span>
        <span className={`status-value health-${status.health ?? 'none'}`}>{status.live ? (status.health ?? '…') : '—'}</span>
      </span>
      <span className="status-item status-open">
        <Icon name="pulse" size={18} /> <span>Stream health</span>
        {/* The name is the visible text (WCAG 2.5.3), and says where it opens. */}
        <span className="sr-only"> (opens in a new tab)</span>
      </span>
    </Link>
  );
}
