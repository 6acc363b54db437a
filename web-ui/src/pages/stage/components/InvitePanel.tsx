// The host's invitations: invite by username, the invite link to send,
// and the people invited (withdraw = revoke, which also disconnects them).

import { useId, useState } from 'react';
import { isApiError } from '../../../api/errors';
import { CopyField } from '../../../components/CopyField';
import { useToast } from '../../../components/Toasts';
import { useApi } from '../../../services';

export function inviteLink(origin: string, hostUsername: string): string {
  return `${origin}/stage/${encodeURIComponent(hostUsername)}?invite=1`;
}

export function InvitePanel({ stageId, hostUsername, invited, onChange }: {
  stageId: string;
  hostUsername: string;
  invited: { username: string; invitedAt: string }[];
  onChange(): void;
}) {
  const api = useApi();
  const toast = useToast();
  const id = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const invite = async () => {
    const username = name.trim();
    if (!username) return;
    setBusy(true);
    setError(null);
    try {
      await api.inviteToStage(stageId, username);
      toast.success(`${username} is invited`);
      setName('');
      onChange();
    } catch (e) {
      setError(isApiError(e, 'UserNotFoundException') ? `There is no user called ${username}.` : e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const withdraw = async (username: string) => {
    try {
      await api.revokeStageInvite(stageId, username);
      toast.success(`Invitation of ${username} withdrawn`);
      onChange();
    } catch (e) {
      toast.error(e instanceof Error ? e.message : 'Could not withdraw the invitation');
    }
  };

  return (
    <section className="card card-pad stage-invite" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Invite guests</h2>
      <form
        className="stage-invite-form"
        onSubmit={(e) => {
          e.preventDefault();
          void invite();
        }}
      >
        <div className="field">
          <label htmlFor={id}>Username to invite</label>
          <div className="chat-input-row">
            <input
              id={id}
              className="input"
              autoComplete="off"
              value={name}
              aria-invalid={!!error}
              aria-describedby={error ? `${id}-err` : undefined}
              onChange={(e) => setName(e.target.value)}
            />
            <button type="submit" className="btn btn-sm" disabled={!name.trim() || busy}>Invite</button>
          </div>
          {error && <span id={`${id}-err`} className="field-error" role="alert">{error}</span>}
        </div>
      </form>
      <CopyField
        label="Invite link"
        value={inviteLink(window.location.origin, hostUsername)}
        hint="Invited people who open it join with camera and microphone; anyone else can watch."
      />
      {invited.length > 0 && (
        <ul className="stage-invited" aria-label="Invited">
          {invited.map((i) => (
            <li key={i.username}>
              <span>{i.username}</span>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void withdraw(i.username)} aria-label={`Withdraw the invitation of ${i.username}`}>
                Withdraw
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
