// Going live from the browser with the official amazon-ivs-web-broadcast
// SDK (reference §11.7): camera and microphone (permission flow, device
// choice that can change while live), mute, camera off (a placeholder
// layer), screen share with the camera as a corner picture-in-picture, a
// 10 s connection timeout, and the outgoing bitrate measured from the SDK's
// peer connection. In the cloud the SDK talks to the channel's IVS ingest;
// offline to the local media plane's /v1/offer (config.webrtcIngestEndpoint).

import { useCallback, useEffect, useRef, useState } from 'react';
import type { AmazonIVSBroadcastClient, BroadcastClientError } from 'amazon-ivs-web-broadcast';
import { bitrate, pipComposition, streamConfigFor } from './streamConfig';

export const START_TIMEOUT_MS = 10_000;

export const BROADCAST_MESSAGES = {
  permission: 'You must allow access to both your camera and microphone',
  noDevices: 'No camera or mic detected',
  changeCamera: 'Failed to change camera',
  changeMic: 'Failed to change microphone',
  screenDenied: 'Screenshare permission denied',
  couldNotGoLive: 'Could not go live',
  timeout: 'Could not go live: no connection to the ingest server within 10 s',
  disconnected: 'Stream disconnected',
} as const;

export type Permission = 'idle' | 'asking' | 'granted' | 'denied' | 'noDevices';
export type Phase = 'idle' | 'starting' | 'live' | 'stopping';

export interface Devices {
  cameras: MediaDeviceInfo[];
  mics: MediaDeviceInfo[];
}

const CAMERA = 'camera';
const MIC = 'microphone';
const SCREEN = 'screen';
const SCREEN_AUDIO = 'screen-audio';
const PLACEHOLDER = 'camera-off';
const BACKGROUND = 'background';

// The SDK keeps its RTCPeerConnection private; the outgoing bitrate and
// connection details come from its getStats(). Peer connections created while
// a broadcast starts are remembered here (a subclass, so nothing else changes).
const peers = new Set<RTCPeerConnection>();
let patched = false;
function trackPeerConnections() {
  if (patched || typeof window === 'undefined' || !window.RTCPeerConnection) return;
  patched = true;
  const Native = window.RTCPeerConnection;
  class Tracked extends Native {
    constructor(cfg?: RTCConfiguration) {
      super(cfg);
      peers.add(this);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'closed') peers.delete(this);
      });
    }
  }
  window.RTCPeerConnection = Tracked as typeof RTCPeerConnection;
}

