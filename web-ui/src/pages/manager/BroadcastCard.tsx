// "Go live" from the browser: the preview, the device pickers, the controls
// and the start/end buttons of reference §11.7, over useBroadcast.

import { useEffect, useId, useRef, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon } from '../../components/Icon';
import { formatBitrate } from './streamConfig';
import { useBroadcast, type BroadcastOptions } from './useBroadcast';

export const LEAVE_WARNING = 'Are you sure you want to leave this page? This will end your live stream.';
export const ALREADY_LIVE = 'Your channel is already live';

const CONNECTION_LABELS: Record<string, string> = {
  none: 'Not connected',
  new: 'Connecting',
  connecting: 'Connecting',
  connected: 'Connected',
  completed: 'Connected',
  disconnected: 'Disconnected',
  failed: 'Failed',
  closed: 'Closed',
  idle: 'Not connected',
};

export function BroadcastCard({ options, channelLive, onLiveChange }: { options: BroadcastOptions; channelLive: boolean; onLiveChange?(live: boolean): void }) {
  const b = useBroadcast(options);
  const id = useId();
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const frame = useRef<HTMLDivElement>(null);
  // Permission is asked for when the card first shows (reference §11.7).
  const init = useRef(b.init);
  init.current = b.init;
  useEffect(() => {
    void init.current();
  }, []);

  const live = b.phase === 'live';
  useEffect(() => onLiveChange?.(live), [live, onLiveChange]);

  // Leaving the page while live asks first.
  useEffect(() => {
    if (!live) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = LEAVE_WARNING;
      return LEAVE_WARNING;
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [live]);

  useEffect(() => {
    const onFs = () => setFullscreen(document.fullscreenElement === frame.current);
    document.addEventListener('fullscreenchange', onFs);
    return () => document.removeEventListener('fullscreenchange', onFs);
  }, []);

  const toggleFullscreen = async () => {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await frame.current?.requestFullscreen?.();
  };

  // Another source (OBS, ffmpeg) is broadcasting on this channel.
  const otherSource = channelLive && b.phase === 'idle';
  const canStart = b.ready && !otherSource && !!options.ingestEndpoint && !!options.streamKey && b.phase === 'idle' && !!b.cameraId && !!b.micId;

  return (
    <section className="card broadcast" aria-labelledby={`${id}-t`}>
      <div className="section-head card-pad-x">
        <h2 id={`${id}-t`}>Go live from the browser</h2>
        {live && (
          <span className="row small">
            <span className="pill pill-live">Live</span>
            <span className="muted" aria-label="Outgoing bitrate">{b.outgoing ? formatBitrate(b.outgoing.bps) : '…'}</span>
          </span>
        )}
      </div>
      <div ref={frame} className={`preview-frame ${fullscreen ? 'is-fullscreen' : ''}`}>
        <canvas ref={b.setPreview} className="preview" aria-label="Broadcast preview" />
        {b.permission === 'asking' && <div className="preview-overlay"><span className="spinner" style={{ width: 28, height: 28 }} /><p>Waiting for your camera and microphone…</p></div>}
        {(b.permission === 'denied' || b.permission === 'noDevices') && (
          <div className="preview-overlay">
            <Icon name="lock" size={28} />
            <p>{b.error}</p>
            <button type="button" className="btn btn-sm" onClick={() => void b.init()}>Try again</button>
          </div>
        )}
        <button type="button" className="btn-icon preview-fs" aria-label={fullscreen ? 'Exit fullscreen' : 'Fullscreen'} onClick={() => void toggleFullscreen()}>
          <Icon name={fullscreen ? 'exitFullscreen' : 'fullscreen'} />
        </button>
      </div>
      <div className="card-pad broadcast-body">
        <div className="controls row">
          <button type="button" className={`btn btn-secondary btn-sm ${b.muted ? 'is-off' : ''}`} disabled={!b.ready} onClick={b.toggleMute}>
            <Icon name={b.muted ? 'mute' : 'volume'} size={18} />
            {b.muted ? 'Unmute' : 'Mute'}
          </button>
          <button type="button" className={`btn btn-secondary btn-sm ${b.cameraOff ? 'is-off' : ''}`} disabled={!b.ready} onClick={() => void b.toggleCamera()}>
            <Icon name={b.cameraOff ? 'eyeOff' : 'eye'} size={18} />
            {b.cameraOff ? 'Camera on' : 'Camera off'}
          </button>
          <button type="button" className="btn btn-secondary btn-sm" disabled={!b.ready} onClick={() => void (b.sharing ? b.stopShare() : b.startShare())}>
            <Icon name="upload" size={18} />
            {b.sharing ? 'Stop sharing' : 'Share screen'}
          </button>
          <label className="switch small">
            <input type="checkbox" checked={b.cameraOnShare} onChange={(e) => void b.setShowCameraOnShare(e.target.checked)} />
            Show camera on screen share
          </label>
        </div>
        <div className="device-row">
          <div className="field">
            <label htmlFor={`${id}-cam`}>Camera</label>
            <select id={`${id}-cam`} value={b.cameraId} disabled={!b.devices.cameras.length} onChange={(e) => void b.chooseCamera(e.target.value)}>
              {b.devices.cameras.map((d, i) => <option key={d.deviceId || i} value={d.deviceId}>{d.label || `Camera ${i + 1}`}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-mic`}>Microphone</label>
            <select id={`${id}-mic`} value={b.micId} disabled={!b.devices.mics.length} onChange={(e) => void b.chooseMic(e.target.value)}>
              {b.devices.mics.map((d, i) => <option key={d.deviceId || i} value={d.deviceId}>{d.label || `Microphone ${i + 1}`}</option>)}
            </select>
          </div>
        </div>
        {b.error && b.permission === 'granted' && <p className="alert alert-error" role="alert">{b.error}</p>}
        {!options.ingestEndpoint && (
          <p className="alert alert-info" role="status">
            This stack has no WebRTC ingest endpoint, so browsers cannot broadcast to it. Stream from OBS or ffmpeg with the server and stream key from Settings.
          </p>
        )}
        {otherSource && <p className="alert alert-info" role="status">{ALREADY_LIVE} from another source (OBS, ffmpeg…). End that stream to go live from here.</p>}
        <div className="go-live-row">
          <dl className="stats small">
            <div><dt>Connection</dt><dd data-testid="connection-state">{CONNECTION_LABELS[b.connection] ?? b.connection}</dd></div>
            <div><dt>Outgoing</dt><dd data-testid="outgoing-bitrate">{live && b.outgoing ? formatBitrate(b.outgoing.bps) : '—'}</dd></div>
            <div><dt>Video</dt><dd>{live && b.outgoing?.width ? `${b.outgoing.width}×${b.outgoing.height}${b.outgoing.fps ? ` · ${Math.round(b.outgoing.fps)} fps` : ''}` : `up to ${b.config.maxResolution.width}×${b.config.maxResolution.height}`}</dd></div>
          </dl>
          {live || b.phase === 'stopping' ? (
            <button type="button" className="btn btn-danger" onClick={() => setConfirmEnd(true)}>End stream</button>
          ) : (
            <button type="button" className="btn btn-live" disabled={!canStart} aria-busy={b.phase === 'starting'} onClick={() => void b.start()}>
              {b.phase === 'starting' ? <span className="spinner" style={{ width: 16, height: 16, borderWidth: 2 }} aria-hidden="true" /> : null}
              Go live
            </button>
          )}
        </div>
      </div>
      <ConfirmDialog
        open={confirmEnd}
        title="End stream"
        confirmLabel="End stream"
        danger
        onCancel={() => setConfirmEnd(false)}
        onConfirm={() => {
          b.stop();
          setConfirmEnd(false);
        }}
      >
        Are you sure you want to end your live stream?
      </ConfirmDialog>
    </section>
  );
}
