// /stage — the host's stage: open it (allow anonymous viewers or not),
// preview camera and microphone, join and publish, invite guests, see and
// remove participants, end the stage; the host's chat room beside it.

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { isApiError } from '../../api/errors';
import type { Stage } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { Chat } from '../../chat/Chat';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Spinner } from '../../components/FullScreenLoader';
import { useToast } from '../../components/Toasts';
import { useApi, useConfig } from '../../services';
import { DevicePreview } from './components/DevicePicker';
import { InvitePanel } from './components/InvitePanel';
import { RefusalPanel } from './components/RefusalPanel';
import { StageView } from './components/StageView';
import { useLocalMedia } from './useLocalMedia';
import { useStageSession } from './useStageSession';
import './stage.css';

function OpenStage({ onOpened }: { onOpened(stage: Stage, token: string): void }) {
  const api = useApi();
  const id = useId();
  const [allowAnonymous, setAllowAnonymous] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    setBusy(true);
    setError(null);
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await api.createStage({ allowAnonymous });
        onOpened(r.stage, r.token.token);
        return;
      } catch (e) {
        // Another tab is creating it: the service says retry.
        if (isApiError(e, 'StageCreationInProgressException') && attempt < 5) {
          await new Promise((res) => setTimeout(res, 1000));
          continue;
        }
        setError(e instanceof Error ? e.message : String(e));
        setBusy(false);
        return;
      }
    }
  };
  return (
    <section className="card card-pad stage-open" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Open your stage</h2>
      <p className="muted">
        A stage is a real-time room: you and up to 11 guests you invite on camera, everyone else watching with sub-second delay.
      </p>
      <label className="stage-check">
        <input type="checkbox" checked={allowAnonymous} onChange={(e) => setAllowAnonymous(e.target.checked)} />
        <span>Allow anonymous viewers (people who are not signed in can watch)</span>
      </label>
      {error && <p className="field-error" role="alert">{error}</p>}
      <button type="button" className="btn" onClick={() => void open()} disabled={busy} aria-busy={busy}>
        {busy ? 'Opening…' : 'Open my stage'}
      </button>
    </section>
  );
}

