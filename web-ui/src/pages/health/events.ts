// Stream events and the backend's diagnoses (docs/stream-events.md): which
// events are errors or warnings, and which diagnosis explains each, so the
// list shows the plain-language text next to the event it is about.

import type { Diagnosis, StreamSession } from '../../api/types';

export type StreamEvent = StreamSession['truncatedEvents'][number];
export type Severity = 'error' | 'warning' | 'info';

export function eventSeverity(e: StreamEvent): Severity {
  if (e.type === 'IVS Limit Breach') return 'error';
  if (e.type === 'IVS Stream State Change' && e.name === 'Stream Failure') return 'error';
  if (e.type === 'IVS Stream Health Change' && e.name === 'Starvation Start') return 'warning';
  return 'info';
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The diagnosis id that explains an event, if any. */
export function diagnosisId(e: StreamEvent): string | undefined {
  if (e.type === 'IVS Limit Breach') return `limit-${slug(e.name)}`;
  if (e.type === 'IVS Stream State Change' && e.name === 'Stream Failure') return 'stream-failure';
  if (e.type === 'IVS Stream Health Change' && e.name === 'Starvation Start') return 'starvation';
  return undefined;
}

const LIFECYCLE = ['Session Created', 'Stream Start', 'Starvation Start', 'Starvation End', 'Stream Failure', 'Stream End', 'Session Ended'];
function lifecycle(e: StreamEvent): number {
  const i = LIFECYCLE.indexOf(e.name);
  return i < 0 ? 4.5 : i; // other events (limit breaches, recording) before the stream ends
}

export interface EventRow {
  event: StreamEvent;
  severity: Severity;
  diagnosis?: Diagnosis;
}

/**
 * The events in time order (oldest first, whatever order the API used) with
 * their diagnoses, and the diagnoses no event carries (encoder settings:
 * keyframe interval, bitrate, resolution…), errors first.
 */
export function eventRows(session: Pick<StreamSession, 'truncatedEvents' | 'diagnoses'>): { rows: EventRow[]; general: Diagnosis[] } {
  const diags = new Map((session.diagnoses ?? []).map((d) => [d.id, d]));
  const used = new Set<string>();
  // Event times have one-second precision: within a second, the IVS lifecycle order (as the backend sorts).
  const events = [...(session.truncatedEvents ?? [])].sort(
    (a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime) || lifecycle(a) - lifecycle(b),
  );
  const rows = events.map((event) => {
    const id = diagnosisId(event);
    const diagnosis = id ? diags.get(id) : undefined;
    if (diagnosis) used.add(diagnosis.id);
    return { event, severity: eventSeverity(event), diagnosis };
  });
  const general = (session.diagnoses ?? [])
    .filter((d) => !used.has(d.id))
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { rows, general };
}
