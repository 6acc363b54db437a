// @vitest-environment happy-dom
import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeMediaError, useLocalMedia } from './useLocalMedia';

class FakeTrack extends EventTarget {
  enabled = true;
  stopped = false;
  constructor(public kind: 'audio' | 'video', public id: string, private deviceId = id) {
    super();
  }
  stop() { this.stopped = true; }
  getSettings() { return { deviceId: this.deviceId }; }
  end() { this.dispatchEvent(new Event('ended')); }
}

class FakeStream {
  tracks: FakeTrack[];
  constructor(tracks: FakeTrack[]) { this.tracks = [...tracks]; }
  getTracks() { return [...this.tracks]; }
  getVideoTracks() { return this.tracks.filter((t) => t.kind === 'video'); }
  getAudioTracks() { return this.tracks.filter((t) => t.kind === 'audio'); }
  addTrack(t: FakeTrack) { this.tracks.push(t); }
  removeTrack(t: FakeTrack) { this.tracks = this.tracks.filter((x) => x !== t); }
}

function fakeDevices() {
  let n = 0;
  const md = {
    getUserMedia: vi.fn(async (c: MediaStreamConstraints) => {
      const tracks: FakeTrack[] = [];
      const id = (k: boolean | MediaTrackConstraints | undefined) =>
        (typeof k === 'object' && (k.deviceId as { exact?: string } | undefined)?.exact) || 'default';
      if (c.video) tracks.push(new FakeTrack('video', `cam${++n}`, id(c.video) === 'default' ? 'cam-a' : id(c.video)));
      if (c.audio) tracks.push(new FakeTrack('audio', `mic${++n}`, id(c.audio) === 'default' ? 'mic-a' : id(c.audio)));
      return new FakeStream(tracks);
    }),
    getDisplayMedia: vi.fn(async () => new FakeStream([new FakeTrack('video', 'screen')])),
    enumerateDevices: vi.fn(async () => [
      { kind: 'videoinput', deviceId: 'cam-a', label: 'Camera A' },
      { kind: 'videoinput', deviceId: 'cam-b', label: 'Camera B' },
      { kind: 'audioinput', deviceId: 'mic-a', label: 'Mic A' },
      { kind: 'audiooutput', deviceId: 'spk', label: 'Speaker' },
    ]),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  };
  Object.defineProperty(navigator, 'mediaDevices', { value: md, configurable: true });
  return md;
}

afterEach(() => {
  Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
});

async function started() {
  const md = fakeDevices();
  const onTrack = vi.fn();
  const h = renderHook(() => useLocalMedia({ onTrack }));
  await act(async () => { await h.result.current.start(); });
  return { md, onTrack, h, stream: () => h.result.current.stream as unknown as FakeStream };
}

describe('useLocalMedia', () => {
  it('starts camera and microphone and lists the devices', async () => {
    const { h, stream } = await started();
    expect(stream().getTracks().map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    expect(h.result.current.devices.cameras.map((d) => d.deviceId)).toEqual(['cam-a', 'cam-b']);
    expect(h.result.current.devices.microphones.map((d) => d.deviceId)).toEqual(['mic-a']);
    expect(h.result.current.cameraId).toBe('cam-a');
  });

  it('switches camera in the same stream, stops the old track and reports the new one', async () => {
    const { h, stream, onTrack } = await started();
    const old = stream().getVideoTracks()[0];
    const before = h.result.current.stream;
    await act(async () => { await h.result.current.selectCamera('cam-b'); });
    expect(h.result.current.stream).toBe(before);
    const now = stream().getVideoTracks();
    expect(now).toHaveLength(1);
    expect(now[0].getSettings().deviceId).toBe('cam-b');
    expect(old.stopped).toBe(true);
    expect(onTrack).toHaveBeenCalledWith('video', now[0]);
  });

  it('mute and camera off disable the tracks, and new tracks keep the state', async () => {
    const { h, stream } = await started();
    act(() => h.result.current.setAudioMuted(true));
    act(() => h.result.current.setVideoStopped(true));
    expect(stream().getAudioTracks()[0].enabled).toBe(false);
    expect(stream().getVideoTracks()[0].enabled).toBe(false);
    await act(async () => { await h.result.current.selectCamera('cam-b'); });
    expect(stream().getVideoTracks()[0].enabled).toBe(false);
  });

  it('shares the screen in place of the camera and returns to it when sharing ends', async () => {
    const { h, stream, onTrack } = await started();
    const cam = stream().getVideoTracks()[0];
    await act(async () => { await h.result.current.startScreenShare(); });
    expect(h.result.current.sharingScreen).toBe(true);
    const screen = stream().getVideoTracks()[0];
    expect(screen.id).toBe('screen');
    expect(cam.stopped).toBe(false); // kept for later
    expect(onTrack).toHaveBeenLastCalledWith('video', screen);
    // The browser's own "Stop sharing" ends the track.
    await act(async () => { screen.end(); });
    expect(h.result.current.sharingScreen).toBe(false);
    expect(stream().getVideoTracks()[0]).toBe(cam);
    expect(screen.stopped).toBe(true);
    expect(onTrack).toHaveBeenLastCalledWith('video', cam);
  });

  it('a camera chosen while sharing waits for the share to end', async () => {
    const { h, stream } = await started();
    await act(async () => { await h.result.current.startScreenShare(); });
    await act(async () => { await h.result.current.selectCamera('cam-b'); });
    expect(stream().getVideoTracks()[0].id).toBe('screen');
    await act(async () => { await h.result.current.stopScreenShare(); });
    expect(stream().getVideoTracks()[0].getSettings().deviceId).toBe('cam-b');
  });

  it('says why the camera could not start', async () => {
    const md = fakeDevices();
    md.getUserMedia.mockRejectedValueOnce(Object.assign(new Error('x'), { name: 'NotAllowedError' }));
    const h = renderHook(() => useLocalMedia());
    await act(async () => { await h.result.current.start(); });
    expect(h.result.current.stream).toBeNull();
    expect(h.result.current.error?.kind).toBe('denied');
  });
});

describe('describeMediaError', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['NotFoundError', 'notFound'],
    ['OverconstrainedError', 'notFound'],
    ['NotReadableError', 'inUse'],
    ['TypeError', 'insecure'],
    ['Weird', 'other'],
  ])('%s → %s', (name, kind) => {
    expect(describeMediaError({ name }).kind).toBe(kind);
  });
});
