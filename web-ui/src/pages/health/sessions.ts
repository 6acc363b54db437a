// The session navigator's grouping (reference §11.8): "Today", "Previous 7
// days", "Previous 30 days", "Earlier", by the session's start in the
// viewer's local time. Groups keep the API's order (newest first) and empty
// groups are left out.

import type { StreamSessionSummary } from '../../api/types';

export const GROUPS = ['Today', 'Previous 7 days', 'Previous 30 days', 'Earlier'] as const;
export type GroupLabel = (typeof GROUPS)[number];

const DAY = 86_400_000;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function groupOf(start: Date, now: Date): GroupLabel {
  const today = startOfDay(now);
  const t = start.getTime();
  if (t >= today) return 'Today';
  if (t >= today - 7 * DAY) return 'Previous 7 days';
  if (t >= today - 30 * DAY) return 'Previous 30 days';
  return 'Earlier';
}

export function groupSessions(sessions: StreamSessionSummary[], now: Date): { label: GroupLabel; sessions: StreamSessionSummary[] }[] {
  const by = new Map<GroupLabel, StreamSessionSummary[]>();
  const seen = new Set<string>();
  for (const s of sessions) {
    if (seen.has(s.streamId)) continue; // pages may overlap if a session starts between two fetches
    seen.add(s.streamId);
    const g = groupOf(new Date(s.startTime), now);
    if (!by.has(g)) by.set(g, []);
    by.get(g)!.push(s);
  }
  return GROUPS.filter((g) => by.has(g)).map((label) => ({ label, sessions: by.get(label)! }));
}

/** "Dec 4, 18:30 – 19:05" style label; "Live" when it has not ended. */
export function sessionLabel(s: StreamSessionSummary, locale?: string): string {
  const start = new Date(s.startTime);
  const day = start.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
  const time = (d: Date) => d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (s.isLive) return `${day}, ${time(start)} – now`;
  return s.endTime ? `${day}, ${time(start)} – ${time(new Date(s.endTime))}` : `${day}, ${time(start)}`;
}

/** h:mm:ss or m:ss between two instants. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}
