// Camera and microphone selection for the preview, and the preview itself.

import { useId } from 'react';
import type { LocalMedia } from '../useLocalMedia';
import { MediaVideo } from './MediaVideo';

export function DevicePicker({ media, disabled }: { media: LocalMedia; disabled?: boolean }) {
  const camId = useId();
  const micId = useId();
  const { devices } = media;
  return (
    <div className="stage-devices">
      <div className="field">
        <label htmlFor={camId}>Camera</label>
        <select
          id={camId}
          className="input"
          value={media.cameraId}
          disabled={disabled || devices.cameras.length === 0}
          onChange={(e) => void media.selectCamera(e.target.value)}
        >
          {devices.cameras.length === 0 && <option value="">No camera</option>}
          {devices.cameras.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>{d.label || `Camera ${i + 1}`}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={micId}>Microphone</label>
        <select
          id={micId}
          className="input"
          value={media.microphoneId}
          disabled={disabled || devices.microphones.length === 0}
          onChange={(e) => void media.selectMicrophone(e.target.value)}
        >
          {devices.microphones.length === 0 && <option value="">No microphone</option>}
          {devices.microphones.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>{d.label || `Microphone ${i + 1}`}</option>
          ))}
        </select>
      </div>
    </div>
  );
}

/** The preview before joining: the local video, device choice and a start button when needed. */
export function DevicePreview({ media, children }: { media: LocalMedia; children?: React.ReactNode }) {
  return (
    <section className="stage-preview card" aria-label="Camera and microphone preview">
      <div className="stage-preview-video">
        {media.stream ? (
          <MediaVideo stream={media.stream} muted mirror={!media.sharingScreen} label="Your camera preview" />
        ) : (
          <div className="stage-preview-empty">
            {media.error ? (
              <p role="alert" className="field-error">{media.error.message}</p>
            ) : (
              <p className="muted">{media.starting ? 'Starting your camera…' : 'Your camera is off.'}</p>
            )}
            <button type="button" className="btn btn-secondary" onClick={() => void media.start()} disabled={media.starting}>
              {media.error ? 'Try again' : 'Turn on camera and microphone'}
            </button>
          </div>
        )}
      </div>
      {media.stream && <DevicePicker media={media} />}
      {children}
    </section>
  );
}
