// The participants grid: one tile per publisher (up to 12), laid out by
// gridLayout for the space the grid has. Each tile shows the video (or the
// avatar when there is none), the name, the mute and publishing state and,
// for others, a volume slider and mute button; the host also gets
// "Remove from stage".

import { useEffect, useId, useRef, useState } from 'react';
import { Avatar } from '../../../components/Avatar';
import { Icon } from '../../../components/Icon';
import { gridLayout } from '../layout';
import { displayName, isPublishing, type StageParticipant } from '../participants';
import { MediaVideo } from './MediaVideo';
import { StageIcon } from './StageIcon';

export interface Listening {
  volume: number;
  muted: boolean;
}

function Tile({ p, listening, onListening, onRemove }: {
  p: StageParticipant;
  listening: Listening;
  onListening(l: Listening): void;
  onRemove?: () => void;
}) {
  const name = displayName(p);
  const volId = useId();
  const hasVideo = !!p.stream && p.stream.getVideoTracks().length > 0 && !p.videoStopped;
  const publishing = isPublishing(p);
  const state = p.publishState === 'PUBLISHED' ? 'Publishing' : p.publishState === 'ATTEMPTING_PUBLISH' ? 'Connecting' : 'Not publishing';
  return (
    <li className="stage-tile" aria-label={name} data-testid="stage-tile" data-publish-state={p.publishState}>
      <div className="stage-tile-media">
        {p.stream && (
          <MediaVideo
            stream={p.stream}
            muted={p.isLocal || listening.muted}
            volume={listening.volume}
            mirror={p.isLocal}
            label={`${name}'s video`}
            className={hasVideo ? '' : 'stage-video-hidden'}
          />
        )}
        {!hasVideo && (
          <div className="stage-tile-avatar">
            <Avatar
              avatar={p.avatarUrl ? 'custom' : p.avatar}
              assetUrls={p.avatarUrl ? { avatar: p.avatarUrl } : undefined}
              username={p.username}
              size={72}
            />
          </div>
        )}
      </div>
      <div className="stage-tile-bar">
        <span className="stage-tile-name">
          {p.role === 'host' && <span className="pill pill-mod">Host</span>}
          <span>{name}</span>
        </span>
        <span className="stage-tile-state">
          {p.audioMuted && (
            <span className="stage-badge" role="img" aria-label="Microphone muted" title="Microphone muted"><StageIcon name="micOff" size={16} /></span>
          )}
          {p.videoStopped && (
            <span className="stage-badge" role="img" aria-label="Camera off" title="Camera off"><StageIcon name="cameraOff" size={16} /></span>
          )}
          <span className={`stage-pub ${publishing ? 'stage-pub-on' : ''}`}>{state}</span>
        </span>
      </div>
      {!p.isLocal && (
        <div className="stage-tile-controls">
          <button
            type="button"
            className="btn-icon"
            aria-label={listening.muted ? `Unmute ${name}` : `Mute ${name}`}
            aria-pressed={listening.muted}
            onClick={() => onListening({ ...listening, muted: !listening.muted })}
          >
            <Icon name={listening.muted ? 'mute' : 'volume'} size={18} />
          </button>
          <label htmlFor={volId} className="sr-only">{`Volume of ${name}`}</label>
          <input
            id={volId}
            type="range"
            min={0}
            max={100}
            value={Math.round(listening.volume * 100)}
            onChange={(e) => onListening({ muted: false, volume: Number(e.target.value) / 100 })}
          />
          {onRemove && (
            <button type="button" className="btn btn-sm btn-danger" onClick={onRemove} aria-label={`Remove ${name} from the stage`}>
              Remove
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export function ParticipantGrid({ participants, onRemove, emptyText }: {
  participants: StageParticipant[];
  /** Given to the host: remove anyone but themselves. */
  onRemove?: (p: StageParticipant) => void;
  emptyText?: string;
}) {
  const ref = useRef<HTMLUListElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [listening, setListening] = useState<Record<string, Listening>>({});

  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([e]) => setSize({ w: e.contentRect.width, h: e.contentRect.height }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const layout = gridLayout(participants.length, size.w, size.h);
  return (
    <div className="stage-grid-wrap">
      {participants.length === 0 && <p className="stage-grid-empty muted">{emptyText ?? 'Nobody is publishing yet.'}</p>}
      <ul
        ref={ref}
        className="stage-grid"
        aria-label="Participants"
        data-columns={layout.columns}
        style={{ gridTemplateColumns: `repeat(${layout.columns}, minmax(0, ${layout.tileWidth ? `${layout.tileWidth}px` : '1fr'}))` }}
      >
        {participants.map((p) => (
          <Tile
            key={p.id}
            p={p}
            listening={listening[p.id] ?? { volume: 1, muted: false }}
            onListening={(l) => setListening((s) => ({ ...s, [p.id]: l }))}
            onRemove={onRemove && !p.isLocal ? () => onRemove(p) : undefined}
          />
        ))}
      </ul>
    </div>
  );
}
