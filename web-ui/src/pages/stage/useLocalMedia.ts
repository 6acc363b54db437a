// The local camera and microphone: permission, device lists, the preview
// stream, device switching, mute, camera off and screen share. The stream
// object stays the same for the whole visit; switching a device or sharing
// the screen swaps its tracks and reports the new track (onTrack), so a
// publishing client can replace what it sends without republishing.

import { useCallback, useEffect, useRef, useState } from 'react';

export interface Devices {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

export type MediaErrorKind = 'denied' | 'notFound' | 'inUse' | 'insecure' | 'other';

export interface LocalMediaError {
  kind: MediaErrorKind;
  message: string;
}

/** A person-readable explanation of a getUserMedia / getDisplayMedia failure. */
export function describeMediaError(e: unknown): LocalMediaError {
  const name = e && typeof e === 'object' && 'name' in e ? String((e as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { kind: 'denied', message: 'Camera and microphone access was blocked. Allow it in the browser (the icon in the address bar) and try again.' };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { kind: 'notFound', message: 'No camera or microphone was found. Connect one and try again.' };
    case 'NotReadableError':
    case 'AbortError':
      return { kind: 'inUse', message: 'The camera or microphone is in use by another application.' };
    case 'TypeError':
      return { kind: 'insecure', message: 'This page cannot use the camera here (it needs HTTPS or localhost).' };
  }
  return { kind: 'other', message: e instanceof Error && e.message ? e.message : 'The camera or microphone could not be started.' };
}

export interface LocalMedia {
  stream: MediaStream | null;
  devices: Devices;
  cameraId: string;
  microphoneId: string;
  audioMuted: boolean;
  videoStopped: boolean;
  sharingScreen: boolean;
  starting: boolean;
  error: LocalMediaError | null;
  start(): Promise<MediaStream | null>;
  selectCamera(id: string): Promise<void>;
  selectMicrophone(id: string): Promise<void>;
  setAudioMuted(muted: boolean): void;
  setVideoStopped(stopped: boolean): void;
  startScreenShare(): Promise<void>;
  stopScreenShare(): Promise<void>;
  stop(): void;
}

const videoConstraints = (deviceId?: string): MediaTrackConstraints => ({
  ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30 },
});

export function useLocalMedia(opts: { onTrack?: (kind: 'audio' | 'video', track: MediaStreamTrack) => void } = {}): LocalMedia {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [devices, setDevices] = useState<Devices>({ cameras: [], microphones: [] });
  const [cameraId, setCameraId] = useState('');
  const [microphoneId, setMicrophoneId] = useState('');
  const [audioMuted, setAudioMutedState] = useState(false);
  const [videoStopped, setVideoStoppedState] = useState(false);
  const [sharingScreen, setSharingScreen] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<LocalMediaError | null>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const cameraTrack = useRef<MediaStreamTrack | null>(null); // kept while the screen is shared
  const state = useRef({ audioMuted, videoStopped });
  state.current = { audioMuted, videoStopped };
  const onTrack = useRef(opts.onTrack);
  onTrack.current = opts.onTrack;

  const refreshDevices = useCallback(async () => {
    const all = await navigator.mediaDevices.enumerateDevices();
    setDevices({
      cameras: all.filter((d) => d.kind === 'videoinput' && d.deviceId),
      microphones: all.filter((d) => d.kind === 'audioinput' && d.deviceId),
    });
  }, []);

  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md?.addEventListener) return;
    const h = () => void refreshDevices().catch(() => undefined);
    md.addEventListener('devicechange', h);
    return () => md.removeEventListener('devicechange', h);
  }, [refreshDevices]);

  // Stop the devices when the page goes away.
  useEffect(() => () => {
    streamRef.current?.getTracks().forEach((t) => t.stop());
    cameraTrack.current?.stop();
  }, []);

  /** Puts track into the stream in place of the old one of its kind. */
  const swap = useCallback((track: MediaStreamTrack) => {
    const s = streamRef.current;
    if (!s) return;
    for (const old of s.getTracks().filter((t) => t.kind === track.kind)) {
      s.removeTrack(old);
      if (old !== cameraTrack.current) old.stop();
    }
    s.addTrack(track);
    if (track.kind === 'audio') track.enabled = !state.current.audioMuted;
    else track.enabled = !state.current.videoStopped;
    onTrack.current?.(track.kind as 'audio' | 'video', track);
  }, []);

  const start = useCallback(async () => {
    if (streamRef.current) return streamRef.current;
    if (!navigator.mediaDevices?.getUserMedia) {
      setError(describeMediaError(new TypeError('no mediaDevices')));
      return null;
    }
    setStarting(true);
    setError(null);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(), audio: { echoCancellation: true, noiseSuppression: true } });
      streamRef.current = s;
      setStream(s);
      setCameraId(s.getVideoTracks()[0]?.getSettings().deviceId ?? '');
      setMicrophoneId(s.getAudioTracks()[0]?.getSettings().deviceId ?? '');
      await refreshDevices();
      return s;
    } catch (e) {
      setError(describeMediaError(e));
      return null;
    } finally {
      setStarting(false);
    }
  }, [refreshDevices]);

  const selectCamera = useCallback(async (id: string) => {
    setCameraId(id);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(id) });
      const track = s.getVideoTracks()[0];
      if (cameraTrack.current) {
        // Sharing the screen: the new camera waits until the share ends.
        cameraTrack.current.stop();
        cameraTrack.current = track;
        track.enabled = !state.current.videoStopped;
        return;
      }
      swap(track);
    } catch (e) {
      setError(describeMediaError(e));
    }
  }, [swap]);

  const selectMicrophone = useCallback(async (id: string) => {
    setMicrophoneId(id);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: id }, echoCancellation: true, noiseSuppression: true } });
      swap(s.getAudioTracks()[0]);
    } catch (e) {
      setError(describeMediaError(e));
    }
  }, [swap]);

  const setAudioMuted = useCallback((muted: boolean) => {
    setAudioMutedState(muted);
    streamRef.current?.getAudioTracks().forEach((t) => { t.enabled = !muted; });
  }, []);

  const setVideoStopped = useCallback((stopped: boolean) => {
    setVideoStoppedState(stopped);
    streamRef.current?.getVideoTracks().forEach((t) => { t.enabled = !stopped; });
    if (cameraTrack.current) cameraTrack.current.enabled = !stopped;
  }, []);

  const stopScreenShare = useCallback(async () => {
    const cam = cameraTrack.current;
    if (!cam) return;
    cameraTrack.current = null;
    setSharingScreen(false);
    swap(cam);
  }, [swap]);

  const startScreenShare = useCallback(async () => {
    const s = streamRef.current;
    if (!s || cameraTrack.current) return;
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
      const track = display.getVideoTracks()[0];
      cameraTrack.current = s.getVideoTracks()[0] ?? null;
      // The browser's own "Stop sharing" ends the track: go back to the camera.
      track.addEventListener('ended', () => void stopScreenShare());
      swap(track);
      setSharingScreen(true);
    } catch (e) {
      // Closing the picker is a choice, not an error.
      if ((e as { name?: string }).name !== 'NotAllowedError') setError(describeMediaError(e));
    }
  }, [swap, stopScreenShare]);

  const stop = useCallback(() => {
    streamRef.current?.getTracks().forEach((t) => t.stop());
    cameraTrack.current?.stop();
    cameraTrack.current = null;
    streamRef.current = null;
    setStream(null);
    setSharingScreen(false);
  }, []);

  return {
    stream, devices, cameraId, microphoneId, audioMuted, videoStopped, sharingScreen, starting, error,
    start, selectCamera, selectMicrophone, setAudioMuted, setVideoStopped, startScreenShare, stopScreenShare, stop,
  };
}
