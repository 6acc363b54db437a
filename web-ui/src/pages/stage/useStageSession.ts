// React side of StageSessionController: one controller per page visit, its
// state as React state, and local media changes passed on.

import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { AppConfig } from '../../config';
import { connectStage } from './connection';
import { StageSessionController, type SessionState } from './session';
import type { LocalMedia } from './useLocalMedia';

export interface StageSession extends SessionState {
  controller: StageSessionController;
  publishing: boolean;
}

export function useStageSession(opts: { fetchToken?: () => Promise<string>; media?: LocalMedia; config: AppConfig }): StageSession {
  const o = useRef(opts);
  o.current = opts;
  const controller = useMemo(
    () =>
      new StageSessionController({
        connect: (token, info, handlers) => connectStage(token, info, handlers, o.current.config),
        fetchToken: opts.fetchToken ? () => o.current.fetchToken!() : undefined,
        local: () => ({
          stream: o.current.media?.stream ?? null,
          audioMuted: !!o.current.media?.audioMuted,
          videoStopped: !!o.current.media?.videoStopped,
        }),
      }),
    // One controller per visit: whether a token source exists does not change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  useEffect(() => () => controller.dispose(), [controller]);
  const state = useSyncExternalStore(controller.subscribe, () => controller.state);
  const audioMuted = !!opts.media?.audioMuted;
  const videoStopped = !!opts.media?.videoStopped;
  useEffect(() => {
    controller.setLocalState({ audioMuted, videoStopped });
  }, [controller, audioMuted, videoStopped, state.status]);
  return { ...state, controller, publishing: controller.publishing };
}
