// The publisher's controls while on the stage: microphone, camera, screen
// share, leave. Toggle buttons expose their state with aria-pressed and
// name what they do.

import type { LocalMedia } from '../useLocalMedia';
import { StageIcon } from './StageIcon';

export function Controls({ media, publishing, onLeave, leaveLabel = 'Leave stage', children }: {
  media: LocalMedia;
  publishing: boolean;
  onLeave(): void;
  leaveLabel?: string;
  children?: React.ReactNode;
}) {
  const canShare = typeof navigator !== 'undefined' && !!navigator.mediaDevices && 'getDisplayMedia' in navigator.mediaDevices;
  return (
    <div className="stage-controls" role="toolbar" aria-label="Stage controls">
      {publishing && (
        <span className="stage-live" role="status">🔴 Publishing</span>
      )}
      <button
        type="button"
        className={`btn btn-secondary ${media.audioMuted ? 'stage-off' : ''}`}
        aria-pressed={media.audioMuted}
        aria-label={media.audioMuted ? 'Unmute microphone' : 'Mute microphone'}
        disabled={!media.stream}
        onClick={() => media.setAudioMuted(!media.audioMuted)}
      >
        <StageIcon name={media.audioMuted ? 'micOff' : 'mic'} />
        <span className="stage-control-text">{media.audioMuted ? 'Unmute' : 'Mute'}</span>
      </button>
      <button
        type="button"
        className={`btn btn-secondary ${media.videoStopped ? 'stage-off' : ''}`}
        aria-pressed={media.videoStopped}
        aria-label={media.videoStopped ? 'Turn camera on' : 'Turn camera off'}
        disabled={!media.stream}
        onClick={() => media.setVideoStopped(!media.videoStopped)}
      >
        <StageIcon name={media.videoStopped ? 'cameraOff' : 'camera'} />
        <span className="stage-control-text">{media.videoStopped ? 'Camera on' : 'Camera off'}</span>
      </button>
      {canShare && (
        <button
          type="button"
          className="btn btn-secondary"
          aria-pressed={media.sharingScreen}
          aria-label={media.sharingScreen ? 'Stop sharing screen' : 'Share screen'}
          disabled={!media.stream}
          onClick={() => void (media.sharingScreen ? media.stopScreenShare() : media.startScreenShare())}
        >
          <StageIcon name={media.sharingScreen ? 'screenOff' : 'screen'} />
          <span className="stage-control-text">{media.sharingScreen ? 'Stop sharing' : 'Share screen'}</span>
        </button>
      )}
      {children}
      <button type="button" className="btn btn-secondary" onClick={onLeave}>
        <StageIcon name="leave" />
        <span>{leaveLabel}</span>
      </button>
    </div>
  );
}
