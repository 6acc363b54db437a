// Stream health (/health, /health/:streamId; reference §11.8): the session
// navigator, the metrics charts (refreshed every 5 s while live), the events
// with the backend's diagnoses, and the encoder configuration checked
// against IVS's recommendations.

import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useAuth } from '../../auth/AuthContext';
import { isApiError } from '../../api/errors';
import type { Diagnosis, StreamSession } from '../../api/types';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { useApi } from '../../services';
import { Modal } from '../manager/Modal';
import { Chart } from './Chart';
import { align, canSlide, findMetric, mbps, METRIC, toMbps, toPoints, ZOOMS, zoomWindow, type ZoomLabel } from './chartData';
import { encoderRows } from './encoder';
import { eventRows } from './events';
import { formatDuration, groupSessions, sessionLabel } from './sessions';
import '../manager/manager.css';

export const LIVE_POLL_MS = 5_000;
export const LIST_POLL_MS = 15_000;

function Navigator({ channelId, selected }: { channelId: string; selected?: string }) {
  const api = useApi();
  const q = useInfiniteQuery({
    queryKey: ['streamSessions', channelId, 'all'],
    queryFn: ({ pageParam }) => api.listStreamSessions(channelId, pageParam || undefined),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextToken || undefined,
    refetchInterval: LIST_POLL_MS,
  });
  const sessions = useMemo(() => q.data?.pages.flatMap((p) => p.streamSessions) ?? [], [q.data]);
  const groups = useMemo(() => groupSessions(sessions, new Date()), [sessions]);
  const navigate = useNavigate();

  // /health opens the newest session.
  useEffect(() => {
    if (!selected && sessions.length) navigate(`/health/${encodeURIComponent(sessions[0].streamId)}`, { replace: true });
  }, [navigate, selected, sessions]);

  if (q.isLoading) return <nav className="sessions card" aria-label="Stream sessions"><div className="skeleton" style={{ height: 160 }} /></nav>;
  if (q.isError) return <nav className="sessions card card-pad" aria-label="Stream sessions"><p className="field-error" role="alert">Could not load your stream sessions.</p><button className="btn btn-sm" onClick={() => void q.refetch()}>Try again</button></nav>;
  if (!sessions.length) {
    return (
      <nav className="sessions card card-pad" aria-label="Stream sessions">
        <div className="state">
          <h2>No stream sessions</h2>
          <p className="muted">Stream sessions will show up here when there is data.</p>
        </div>
      </nav>
    );
  }
  return (
    <nav className="sessions card" aria-label="Stream sessions">
      {groups.map((g) => (
        <div key={g.label} className="session-group">
          <h2 className="session-group-title">{g.label}</h2>
          <ul>
            {g.sessions.map((s) => (
              <li key={s.streamId}>
                <Link
                  to={`/health/${encodeURIComponent(s.streamId)}`}
                  className={`session-link ${s.streamId === selected ? 'active' : ''}`}
                  aria-current={s.streamId === selected ? 'page' : undefined}
                >
                  <span className="grow">{sessionLabel(s)}</span>
                  {s.isLive && <span className="pill pill-live">Live</span>}
                  {s.hasErrorEvent && <span className="dot-error" role="img" title="Has errors" aria-label="Has errors" />}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {q.hasNextPage && (
        <div className="card-pad-x" style={{ paddingBottom: 12 }}>
          <button type="button" className="btn btn-secondary btn-sm btn-block" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
            Load more sessions
          </button>
        </div>
      )}
    </nav>
  );
}

function Charts({ session }: { session: StreamSession }) {
  const [zoom, setZoom] = useState<ZoomLabel>('All');
  const [position, setPosition] = useState(1);
  const bitrate = toMbps(toPoints(findMetric(session.metrics, METRIC.bitrate)));
  const framerate = toPoints(findMetric(session.metrics, METRIC.framerate));
  const keyframe = toPoints(findMetric(session.metrics, METRIC.keyframe));
  const views = toPoints(findMetric(session.metrics, METRIC.views));
  const [xs, br, fr] = align(bitrate, framerate);
  const [xk, kf, vw] = align(keyframe, views);
  const first = Math.min(xs[0] ?? Infinity, xk[0] ?? Infinity);
  const last = Math.max(xs[xs.length - 1] ?? -Infinity, xk[xk.length - 1] ?? -Infinity);
  const seconds = ZOOMS.find((z) => z.label === zoom)!.seconds;
  const hasData = Number.isFinite(first) && Number.isFinite(last);
  const win = hasData ? zoomWindow(first, last, seconds, position) : undefined;
  const slide = hasData && canSlide(first, last, seconds);
  const avg = (label: string) => findMetric(session.metrics, label)?.statistics?.average;

  const stat = (label: string, v: number | undefined, unit: string) => (
    <div className="metric-stat"><dt>{label}</dt><dd>{v === undefined ? '—' : `${+v.toFixed(2)} ${unit}`}</dd></div>
  );
  return (
    <section className="card card-pad" aria-labelledby="charts-title">
      <div className="section-head">
        <h2 id="charts-title">Metrics</h2>
        <div className="zoom" role="group" aria-label="Zoom">
          {ZOOMS.map((z) => (
            <button key={z.label} type="button" className={`btn btn-sm ${zoom === z.label ? '' : 'btn-ghost'}`} aria-pressed={zoom === z.label} onClick={() => { setZoom(z.label); setPosition(1); }}>
              {z.label}
            </button>
          ))}
        </div>
      </div>
      <dl className="metric-stats">
        {stat('Average video bitrate', mbps(avg(METRIC.bitrate)), 'Mbps')}
        {stat('Average frame rate', avg(METRIC.framerate), 'fps')}
        {stat('Average keyframe interval', avg(METRIC.keyframe), 's')}
        {stat('Average concurrent views', avg(METRIC.views), '')}
      </dl>
      <div className="charts-grid">
        <Chart title="Video bitrate" unit="Mbps" data={[xs, br]} color="#7c5cff" syncKey="health" window={win} />
        <Chart title="Frame rate" unit="fps" data={[xs, fr]} color="#20a86b" syncKey="health" window={win} format={(v) => v.toFixed(1)} />
        <Chart title="Keyframe interval" unit="s" data={[xk, kf]} color="#f5a524" syncKey="health" window={win} height={150} />
        <Chart title="Concurrent views" unit="viewers" data={[xk, vw]} color="#3a7bfd" syncKey="health" window={win} height={150} format={(v) => String(Math.round(v))} />
      </div>
      {slide && (
        <div className="field zoom-slider">
          <label htmlFor="zoom-slider">Zoom position</label>
          <input id="zoom-slider" type="range" min={0} max={1000} value={Math.round(position * 1000)} onChange={(e) => setPosition(e.target.valueAsNumber / 1000)} />
        </div>
      )}
    </section>
  );
}

function DiagnosisBox({ d }: { d: Diagnosis }) {
  return (
    <div className={`diagnosis diagnosis-${d.severity}`}>
      <strong>{d.title}</strong>
      <p>{d.detail}</p>
      <details>
        <summary>Learn how to fix it</summary>
        <p>{d.fix}</p>
      </details>
    </div>
  );
}

function Events({ session }: { session: StreamSession }) {
  const { rows, general } = eventRows(session);
  return (
    <section className="card card-pad" aria-labelledby="events-title">
      <h2 id="events-title">Stream events</h2>
      {general.length > 0 && (
        <div className="stack" role="group" aria-label="Diagnoses">
          {general.map((d) => <DiagnosisBox key={d.id} d={d} />)}
        </div>
      )}
      {rows.length === 0 ? (
        <p className="muted">No stream events</p>
      ) : (
        <ol className="events" aria-label="Events">
          {rows.map((r, i) => (
            <li key={`${r.event.eventTime}-${r.event.name}-${i}`} className={`event event-${r.severity}`}>
              <time dateTime={r.event.eventTime}>{new Date(r.event.eventTime).toLocaleTimeString()}</time>
              <div className="grow">
                <span className="event-name">{r.event.name}</span>
                <span className="faint small"> · {r.event.type.replace(/^IVS /, '')}</span>
                {r.diagnosis && <DiagnosisBox d={r.diagnosis} />}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function EncoderPanel({ session }: { session: StreamSession }) {
  const toast = useToast();
  const rows = encoderRows(session, findMetric(session.metrics, METRIC.keyframe)?.statistics?.average);
  const copy = async (label: string, value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      toast.success(`${label} copied`);
    } catch {
      toast.error('Could not copy');
    }
  };
  return (
    <section className="card card-pad" aria-labelledby="encoder-title">
      <h2 id="encoder-title">Encoder configuration</h2>
      {rows.length === 0 ? (
        <p className="muted">IVS has not reported the encoder configuration of this session yet.</p>
      ) : (
        <dl className="encoder">
          {rows.map((r) => (
            <div key={r.label} className={`encoder-row encoder-${r.check}`}>
              <dt>{r.label}</dt>
              <dd>
                <span className="encoder-value">{r.value}</span>
                <span className={`check check-${r.check}`} role="img" aria-label={r.check === 'ok' ? 'Recommended' : r.check === 'warning' ? 'Not recommended' : 'Outside IVS limits'}>
                  <Icon name={r.check === 'ok' ? 'check' : 'close'} size={14} />
                </span>
                <button type="button" className="btn-icon" aria-label={`Copy ${r.label}`} onClick={() => void copy(r.label, r.value)}>
                  <Icon name="copy" size={16} />
                </button>
                {r.advice && <p className="encoder-advice small">{r.advice}</p>}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** Whether nothing about the session changes any more (it is not live and has its end). */
function isOver(s: Pick<StreamSession, 'isLive' | 'endTime'>): boolean {
  return !s.isLive && !!s.endTime;
}

function SessionView({ channelId, streamId }: { channelId: string; streamId: string }) {
  const api = useApi();
  const q = useQuery({
    queryKey: ['streamSession', channelId, streamId],
    queryFn: () => api.getStreamSession(channelId, streamId),
    // Polled until the session has ended: while live, and also while it is
    // starting (Session Created, no Stream Start yet) or its Session Ended
    // has not arrived, or a session opened in its first second would stay
    // as it was then.
    refetchInterval: (query) => (query.state.data && !isOver(query.state.data) ? LIVE_POLL_MS : false),
  });
  const wasLive = useRef<boolean | null>(null);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    const live = q.data?.isLive;
    if (live === undefined) return;
    if (wasLive.current === true && !live) setEnded(true);
    wasLive.current = live;
  }, [q.data?.isLive]);
  useEffect(() => {
    wasLive.current = null;
    setEnded(false);
  }, [streamId]);

  if (q.isLoading) return <div className="skeleton" style={{ height: 320 }} />;
  if (q.isError) {
    const notFound = isApiError(q.error, 'StreamSessionNotFoundException');
    return (
      <div className="state">
        <h2>{notFound ? 'Session not found' : 'Could not load this session'}</h2>
        <p className="muted">{notFound ? 'It may belong to another channel, or IVS has not reported it yet.' : (q.error as Error).message}</p>
        {!notFound && <button className="btn btn-sm" onClick={() => void q.refetch()}>Try again</button>}
      </div>
    );
  }
  const s = q.data!;
  const end = s.endTime ? Date.parse(s.endTime) : Date.now();
  return (
    <div className="stack">
      <div className="session-head card card-pad">
        <div>
          <div className="row">
            {s.isLive ? <span className="pill pill-live">Live</span> : <span className="pill pill-idle">{isOver(s) ? 'Ended' : 'Starting'}</span>}
            <strong>{new Date(s.startTime).toLocaleString()}</strong>
          </div>
          <p className="muted small">
            {s.isLive ? 'Live for' : isOver(s) ? 'Lasted' : 'Started'} {formatDuration(end - Date.parse(s.startTime))}{!s.isLive && !isOver(s) ? ' ago' : ''} · {s.channel?.type ?? ''} channel ·{' '}
            <span className={s.isHealthy && !s.diagnoses?.some((d) => d.severity === 'error') ? 'health-Stable' : 'health-Poor'}>
              {s.isHealthy && !s.diagnoses?.some((d) => d.severity === 'error') ? 'Stable' : 'Poor'}
            </span>
          </p>
        </div>
        <code className="faint small">{s.streamId}</code>
      </div>
      <Charts session={s} />
      <div className="health-bottom">
        <Events session={s} />
        <EncoderPanel session={s} />
      </div>
      {ended && (
        <Modal title="Live stream ended" onClose={() => setEnded(false)}>
          <p className="muted">The stream you were watching has ended. Reload to see its final metrics and events.</p>
          <div className="modal-actions">
            <button type="button" className="btn btn-secondary" onClick={() => setEnded(false)}>Close</button>
            <button type="button" className="btn" onClick={() => window.location.reload()}>Reload</button>
          </div>
        </Modal>
      )}
    </div>
  );
}

export default function StreamHealth() {
  const { channel } = useAuth();
  const { streamId } = useParams();
  const api = useApi();
  const channelId = channel?.channelResourceId;
  // Whether the user has ever streamed decides the notification to Settings.
  const first = useQuery({
    queryKey: ['streamSessions', channelId, 'newest'],
    queryFn: () => api.listStreamSessions(channelId!),
    enabled: !!channelId,
  });
  if (!channelId) return null;
  const never = first.isSuccess && first.data.streamSessions.length === 0;
  return (
    <main className="container health">
      <div className="page-title">
        <h1>Stream health</h1>
      </div>
      {never && (
        <div className="alert alert-info health-notice" role="status">
          <span>To monitor stream health you must first start a live stream.</span>
          <Link to="/settings" className="btn btn-sm">Settings</Link>
        </div>
      )}
      <div className="health-grid">
        <Navigator channelId={channelId} selected={streamId} />
        <div className="health-main">
          {streamId ? (
            <SessionView channelId={channelId} streamId={streamId} />
          ) : never ? (
            <div className="state">
              <Icon name="pulse" size={32} />
              <h2>No stream sessions</h2>
              <p className="muted">Stream sessions will show up here when there is data.</p>
            </div>
          ) : (
            <div className="skeleton" style={{ height: 320 }} />
          )}
        </div>
      </div>
    </main>
  );
}
