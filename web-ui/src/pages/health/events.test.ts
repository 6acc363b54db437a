import { describe, expect, it } from 'vitest';
import { eventRows, eventSeverity } from './events';

const ev = (name: string, type: string, t: string) => ({ name, type, eventTime: `2026-12-04T10:00:${t}Z` });

describe('events and diagnoses', () => {
  const session = {
    truncatedEvents: [
      ev('Session Ended', 'IVS Stream State Change', '50'),
      ev('Ingest Bitrate', 'IVS Limit Breach', '20'),
      ev('Starvation Start', 'IVS Stream Health Change', '10'),
      ev('Session Created', 'IVS Stream State Change', '00'),
    ],
    diagnoses: [
      { id: 'keyframe-interval', severity: 'warning', title: 'Keyframes too far apart', detail: 'd', fix: 'f' },
      { id: 'starvation', severity: 'warning', title: 'Encoder starved', detail: 'd', fix: 'f' },
      { id: 'limit-ingest-bitrate', severity: 'error', title: 'Ingest Bitrate limit exceeded', detail: 'd', fix: 'f' },
      { id: 'video-bitrate', severity: 'error', title: 'Bitrate too high', detail: 'd', fix: 'f' },
    ],
  };
  it('orders events oldest first and attaches the diagnosis of each error or warning', () => {
    const { rows, general } = eventRows(session);
    expect(rows.map((r) => [r.event.name, r.severity, r.diagnosis?.id])).toEqual([
      ['Session Created', 'info', undefined],
      ['Starvation Start', 'warning', 'starvation'],
      ['Ingest Bitrate', 'error', 'limit-ingest-bitrate'],
      ['Session Ended', 'info', undefined],
    ]);
    expect(general.map((d) => d.id)).toEqual(['video-bitrate', 'keyframe-interval']);
  });
  it('orders events of the same second by the IVS lifecycle', () => {
    const same = (name: string, type = 'IVS Stream State Change') => ({ name, type, eventTime: '2026-12-04T10:00:00Z' });
    const { rows } = eventRows({ truncatedEvents: [same('Session Ended'), same('Stream Start'), same('Stream End'), same('Session Created')], diagnoses: [] });
    expect(rows.map((r) => r.event.name)).toEqual(['Session Created', 'Stream Start', 'Stream End', 'Session Ended']);
  });
  it('classifies stream failures as errors', () => {
    expect(eventSeverity(ev('Stream Failure', 'IVS Stream State Change', '00'))).toBe('error');
    expect(eventSeverity(ev('Starvation End', 'IVS Stream Health Change', '00'))).toBe('info');
  });
});