export default function HostStage() {
  const api = useApi();
  const config = useConfig();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { channel, reloadChannel } = useAuth();
  const [stageId, setStageId] = useState<string | null>(channel?.stageId ?? null);
  const [ended, setEnded] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const firstToken = useRef<string | null>(null);
  const media = useLocalMedia({ onTrack: (_, track) => session.controller.replaceTrack(track) });
  const fetchToken = useCallback(async () => {
    if (firstToken.current) {
      const t = firstToken.current;
      firstToken.current = null;
      return t;
    }
    return (await api.createStageToken(stageId!)).token.token;
  }, [api, stageId]);
  const session = useStageSession({ fetchToken, media, config });

  const stage = useQuery({
    queryKey: ['stage', stageId],
    queryFn: () => api.getStage(stageId!).then((r) => r.stage),
    enabled: !!stageId && !ended,
    refetchInterval: 15_000,
    retry: (n, e) => !isApiError(e, 'StageNotFoundException') && n < 2,
  });
  const gone = stage.isError && isApiError(stage.error, 'StageNotFoundException');

  // Turn the camera on for the preview as soon as there is a stage.
  useEffect(() => {
    if (stageId && !ended && !media.stream && !media.starting && !media.error) void media.start();
  }, [stageId, ended, media]);

  // The stage ended under us (deleted elsewhere, or the session says so).
  const sessionEnded = session.status === 'ended' && session.refusal?.kind === 'stageEnded';
  const idle = session.status === 'idle';
  useEffect(() => {
    if (sessionEnded || (gone && !idle)) {
      setEnded(true);
      media.stop(); // the camera goes off with the stage
      void reloadChannel();
    } else if (gone) {
      // Cleaned up while nobody was on it: offer to open a new one.
      setStageId(null);
      void reloadChannel();
    }
    // media.stop is stable; media itself changes every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [gone, idle, sessionEnded, reloadChannel]);

  const endStage = async () => {
    try {
      await api.deleteStage(stageId!);
    } catch (e) {
      if (!isApiError(e, 'StageNotFoundException')) {
        toast.error(e instanceof Error ? e.message : 'Could not end the stage');
        return;
      }
    }
    session.controller.leave();
    media.stop();
    setConfirmEnd(false);
    setEnded(true);
    void queryClient.invalidateQueries({ queryKey: ['stages'] });
    void reloadChannel();
  };

  // The checkbox shows the choice at once; the stage's answer settles it.
  const [allowChoice, setAllowChoice] = useState<boolean | null>(null);
  const setAllowAnonymous = async (allow: boolean) => {
    setAllowChoice(allow);
    try {
      await api.createStage({ allowAnonymous: allow });
      await stage.refetch();
      toast.success(allow ? 'Anonymous viewers can watch' : 'Only signed-in people can watch');
    } catch (e) {
      toast.error(e instanceof Error ? e.message : 'Could not change the setting');
    } finally {
      setAllowChoice(null);
    }
  };

  if (!channel) return null;
  const me = channel.username;

  let body: React.ReactNode;
  if (ended) {
    body = (
      <div className="state" role="status">
        <h2>Your stage has ended</h2>
        <p>Everyone was disconnected. You can open a new stage at any time.</p>
        <button
          type="button"
          className="btn"
          onClick={() => {
            setEnded(false);
            setStageId(null);
            session.controller.leave();
          }}
        >
          Open a new stage
        </button>
      </div>
    );
  } else if (!stageId) {
    body = (
      <OpenStage
        onOpened={(s, token) => {
          firstToken.current = token;
          setStageId(s.id);
          queryClient.setQueryData(['stage', s.id], s);
          void queryClient.invalidateQueries({ queryKey: ['stages'] });
          void reloadChannel();
        }}
      />
    );
  } else if (stage.isPending) {
    body = <Spinner label="Loading your stage" />;
  } else if (stage.isError && !gone) {
    body = <RefusalPanel refusal={{ kind: 'error', title: 'Your stage could not be loaded', message: stage.error.message, retry: true }} onRetry={() => void stage.refetch()} />;
  } else if (session.status === 'idle' || (session.status === 'ended' && !sessionEnded)) {
    body = (
      <>
        {session.refusal && <RefusalPanel refusal={session.refusal} onRetry={() => void session.controller.join({ publish: true })} />}
        <DevicePreview media={media}>
          <div className="row">
            <button
              type="button"
              className="btn"
              disabled={!media.stream}
              onClick={() => void session.controller.join({ publish: true })}
            >
              Join stage
            </button>
            <span className="muted small">You go on stage with your camera and microphone.</span>
          </div>
        </DevicePreview>
      </>
    );
  } else {
    body = (
      <StageView
        session={session}
        media={media}
        onLeave={() => session.controller.leave()}
        leaveLabel="Leave (stage stays open)"
        onRemove={async (p) => {
          try {
            await api.disconnectStageParticipant(stageId, p.id);
            toast.success('Participant removed');
          } catch (e) {
            toast.error(e instanceof Error ? e.message : 'Could not remove the participant');
          }
        }}
      />
    );
  }

  const s = stage.data;
  return (
    <main className="container stage-page">
      <div className="page-title">
        <h1>My stage</h1>
        {stageId && !ended && s && (
          <div className="row stage-host-actions">
            <label className="stage-check">
              <input type="checkbox" checked={allowChoice ?? s.allowAnonymous} disabled={allowChoice !== null} onChange={(e) => void setAllowAnonymous(e.target.checked)} />
              <span>Allow anonymous viewers</span>
            </label>
            <button type="button" className="btn btn-danger btn-sm" onClick={() => setConfirmEnd(true)}>End stage</button>
          </div>
        )}
      </div>
      <div className="stage-layout">
        <div className="stage-main">
          {body}
          {stageId && !ended && s && (
            <InvitePanel stageId={stageId} hostUsername={me} invited={s.invited ?? []} onChange={() => void stage.refetch()} />
          )}
        </div>
        <Chat ownerUsername={me} className="stage-chat" title="Stage chat" />
      </div>
      <ConfirmDialog
        open={confirmEnd}
        title="End the stage"
        confirmLabel="End stage"
        danger
        onCancel={() => setConfirmEnd(false)}
        onConfirm={endStage}
      >
        Everyone on the stage, guests and viewers, is disconnected at once.
      </ConfirmDialog>
    </main>
  );
}
