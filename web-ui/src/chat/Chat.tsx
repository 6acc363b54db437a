// The chat panel of a channel. Anonymous viewers read; signed-in viewers
// send; in moderator mode (the room owner, or `moderator` set by the
// stream manager) every message offers "Delete message" and "Ban user".
// Messages are rendered as text, never as HTML.

import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useApi } from '../services';
import { useAuth } from '../auth/AuthContext';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { BANNED_USERS_KEY } from './queryKeys';
import { useChatRoom, type Message } from './useChatRoom';

export const MAX_MESSAGE_LENGTH = 500;

export interface ChatProps {
  /** The channel whose room this is. */
  ownerUsername: string;
  /** Forces moderator mode on or off; by default it follows the token's capabilities (the owner gets them). */
  moderator?: boolean;
  /** The viewer is banned from this channel: no connection is opened. */
  viewerBanned?: boolean;
  /** Called when the viewer finds out they were banned. */
  onBanned?: () => void;
  className?: string;
  title?: string;
}

function MessageRow({ m, mine, moderator, onDelete, onBan }: { m: Message; mine: boolean; moderator: boolean; onDelete(): void; onBan(): void }) {
  if (m.deleted) {
    return (
      <li className="chat-msg chat-msg-deleted">
        <em>{mine ? 'Your message was removed' : 'Message removed'}</em>
      </li>
    );
  }
  return (
    <li className="chat-msg" data-testid="chat-message">
      <Avatar avatar={m.avatarUrl ? 'custom' : m.avatar} assetUrls={m.avatarUrl ? { avatar: m.avatarUrl } : undefined} size={26} />
      <div className="chat-msg-body">
        <span className="chat-name" style={{ color: m.color ? `var(--profile-${m.color})` : undefined }}>{m.displayName}</span>
        <span className="chat-text">{m.content}</span>
      </div>
      {moderator && (
        <div className="chat-mod-actions">
          <button type="button" className="btn-icon" aria-label="Delete message" title="Delete message" onClick={onDelete}>
            <Icon name="trash" size={16} />
          </button>
          {!mine && (
            <button type="button" className="btn-icon" aria-label="Ban user" title={`Ban ${m.displayName}`} onClick={onBan}>
              <Icon name="ban" size={16} />
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export function Chat({ ownerUsername, moderator, viewerBanned, onBanned, className, title = 'Chat' }: ChatProps) {
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const location = useLocation();
  const { status: authStatus, session } = useAuth();
  const signedIn = authStatus === 'signedIn';
  const identity = signedIn ? (session?.sub ?? 'user') : 'anonymous';
  const { status, messages, capabilities, send, remove, dropUser } = useChatRoom(ownerUsername, {
    identity,
    disabled: viewerBanned,
    onBanned,
  });
  const isModerator = moderator ?? capabilities.includes('DELETE_MESSAGE');
  const canSend = signedIn && capabilities.includes('SEND_MESSAGE');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [blockedUntil, setBlockedUntil] = useState(0);
  const [banTarget, setBanTarget] = useState<Message | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const inputId = useId();

  useEffect(() => {
    const el = listRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  useEffect(() => {
    if (!blockedUntil) return;
    const t = setTimeout(() => setBlockedUntil(0), Math.max(0, blockedUntil - Date.now()));
    return () => clearTimeout(t);
  }, [blockedUntil]);

  const submit = async () => {
    const content = text.trim();
    if (!content || blockedUntil) return;
    if (content.length > MAX_MESSAGE_LENGTH) {
      setError('Max message length reached.');
      return;
    }
    setError(null);
    try {
      await send(content);
      setText('');
      stick.current = true;
    } catch (e) {
      const code = (e as { errorCode?: number }).errorCode;
      if (code === 429) {
        setError('Rate exceeded. Wait a moment before sending again.');
        setBlockedUntil(Date.now() + 2000);
      } else if (code === 406) {
        // Denied by the room's review handler: its reason (banned, too
        // fast, a blocked word).
        setError((e as { errorMessage?: string }).errorMessage || 'Your message was not delivered.');
      } else if (code === 0) {
        setError('Please wait until chat has connected.');
      } else {
        setError('Message could not be sent.');
      }
    }
  };

  const ban = async (m: Message) => {
    try {
      await api.ban(m.channelArn ? { bannedChannelArn: m.channelArn } : { bannedUsername: m.displayName });
      dropUser(m.userId);
      void queryClient.invalidateQueries({ queryKey: BANNED_USERS_KEY });
      toast.success(`${m.displayName} was banned`);
    } catch {
      toast.error('Failed to ban user');
    } finally {
      setBanTarget(null);
    }
  };

  const statusText =
    status === 'connecting' ? 'Connecting…' : status === 'reconnecting' ? 'Reconnecting…' : status === 'error' ? 'Error loading chat' : null;

  return (
    <section className={`chat ${className ?? ''}`} aria-label={title}>
      <header className="chat-header">
        <h2>{title}</h2>
        {isModerator && status === 'connected' && <span className="pill pill-mod">Moderating</span>}
      </header>
      {status === 'banned' ? (
        <div className="chat-banned" role="status">
          <Icon name="ban" size={28} />
          <p>You are banned from this chat.</p>
        </div>
      ) : (
        <>
          <ol
            className="chat-list"
            ref={listRef}
            aria-live="polite"
            aria-label="Messages"
            onScroll={(e) => {
              const el = e.currentTarget;
              stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
            }}
          >
            {messages.length === 0 && status === 'connected' && <li className="chat-empty">Welcome to the chat room!</li>}
            {messages.map((m) => (
              <MessageRow
                key={m.id}
                m={m}
                mine={!!session && m.userId === session.sub}
                moderator={isModerator}
                onDelete={() => remove(m.id).catch(() => toast.error('Failed to delete message'))}
                onBan={() => setBanTarget(m)}
              />
            ))}
          </ol>
          {statusText && <p className={`chat-status ${status === 'error' ? 'chat-status-error' : ''}`} role="status">{statusText}</p>}
          <div className="chat-composer">
            {signedIn ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void submit();
                }}
              >
                <label htmlFor={inputId} className="sr-only">Say something</label>
                <div className="chat-input-row">
                  <input
                    id={inputId}
                    className="input"
                    placeholder="Say something"
                    autoComplete="off"
                    value={text}
                    maxLength={MAX_MESSAGE_LENGTH}
                    disabled={!canSend && status === 'connected'}
                    aria-invalid={!!error}
                    aria-describedby={`${inputId}-hint`}
                    onChange={(e) => {
                      setText(e.target.value);
                      setError(e.target.value.length >= MAX_MESSAGE_LENGTH ? 'Max message length reached.' : null);
                    }}
                  />
                  <button type="submit" className="btn btn-sm" disabled={!text.trim() || !!blockedUntil || status !== 'connected'}>
                    Send
                  </button>
                </div>
                <div id={`${inputId}-hint`} className="chat-hint">
                  {error ? <span className="field-error" role="alert">{error}</span> : <span />}
                  {text.length > MAX_MESSAGE_LENGTH - 100 && (
                    <span className="faint">{text.length}/{MAX_MESSAGE_LENGTH}</span>
                  )}
                </div>
              </form>
            ) : (
              <Link className="btn btn-secondary btn-block" to="/login" state={{ from: location, focus: 'COMPOSER' }}>
                Log in to chat
              </Link>
            )}
          </div>
        </>
      )}
      <ConfirmDialog
        open={!!banTarget}
        title="Ban user"
        confirmLabel="Ban user"
        danger
        onCancel={() => setBanTarget(null)}
        onConfirm={() => (banTarget ? ban(banTarget) : undefined)}
      >
        Are you sure you would like to ban {banTarget?.displayName}? They will no longer be able to chat or watch your channel.
      </ConfirmDialog>
    </section>
  );
}
