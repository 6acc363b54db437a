// The stage while joined, the same on every page: the status line, the
// participants grid, the publisher's controls and (for the host) everyone
// connected with "Remove".

import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { displayName, gridParticipants, isPublishing, viewerCount, type StageParticipant } from '../participants';
import type { StageSession } from '../useStageSession';
import type { LocalMedia } from '../useLocalMedia';
import { Controls } from './Controls';
import { ParticipantGrid } from './ParticipantGrid';

export function StatusLine({ session }: { session: StageSession }) {
  if (session.status === 'reconnecting') {
    return <p className="alert alert-info" role="status">Reconnecting to the stage… (attempt {session.attempt})</p>;
  }
  if (session.status === 'joining') return <p className="muted" role="status">Joining the stage…</p>;
  return null;
}

export function StageView({ session, media, onLeave, leaveLabel, onRemove, toolbarExtra }: {
  session: StageSession;
  /** The local media when this participant may publish. */
  media?: LocalMedia;
  onLeave(): void;
  leaveLabel?: string;
  /** The host's "Remove from stage" (DisconnectParticipant). */
  onRemove?: (p: StageParticipant) => Promise<void>;
  toolbarExtra?: React.ReactNode;
}) {
  const [removing, setRemoving] = useState<StageParticipant | null>(null);
  // The local tile shows the local stream (its own preview, no round trip).
  const all = session.participants.map((p) => (p.isLocal && media ? { ...p, stream: media.stream, audioMuted: media.audioMuted, videoStopped: media.videoStopped } : p));
  const tiles = gridParticipants(all);
  const watching = viewerCount(all);
  const canPublish = !!session.token?.info.canPublish && !!media;
  return (
    <div className="stage-view">
      <StatusLine session={session} />
      <ParticipantGrid
        participants={tiles}
        emptyText={session.status === 'joined' ? 'Nobody is publishing yet. Videos appear here when people go on stage.' : ' '}
      />
      <div className="stage-bar">
        <span className="muted small" aria-live="polite">
          {tiles.filter((p) => isPublishing(p)).length} on stage · {watching} watching
        </span>
        {canPublish ? (
          <Controls media={media!} publishing={session.publishing} onLeave={onLeave} leaveLabel={leaveLabel}>{toolbarExtra}</Controls>
        ) : (
          <div className="stage-controls" role="toolbar" aria-label="Stage controls">
            {toolbarExtra}
            <button type="button" className="btn btn-secondary" onClick={onLeave}>{leaveLabel ?? 'Leave stage'}</button>
          </div>
        )}
      </div>
      {onRemove && all.length > 0 && (
        <section className="card card-pad stage-people" aria-labelledby="stage-people-h">
          <h2 id="stage-people-h">People on the stage ({all.length})</h2>
          <ul>
            {all.map((p) => (
              <li key={p.id} data-testid="stage-person">
                <span className="stage-person-name">{displayName(p)}</span>
                <span className="muted small">
                  {p.role ?? (p.canPublish ? 'publisher' : 'viewer')}
                  {isPublishing(p) ? ' · publishing' : ''}
                  {p.audioMuted ? ' · muted' : ''}
                </span>
                {!p.isLocal && (
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => setRemoving(p)} aria-label={`Remove ${displayName(p)} from the stage`}>
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <ConfirmDialog
        open={!!removing}
        title="Remove from the stage"
        confirmLabel="Remove"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing && onRemove) await onRemove(removing);
          setRemoving(null);
        }}
      >
        {removing && `${displayName(removing)} will be disconnected from the stage at once.`}
      </ConfirmDialog>
    </div>
  );
}