/** A layer with a message, drawn once on a canvas (the SDK composes it like a camera). */
function messageLayer(text: string, w: number, h: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d');
  if (g) {
    const grad = g.createLinearGradient(0, 0, w, h);
    grad.addColorStop(0, '#1b1530');
    grad.addColorStop(1, '#0b0b10');
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
    g.fillStyle = '#c9c6d8';
    g.font = `600 ${Math.round(h / 16)}px Inter, system-ui, sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(text, w / 2, h / 2);
  }
  return c;
}

export interface BroadcastOptions {
  channelType?: string;
  streamKey?: string;
  /** The ingest endpoint the SDK posts its offer to (cloud: the channel's ingestEndpoint host; offline: https URL). */
  ingestEndpoint?: string;
}

export function useBroadcast(opts: BroadcastOptions) {
  const client = useRef<AmazonIVSBroadcastClient | null>(null);
  const sdk = useRef<typeof import('amazon-ivs-web-broadcast') | null>(null);
  const cameraStream = useRef<MediaStream | null>(null);
  const micStream = useRef<MediaStream | null>(null);
  const screenStream = useRef<MediaStream | null>(null);
  const previewEl = useRef<HTMLCanvasElement | null>(null);

  const [ready, setReady] = useState(false);
  const [permission, setPermission] = useState<Permission>('idle');
  const [devices, setDevices] = useState<Devices>({ cameras: [], mics: [] });
  const [cameraId, setCameraId] = useState<string>('');
  const [micId, setMicId] = useState<string>('');
  const [muted, setMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [cameraOnShare, setCameraOnShare] = useState(true);
  const [phase, setPhase] = useState<Phase>('idle');
  const [connection, setConnection] = useState<string>('none');
  const [error, setError] = useState<string | null>(null);
  const [outgoing, setOutgoing] = useState<{ bps: number; fps?: number; width?: number; height?: number } | null>(null);
  const phaseRef = useRef<Phase>('idle');
  phaseRef.current = phase;

  const config = streamConfigFor(opts.channelType);
  const canvasSize = () => client.current?.getCanvasDimensions() ?? { width: config.maxResolution.width, height: config.maxResolution.height };

  const listDevices = useCallback(async () => {
    const all = await navigator.mediaDevices.enumerateDevices();
    const d = { cameras: all.filter((x) => x.kind === 'videoinput'), mics: all.filter((x) => x.kind === 'audioinput') };
    setDevices(d);
    return d;
  }, []);

  /** Camera layer: the camera full-canvas, or the corner while sharing the screen. */
  const cameraComposition = useCallback(
    (share: boolean) => {
      const size = canvasSize();
      return share ? pipComposition(size) : { index: 1, x: 0, y: 0, width: size.width, height: size.height };
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [config.maxResolution.width, config.maxResolution.height],
  );

  const attachCamera = useCallback(
    async (deviceId: string) => {
      const c = client.current;
      if (!c) return;
      const stream = await navigator.mediaDevices.getUserMedia({
        video: {
          deviceId: deviceId ? { exact: deviceId } : undefined,
          width: { ideal: config.maxResolution.width },
          height: { ideal: config.maxResolution.height },
        },
        audio: false,
      });
      if (c.getVideoInputDevice(CAMERA)) c.removeVideoInputDevice(CAMERA);
      cameraStream.current?.getTracks().forEach((t) => t.stop());
      cameraStream.current = stream;
      const share = !!screenStream.current;
      if (!share || cameraOnShareRef.current) await c.addVideoInputDevice(stream, CAMERA, cameraComposition(share));
    },
    [cameraComposition, config.maxResolution.height, config.maxResolution.width],
  );

  const attachMic = useCallback(async (deviceId: string, mute: boolean) => {
    const c = client.current;
    if (!c) return;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: deviceId ? { deviceId: { exact: deviceId } } : true, video: false });
    stream.getAudioTracks().forEach((t) => (t.enabled = !mute));
    if (c.getAudioInputDevice(MIC)) c.removeAudioInputDevice(MIC);
    micStream.current?.getTracks().forEach((t) => t.stop());
    micStream.current = stream;
    await c.addAudioInputDevice(stream, MIC);
  }, []);

  const cameraIdRef = useRef(cameraId);
  cameraIdRef.current = cameraId;
  const cameraOnShareRef = useRef(cameraOnShare);
  cameraOnShareRef.current = cameraOnShare;
  const mutedRef = useRef(muted);
  mutedRef.current = muted;

  /** Creates the client (once) and asks for the camera and microphone. */
  const init = useCallback(async () => {
    setError(null);
    setPermission('asking');
    try {
      if (!sdk.current) sdk.current = await import('amazon-ivs-web-broadcast');
      const IVS = sdk.current;
      trackPeerConnections();
      if (!client.current) {
        client.current = IVS.create({ streamConfig: config, logLevel: IVS.LogLevels.ERROR, ingestEndpoint: opts.ingestEndpoint });
        const size = client.current.getCanvasDimensions();
        await client.current.addImageSource(messageLayer('Starting camera…', size.width, size.height), BACKGROUND, { index: 0 });
        client.current.on(IVS.BroadcastClientEvents.CONNECTION_STATE_CHANGE, ((s: string) => {
          setConnection(s);
          if ((s === 'disconnected' || s === 'failed') && phaseRef.current === 'live') {
            setError(BROADCAST_MESSAGES.disconnected);
          }
        }) as () => void);
        client.current.on(IVS.BroadcastClientEvents.ACTIVE_STATE_CHANGE, ((active: boolean) => {
          if (!active && phaseRef.current === 'live') setPhase('idle');
        }) as () => void);
        client.current.on(IVS.BroadcastClientEvents.ERROR, ((e: BroadcastClientError) => {
          if (e?.code === 10001) setError(BROADCAST_MESSAGES.disconnected);
        }) as () => void);
        if (previewEl.current) client.current.attachPreview(previewEl.current);
      }
      let d = await listDevices();
      // Labels and ids appear only after permission: ask for both at once.
      try {
        const probe = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        probe.getTracks().forEach((t) => t.stop());
      } catch (e) {
        const name = (e as DOMException)?.name;
        if (name === 'NotFoundError' || name === 'OverconstrainedError') {
          setPermission('noDevices');
          setError(BROADCAST_MESSAGES.noDevices);
        } else {
          setPermission('denied');
          setError(BROADCAST_MESSAGES.permission);
        }
        return;
      }
      d = await listDevices();
      if (!d.cameras.length || !d.mics.length) {
        setPermission('noDevices');
        setError(BROADCAST_MESSAGES.noDevices);
        return;
      }
      const cam = d.cameras[0].deviceId;
      const mic = d.mics[0].deviceId;
      setCameraId(cam);
      setMicId(mic);
      await attachCamera(cam);
      await attachMic(mic, mutedRef.current);
      try {
        client.current.removeImage(BACKGROUND);
      } catch {
        // already gone
      }
      setPermission('granted');
      setReady(true);
    } catch (e) {
      setPermission('denied');
      setError(e instanceof Error && e.message ? `${BROADCAST_MESSAGES.permission} (${e.message})` : BROADCAST_MESSAGES.permission);
    }
  }, [attachCamera, attachMic, config, listDevices, opts.ingestEndpoint]);

  const setPreview = useCallback((el: HTMLCanvasElement | null) => {
    previewEl.current = el;
    if (!client.current) return;
    if (el) client.current.attachPreview(el);
    else client.current.detachPreview();
  }, []);

  const chooseCamera = useCallback(
    async (id: string) => {
      setCameraId(id);
      if (cameraOff) return; // applied when the camera is turned back on
      try {
        await attachCamera(id);
      } catch {
        setError(BROADCAST_MESSAGES.changeCamera);
      }
    },
    [attachCamera, cameraOff],
  );

  const chooseMic = useCallback(
    async (id: string) => {
      setMicId(id);
      try {
        await attachMic(id, mutedRef.current);
      } catch {
        setError(BROADCAST_MESSAGES.changeMic);
      }
    },
    [attachMic],
  );

  const toggleMute = useCallback(() => {
    const next = !mutedRef.current;
    micStream.current?.getAudioTracks().forEach((t) => (t.enabled = !next));
    setMuted(next);
  }, []);

  const toggleCamera = useCallback(async () => {
    const c = client.current;
    if (!c) return;
    if (!cameraOff) {
      if (c.getVideoInputDevice(CAMERA)) c.removeVideoInputDevice(CAMERA);
      cameraStream.current?.getTracks().forEach((t) => t.stop());
      cameraStream.current = null;
      if (!screenStream.current) {
        const size = c.getCanvasDimensions();
        await c.addImageSource(messageLayer('Camera off', size.width, size.height), PLACEHOLDER, { index: 1 });
      }
      setCameraOff(true);
    } else {
      try {
        c.removeImage(PLACEHOLDER);
      } catch {
        // not shown (sharing the screen)
      }
      try {
        await attachCamera(cameraId);
        setCameraOff(false);
      } catch {
        setError(BROADCAST_MESSAGES.changeCamera);
      }
    }
  }, [attachCamera, cameraId, cameraOff]);

  const stopShare = useCallback(async () => {
    const c = client.current;
    if (!c || !screenStream.current) return;
    if (c.getVideoInputDevice(SCREEN)) c.removeVideoInputDevice(SCREEN);
    if (c.getAudioInputDevice(SCREEN_AUDIO)) c.removeAudioInputDevice(SCREEN_AUDIO);
    screenStream.current.getTracks().forEach((t) => t.stop());
    screenStream.current = null;
    setSharing(false);
    if (cameraOff) {
      const size = c.getCanvasDimensions();
      await c.addImageSource(messageLayer('Camera off', size.width, size.height), PLACEHOLDER, { index: 1 });
    } else if (c.getVideoInputDevice(CAMERA)) {
      c.updateVideoDeviceComposition(CAMERA, cameraComposition(false));
    } else {
      // Left out of the share: the SDK ended its track when it was removed, so ask for the camera again.
      try {
        await attachCamera(cameraIdRef.current);
      } catch {
        setError(BROADCAST_MESSAGES.changeCamera);
      }
    }
  }, [attachCamera, cameraComposition, cameraOff]);

  const startShare = useCallback(async () => {
    const c = client.current;
    if (!c) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    } catch {
      setError(BROADCAST_MESSAGES.screenDenied);
      return;
    }
    screenStream.current = stream;
    const size = c.getCanvasDimensions();
    await c.addVideoInputDevice(stream, SCREEN, { index: 0, x: 0, y: 0, width: size.width, height: size.height });
    if (stream.getAudioTracks().length) await c.addAudioInputDevice(stream, SCREEN_AUDIO);
    try {
      c.removeImage(PLACEHOLDER);
    } catch {
      // camera was on
    }
    if (c.getVideoInputDevice(CAMERA)) {
      if (cameraOnShareRef.current) c.updateVideoDeviceComposition(CAMERA, cameraComposition(true));
      else c.removeVideoInputDevice(CAMERA);
    }
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void stopShare());
    setSharing(true);
  }, [cameraComposition, stopShare]);

  const setShowCameraOnShare = useCallback(
    async (show: boolean) => {
      setCameraOnShare(show);
      cameraOnShareRef.current = show;
      const c = client.current;
      if (!c || !screenStream.current || cameraOff) return;
      if (show && !c.getVideoInputDevice(CAMERA)) {
        // The SDK ended the camera's track when it was removed from the
        // share (re-adding that stream draws a black square): ask again.
        try {
          await attachCamera(cameraIdRef.current);
        } catch {
          setError(BROADCAST_MESSAGES.changeCamera);
        }
      }
      if (!show && c.getVideoInputDevice(CAMERA)) c.removeVideoInputDevice(CAMERA);
    },
    [attachCamera, cameraOff],
  );

  const start = useCallback(async () => {
    const c = client.current;
    if (!c || !opts.streamKey) return false;
    setError(null);
    // Re-check the permissions (they may have been revoked since).
    try {
      const probe = await navigator.mediaDevices.getUserMedia({ video: !cameraOff, audio: true });
      probe.getTracks().forEach((t) => t.stop());
    } catch {
      setPermission('denied');
      setError(BROADCAST_MESSAGES.permission);
      return false;
    }
    setPhase('starting');
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        c.startBroadcast(opts.streamKey, opts.ingestEndpoint),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), START_TIMEOUT_MS);
        }),
      ]);
      setPhase('live');
      return true;
    } catch (e) {
      try {
        c.stopBroadcast();
      } catch {
        // never started
      }
      setPhase('idle');
      const err = e as BroadcastClientError;
      setError(
        err?.message === 'timeout'
          ? BROADCAST_MESSAGES.timeout
          : `${BROADCAST_MESSAGES.couldNotGoLive}${err?.message ? `: ${err.message}` : ''}`,
      );
      return false;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }, [cameraOff, opts.ingestEndpoint, opts.streamKey]);

  const stop = useCallback(() => {
    const c = client.current;
    if (!c) return;
    setPhase('stopping');
    try {
      c.stopBroadcast();
    } finally {
      setPhase('idle');
      setOutgoing(null);
    }
  }, []);

  // Outgoing bitrate, frame rate and size, once a second while live. The
  // bytes are timed by the stats' own timestamps, and a sample is skipped
  // while the previous getStats() is still pending: on a loaded machine two
  // overlapping samples timed at their completion, milliseconds apart, read
  // as tens of Mbps.
  useEffect(() => {
    if (phase !== 'live') return;
    let prev: { bytes: number; at: number } | null = null;
    let pending = false;
    const t = setInterval(async () => {
      if (pending) return;
      pending = true;
      try {
        let bytes = 0, at = 0, fps: number | undefined, width: number | undefined, height: number | undefined, found = false;
        for (const pc of peers) {
          if (pc.connectionState === 'closed') continue;
          const stats = await pc.getStats();
          stats.forEach((s) => {
            if (s.type === 'outbound-rtp') {
              found = true;
              bytes += (s as RTCOutboundRtpStreamStats).bytesSent ?? 0;
              at = Math.max(at, s.timestamp);
              if ((s as RTCOutboundRtpStreamStats).kind === 'video') {
                const v = s as RTCOutboundRtpStreamStats & { framesPerSecond?: number; frameWidth?: number; frameHeight?: number };
                fps = v.framesPerSecond;
                width = v.frameWidth;
                height = v.frameHeight;
              }
            }
          });
        }
        if (!found) return;
        if (!at) at = performance.now();
        if (prev && at > prev.at) setOutgoing({ bps: bitrate(prev.bytes, bytes, at - prev.at), fps, width, height });
        if (!prev || at > prev.at) prev = { bytes, at };
      } finally {
        pending = false;
      }
    }, 1000);
    return () => clearInterval(t);
  }, [phase]);

  // Device changes (a camera plugged in or out).
  useEffect(() => {
    if (permission !== 'granted') return;
    const onChange = () => void listDevices();
    navigator.mediaDevices.addEventListener('devicechange', onChange);
    return () => navigator.mediaDevices.removeEventListener('devicechange', onChange);
  }, [listDevices, permission]);

  // Release everything when the page goes away.
  useEffect(
    () => () => {
      const c = client.current;
      try {
        if (c && phaseRef.current === 'live') c.stopBroadcast();
      } catch {
        // already stopped
      }
      cameraStream.current?.getTracks().forEach((t) => t.stop());
      micStream.current?.getTracks().forEach((t) => t.stop());
      screenStream.current?.getTracks().forEach((t) => t.stop());
      c?.delete();
      client.current = null;
    },
    [],
  );

  return {
    ready, permission, devices, cameraId, micId, muted, cameraOff, sharing, cameraOnShare, phase, connection, error, outgoing, config,
    init, setPreview, chooseCamera, chooseMic, toggleMute, toggleCamera, startShare, stopShare, setShowCameraOnShare, start, stop,
    clearError: () => setError(null),
  };
}
