// The channel page's player: video, controls, letterboxing (portrait
// streams get a blurred copy behind them) and the overlay layer.

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Icon } from '../components/Icon';
import { Spinner } from '../components/FullScreenLoader';
import { useConfig } from '../services';
import { createPlayer, playerKindFor } from './createPlayer';
import type { Player, PlayerState, Quality } from './types';

export interface VideoPlayerProps {
  playbackUrl?: string;
  isLive: boolean;
  banned?: boolean;
  /** Known size of the stream (ingestConfiguration), until the video reports its own. */
  size?: { width: number; height: number };
  onMetadata?(text: string): void;
  /** The stream stopped playing (ended or went offline): overlays are cleared. */
  onEnded?(): void;
  chatShown?: boolean;
  onToggleChat?(): void;
  overlays?: ReactNode;
}

export function VideoPlayer({ playbackUrl, isLive, banned, size, onMetadata, onEnded, chatShown, onToggleChat, overlays }: VideoPlayerProps) {
  const config = useConfig();
  const wrap = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const blurRef = useRef<HTMLCanvasElement>(null);
  const playerRef = useRef<Player | null>(null);
  const [state, setState] = useState<PlayerState>('idle');
  const [muted, setMuted] = useState(false);
  const [volume, setVolume] = useState(1);
  const [qualities, setQualities] = useState<Quality[]>([]);
  const [quality, setQuality] = useState<string>('auto');
  const [fullscreen, setFullscreen] = useState(false);
  const [videoSize, setVideoSize] = useState<{ width: number; height: number } | undefined>(size);
  const [error, setError] = useState<string | null>(null);
  const [idle, setIdle] = useState(false);
  const cbs = useRef({ onMetadata, onEnded });
  cbs.current = { onMetadata, onEnded };

  const active = isLive && !!playbackUrl && !banned;

  useEffect(() => {
    if (!active || !videoRef.current) return;
    let player: Player | null = null;
    let cancelled = false;
    const offs: (() => void)[] = [];
    setError(null);
    createPlayer(playerKindFor(config), videoRef.current)
      .then((p) => {
        if (cancelled) {
          p.destroy();
          return;
        }
        player = p;
        playerRef.current = p;
        offs.push(
          p.on('state', (s) => {
            setState(s);
            if (s === 'ended') cbs.current.onEnded?.();
          }),
          p.on('metadata', (t) => cbs.current.onMetadata?.(t)),
          p.on('qualities', setQualities),
          p.on('audioBlocked', () => setMuted(true)),
          p.on('size', setVideoSize),
          p.on('error', (e) => setError(e)),
        );
        p.load(playbackUrl!);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      offs.forEach((o) => o());
      player?.destroy();
      playerRef.current = null;
      setState('idle');
      setQualities([]);
      cbs.current.onEnded?.();
    };
  }, [active, playbackUrl, config]);

  useEffect(() => {
    if (size) setVideoSize((s) => s ?? size);
  }, [size]);

  // Portrait (or any non-16:9) video: paint a blurred copy behind it.
  const portrait = !!videoSize && videoSize.height > videoSize.width;
  useEffect(() => {
    if (!portrait || !active) return;
    const t = setInterval(() => {
      const v = videoRef.current, c = blurRef.current;
      if (!v || !c || v.readyState < 2) return;
      c.getContext('2d')?.drawImage(v, 0, 0, c.width, c.height);
    }, 400);
    return () => clearInterval(t);
  }, [portrait, active]);

  useEffect(() => {
    const onFs = () => setFullscreen(document.fullscreenElement === wrap.current);
    document.addEventListener('fullscreenchange', onFs);
    return () => document.removeEventListener('fullscreenchange', onFs);
  }, []);

  // Controls fade out while playing and the pointer rests.
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const wake = useCallback(() => {
    setIdle(false);
    clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(() => setIdle(true), 3000);
  }, []);

  const p = playerRef.current;
  const playing = state === 'playing' || state === 'buffering';
  const togglePlay = () => {
    if (!p) return;
    if (playing) p.pause();
    else void p.play();
  };
  const toggleMute = () => {
    if (!p) return;
    p.setMuted(!muted);
    setMuted(!muted);
  };
  const toggleFullscreen = async () => {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await wrap.current?.requestFullscreen?.().catch(() => undefined);
  };

  let curtain: ReactNode = null;
  if (banned) {
    curtain = (
      <div className="player-curtain">
        <Icon name="ban" size={40} />
        <p className="curtain-title">You are banned from this channel</p>
      </div>
    );
  } else if (!isLive || !playbackUrl) {
    curtain = (
      <div className="player-curtain">
        <Icon name="offline" size={40} />
        <p className="curtain-title">Stream offline</p>
      </div>
    );
  } else if (error) {
    curtain = (
      <div className="player-curtain">
        <p className="curtain-title">Error loading stream</p>
        <p className="muted small">{error}</p>
      </div>
    );
  }

  return (
    <div
      ref={wrap}
      className={`player ${idle && playing ? 'player-idle' : ''} ${fullscreen ? 'player-fullscreen' : ''}`}
      onMouseMove={wake}
      onFocus={wake}
      data-state={state}
    >
      {portrait && active && <canvas ref={blurRef} className="player-blur" width={64} height={36} aria-hidden="true" />}
      <video ref={videoRef} className="player-video" playsInline muted={muted} onClick={togglePlay} aria-label="Live video" data-testid="video" />
      {active && !curtain && (state === 'loading' || state === 'buffering' || state === 'idle') && (
        <div className="player-spinner"><Spinner size={48} label="Loading stream" /></div>
      )}
      {curtain}
      {active && !curtain && <div className="overlay-layer">{overlays}</div>}
      {active && !curtain && (
        <div className="player-controls">
          <button type="button" className="ctl" onClick={togglePlay} aria-label={playing ? 'Pause' : 'Play'}>
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <div className="volume">
            <button type="button" className="ctl" onClick={toggleMute} aria-label={muted || volume === 0 ? 'Unmute' : 'Mute'}>
              <Icon name={muted || volume === 0 ? 'mute' : 'volume'} />
            </button>
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={muted ? 0 : volume}
              aria-label="Volume"
              onChange={(e) => {
                const v = Number(e.target.value);
                setVolume(v);
                p?.setVolume(v);
                if (v > 0 && muted) {
                  p?.setMuted(false);
                  setMuted(false);
                }
              }}
            />
          </div>
          <span className="pill pill-live">Live</span>
          <span className="spacer" />
          {qualities.length > 0 && (
            <select
              className="ctl-select"
              aria-label="Quality"
              value={quality}
              onChange={(e) => {
                setQuality(e.target.value);
                p?.setQuality(e.target.value === 'auto' ? null : e.target.value);
              }}
            >
              <option value="auto">Auto</option>
              {qualities.map((q) => (
                <option key={q.id} value={q.id}>{q.name}</option>
              ))}
            </select>
          )}
          {onToggleChat && (
            <button type="button" className="ctl" onClick={onToggleChat} aria-label={chatShown ? 'Hide chat' : 'Show chat'}>
              <Icon name={chatShown ? 'chatOff' : 'chat'} />
            </button>
          )}
          <button type="button" className="ctl" onClick={() => void toggleFullscreen()} aria-label={fullscreen ? 'Exit fullscreen' : 'Fullscreen'}>
            <Icon name={fullscreen ? 'exitFullscreen' : 'fullscreen'} />
          </button>
        </div>
      )}
    </div>
  );
}
