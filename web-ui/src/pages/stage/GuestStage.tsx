// /stage/:username (and the invite link, /stage/:username?invite=1) — a
// guest or viewer on someone's stage. The page asks the token service for a
// token and the service decides the role: invited → publisher (device
// preview, then "Join stage"), signed in → viewer, anonymous when the host
// allows it. Every refusal is said plainly (refusals.ts).

import { useCallback, useEffect, useRef, useState } from 'react';
import { Navigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { isApiError } from '../../api/errors';
import type { StageRole } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { Chat } from '../../chat/Chat';
import { Spinner } from '../../components/FullScreenLoader';
import { useApi, useConfig } from '../../services';
import { DevicePreview } from './components/DevicePicker';
import { RefusalPanel } from './components/RefusalPanel';
import { StageView } from './components/StageView';
import { refusalFor, refusalFromApi, type Refusal } from './refusals';
import { parseStageToken } from './token';
import { useLocalMedia } from './useLocalMedia';
import { useStageSession } from './useStageSession';
import './stage.css';

type Phase =
  | { kind: 'asking' }
  | { kind: 'preview' } // may publish: devices first
  | { kind: 'on' } // joining or joined
  | { kind: 'refused'; refusal: Refusal };

export default function GuestStage() {
  const { username = '' } = useParams();
  const [params] = useSearchParams();
  const invited = params.has('invite');
  const api = useApi();
  const config = useConfig();
  const { status: authStatus, channel } = useAuth();
  const authReady = authStatus === 'signedIn' || authStatus === 'signedOut';
  const [requested, setRequested] = useState<StageRole | undefined>(invited ? 'publisher' : undefined);
  const [phase, setPhase] = useState<Phase>({ kind: 'asking' });
  const pending = useRef<string | null>(null); // the first token, used by the first join

  const host = useQuery({
    queryKey: ['channel', username],
    queryFn: () => api.getChannelPage(username),
    enabled: authReady,
    retry: (n, e) => !isApiError(e, 'UserNotFoundException') && !isApiError(e, 'ResourceNotFoundException') && n < 2,
  });
  const stageId = host.data?.stageId;

  const fetchToken = useCallback(async () => {
    if (pending.current) {
      const t = pending.current;
      pending.current = null;
      return t;
    }
    return (await api.createStageToken(stageId!, requested)).token.token;
  }, [api, stageId, requested]);
  const media = useLocalMedia({ onTrack: (_, track) => session.controller.replaceTrack(track) });
  const session = useStageSession({ fetchToken, media, config });

  // Ask for a token once we know the stage (and who the visitor is).
  useEffect(() => {
    if (!authReady || !host.data) return;
    if (!stageId) {
      setPhase({ kind: 'refused', refusal: refusalFor.noStage(username) });
      return;
    }
    if (phase.kind !== 'asking') return;
    let cancelled = false;
    api.createStageToken(stageId, requested).then(
      (r) => {
        if (cancelled) return;
        pending.current = r.token.token;
        if (parseStageToken(r.token.token).canPublish) {
          setPhase({ kind: 'preview' });
          void media.start();
        } else {
          setPhase({ kind: 'on' });
          void session.controller.join();
        }
      },
      (e) => {
        if (!cancelled) setPhase({ kind: 'refused', refusal: refusalFromApi(e, requested === 'publisher' ? 'publisher' : undefined) });
      },
    );
    return () => {
      cancelled = true;
    };
    // media and session are stable controllers; the phase gate prevents repeats.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [authReady, host.data, stageId, requested, phase.kind, api, username]);

  // Removed, stage ended or full: the camera goes off.
  const endedStatus = session.status === 'ended';
  const stopMedia = media.stop;
  useEffect(() => {
    if (endedStatus) stopMedia();
  }, [endedStatus, stopMedia]);

  if (authStatus === 'signedIn' && channel?.username.toLowerCase() === username.toLowerCase()) {
    return <Navigate to="/stage" replace />;
  }

  const retry = () => {
    session.controller.leave();
    void host.refetch();
    setPhase({ kind: 'asking' });
  };
  const watch = () => {
    session.controller.leave();
    media.stop();
    setRequested('viewer');
    setPhase({ kind: 'asking' });
  };

  let body: React.ReactNode;
  const ended = session.status === 'ended' && session.refusal;
  if (host.isError) {
    body = isApiError(host.error, 'UserNotFoundException') || isApiError(host.error, 'ResourceNotFoundException')
      ? <RefusalPanel refusal={{ kind: 'noStage', title: 'No such channel', message: `There is no channel called ${username}.` }} />
      : <RefusalPanel refusal={refusalFromApi(host.error)} onRetry={retry} />;
  } else if (phase.kind === 'refused') {
    body = <RefusalPanel refusal={phase.refusal} onRetry={retry} onWatch={watch} />;
  } else if (ended) {
    body = <RefusalPanel refusal={session.refusal!} onRetry={retry} onWatch={watch} />;
  } else if (phase.kind === 'asking') {
    body = <Spinner label="Getting you a place on the stage" />;
  } else if (phase.kind === 'preview') {
    body = (
      <DevicePreview media={media}>
        <div className="row">
          <button
            type="button"
            className="btn"
            disabled={!media.stream}
            onClick={() => {
              setPhase({ kind: 'on' });
              void session.controller.join({ publish: true });
            }}
          >
            Join stage
          </button>
          <button type="button" className="btn btn-secondary" onClick={watch}>Watch without camera</button>
        </div>
        <p className="muted small">{username} invited you: you join the stage with your camera and microphone.</p>
      </DevicePreview>
    );
  } else {
    body = (
      <StageView
        session={session}
        media={session.token?.info.canPublish ? media : undefined}
        onLeave={() => {
          session.controller.leave();
          media.stop();
          setPhase({ kind: 'refused', refusal: { kind: 'error', title: 'You left the stage', message: 'You can come back at any time.', retry: true } });
        }}
      />
    );
  }

  return (
    <main className="container stage-page">
      <div className="page-title">
        <h1>{username}'s stage</h1>
        {session.token && phase.kind === 'on' && (session.status === 'joined' || session.status === 'reconnecting') && (
          <span className="pill">{session.token.info.canPublish ? 'Guest on stage' : 'Watching'}</span>
        )}
      </div>
      <div className="stage-layout">
        <div className="stage-main">{host.isPending && authReady ? <Spinner label="Loading the stage" /> : body}</div>
        {host.data && <Chat ownerUsername={host.data.username} className="stage-chat" title="Stage chat" viewerBanned={host.data.isViewerBanned} />}
      </div>
    </main>
  );
}
