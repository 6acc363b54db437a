import { useEffect, useRef } from 'react';

/**
 * A <video> showing a MediaStream. Local previews are muted (no echo) and
 * mirrored; remote ones play their audio at `volume` unless `muted`.
 */
export function MediaVideo({ stream, muted, volume = 1, mirror, label, className }: {
  stream: MediaStream | null;
  muted?: boolean;
  volume?: number;
  mirror?: boolean;
  label: string;
  className?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (v.srcObject !== stream) v.srcObject = stream;
    if (stream) {
      // Autoplay with sound can be refused until the visitor interacts;
      // start muted then, and the per-participant control unmutes.
      v.play().catch(() => {
        if (!v.muted) {
          v.muted = true;
          void v.play().catch(() => undefined);
        }
      });
    }
  }, [stream]);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    v.muted = !!muted;
    v.volume = Math.min(1, Math.max(0, volume));
  }, [muted, volume]);
  return (
    <video
      ref={ref}
      className={`stage-video ${mirror ? 'stage-video-mirror' : ''} ${className ?? ''}`}
      autoPlay
      playsInline
      muted={muted}
      aria-label={label}
    />
  );
}
