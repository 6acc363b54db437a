// /stage/join — join with a participant token minted elsewhere (the AWS
// CLI or console of the setup guide), as its "Stage Broadcasting" and
// "Watch Stage" pages do. What the page offers comes from the token's
// capabilities: a publisher previews devices and joins publishing, a
// subscribe-only token joins to watch. Nothing is fetched: when the token
// expires or is refused, the page says so and a new one must be pasted.

import { useEffect, useId, useMemo, useState } from 'react';
import { useConfig } from '../../services';
import { DevicePreview } from './components/DevicePicker';
import { RefusalPanel } from './components/RefusalPanel';
import { StageView } from './components/StageView';
import { isExpired, parseStageToken, StageTokenError, tokenRole, type StageTokenInfo } from './token';
import { useLocalMedia } from './useLocalMedia';
import { useStageSession } from './useStageSession';
import './stage.css';

function describe(t: StageTokenInfo): string {
  const can = [t.canPublish && 'publish', t.canSubscribe && 'subscribe'].filter(Boolean).join(' and ');
  return `${can ? `Can ${can}` : 'No capabilities'} · stage ${t.stageId} · ${t.userId ? `user ${t.userId} · ` : ''}expires ${new Date(t.expiresAt).toLocaleString()}`;
}

export default function JoinWithToken() {
  const config = useConfig();
  const id = useId();
  const [raw, setRaw] = useState('');
  const [joinedWith, setJoinedWith] = useState<string | null>(null);
  const media = useLocalMedia({ onTrack: (_, track) => session.controller.replaceTrack(track) });
  const session = useStageSession({ media, config });

  const endedStatus = session.status === 'ended';
  const stopMedia = media.stop;
  useEffect(() => {
    if (endedStatus) stopMedia();
  }, [endedStatus, stopMedia]);

  const parsed = useMemo(() => {
    if (!raw.trim()) return null;
    try {
      return { info: parseStageToken(raw), error: null };
    } catch (e) {
      return { info: null, error: e instanceof StageTokenError ? e.message : 'This token could not be read.' };
    }
  }, [raw]);
  const info = parsed?.info ?? null;
  const expired = !!info && isExpired(info, Date.now());
  const role = info ? tokenRole(info) : 'none';
  const problem = parsed?.error ?? (expired ? 'This token has expired: get a new one.' : info && role === 'none' ? 'This token allows neither publishing nor subscribing.' : null);

  const join = () => {
    if (!info || problem) return;
    setJoinedWith(raw.trim());
    void session.controller.join({ token: raw.trim(), publish: info.canPublish });
  };

  const on = joinedWith && (session.status === 'joining' || session.status === 'joined' || session.status === 'reconnecting');
  return (
    <main className="container stage-page">
      <div className="page-title">
        <h1>Join a stage with a token</h1>
      </div>
      {session.status === 'ended' && session.refusal && (
        <RefusalPanel refusal={session.refusal} onRetry={() => { setJoinedWith(null); session.controller.leave(); }} />
      )}
      {on ? (
        <StageView
          session={session}
          media={info?.canPublish ? media : undefined}
          onLeave={() => {
            session.controller.leave();
            setJoinedWith(null);
          }}
        />
      ) : (
        <div className="stage-join">
          <section className="card card-pad">
            <div className="field">
              <label htmlFor={id}>Participant token</label>
              <textarea
                id={id}
                className="input stage-token-input"
                rows={4}
                spellCheck={false}
                autoComplete="off"
                placeholder="eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9…"
                value={raw}
                aria-invalid={!!problem}
                aria-describedby={`${id}-hint`}
                onChange={(e) => setRaw(e.target.value)}
              />
              <p id={`${id}-hint`} className={problem ? 'field-error' : 'hint'} role={problem ? 'alert' : undefined}>
                {problem ?? (info ? describe(info) : 'Paste a token from `aws ivs-realtime create-participant-token` or the IVS console.')}
              </p>
            </div>
            {info && !problem && role === 'viewer' && (
              <button type="button" className="btn" onClick={join}>Join stage</button>
            )}
            {info && !problem && role === 'publisher' && !media.stream && (
              <button type="button" className="btn btn-secondary" onClick={() => void media.start()}>Preview camera and microphone</button>
            )}
          </section>
          {info && !problem && role === 'publisher' && (media.stream || media.error) && (
            <DevicePreview media={media}>
              <button type="button" className="btn" disabled={!media.stream} onClick={join}>Join stage &amp; start publishing</button>
            </DevicePreview>
          )}
        </div>
      )}
    </main>
  );
}
