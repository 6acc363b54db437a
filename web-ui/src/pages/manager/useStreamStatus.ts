// The channel's live state for the stream manager's status bar: the newest
// stream session (polled every 5 s) and, while it is live, its detail
// (concurrent views, health, diagnoses).

import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../services';
import type { StreamSession, StreamSessionSummary } from '../../api/types';
import { findMetric, lastValue, METRIC, toPoints } from '../health/chartData';

export const STATUS_POLL_MS = 5_000;

export interface StreamStatus {
  loading: boolean;
  live: boolean;
  session?: StreamSessionSummary;
  detail?: StreamSession;
  views?: number;
  /** "Stable" / "Poor" from the session's health and diagnoses. */
  health?: 'Stable' | 'Poor';
}

export function useStreamStatus(channelResourceId: string | undefined): StreamStatus {
  const api = useApi();
  const list = useQuery({
    queryKey: ['streamSessions', channelResourceId, 'newest'],
    queryFn: () => api.listStreamSessions(channelResourceId!),
    enabled: !!channelResourceId,
    refetchInterval: STATUS_POLL_MS,
  });
  const newest = list.data?.streamSessions[0];
  const live = !!newest?.isLive;
  const detail = useQuery({
    queryKey: ['streamSession', channelResourceId, newest?.streamId],
    queryFn: () => api.getStreamSession(channelResourceId!, newest!.streamId),
    enabled: !!channelResourceId && live,
    refetchInterval: live ? STATUS_POLL_MS : false,
  });
  const d = live ? detail.data : undefined;
  const views = d ? lastValue(toPoints(findMetric(d.metrics, METRIC.views))) : undefined;
  const poor = d ? !d.isHealthy || d.diagnoses?.some((x) => x.severity === 'error') : false;
  return {
    loading: list.isLoading,
    live,
    session: newest,
    detail: d,
    views,
    health: d ? (poor ? 'Poor' : 'Stable') : undefined,
  };
}
