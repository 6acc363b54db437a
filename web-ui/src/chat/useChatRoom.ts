// The chat connection of one channel's room, over the official
// amazon-ivs-chat-messaging SDK. Every (re)connection asks the API for a
// fresh single-use token; when the SDK gives up after a drop, we start
// again with a backoff, so chat recovers from long outages too.

import { useCallback, useEffect, useRef, useState } from 'react';
import { ChatRoom, DeleteMessageRequest, SendMessageRequest, type ChatMessage } from 'amazon-ivs-chat-messaging';
import { isApiError } from '../api/errors';
import { useApi, useConfig } from '../services';

export type ChatStatus = 'connecting' | 'connected' | 'reconnecting' | 'banned' | 'error' | 'closed';

export interface Message {
  id: string;
  userId: string;
  content: string;
  sendTime: Date;
  displayName: string;
  avatar?: string;
  color?: string;
  avatarUrl?: string;
  channelArn?: string;
  deleted?: boolean;
}

function toMessage(m: ChatMessage): Message {
  const a = m.sender.attributes ?? {};
  let avatarUrl: string | undefined;
  try {
    avatarUrl = a.channelAssetUrls ? (JSON.parse(a.channelAssetUrls) as { avatar?: string }).avatar : undefined;
  } catch {
    avatarUrl = undefined;
  }
  return {
    id: m.id,
    userId: m.sender.userId,
    content: m.content,
    sendTime: m.sendTime,
    displayName: a.displayName || 'someone',
    avatar: a.avatar,
    color: a.color,
    avatarUrl,
    channelArn: a.channelArn,
  };
}

export const MAX_MESSAGES = 200;

export function useChatRoom(ownerUsername: string, opts: { identity: string; disabled?: boolean; onBanned?: () => void }) {
  const api = useApi();
  const config = useConfig();
  const [status, setStatus] = useState<ChatStatus>('connecting');
  const [messages, setMessages] = useState<Message[]>([]);
  const [capabilities, setCapabilities] = useState<string[]>([]);
  const roomRef = useRef<ChatRoom | null>(null);
  const onBanned = useRef(opts.onBanned);
  onBanned.current = opts.onBanned;

  useEffect(() => {
    if (opts.disabled) {
      setStatus('banned');
      return;
    }
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    setMessages([]);
    setStatus('connecting');

    const tokenProvider = async () => {
      try {
        const t = await api.createChatToken(ownerUsername);
        setCapabilities(t.capabilities);
        return { token: t.token, sessionExpirationTime: new Date(t.sessionExpirationTime), tokenExpirationTime: new Date(t.tokenExpirationTime) };
      } catch (e) {
        if (isApiError(e, 'ForbiddenException')) {
          stopped = true;
          setStatus('banned');
          onBanned.current?.();
        }
        throw e;
      }
    };

    const room = new ChatRoom({ regionOrUrl: config.chatUrl ?? config.region, tokenProvider, maxReconnectAttempts: 7 });
    roomRef.current = room;
    const unsub = [
      room.addListener('connecting', () => !stopped && setStatus((s) => (s === 'connected' || s === 'reconnecting' ? 'reconnecting' : 'connecting'))),
      room.addListener('connect', () => {
        failures = 0;
        setStatus('connected');
      }),
      room.addListener('disconnect', (reason) => {
        if (stopped || reason === 'clientDisconnect') return;
        if (reason === 'serverDisconnect') {
          // Kicked (a ban disconnects server-side): the next token request says 403 if so.
        }
        failures++;
        setStatus(failures > 6 ? 'error' : 'reconnecting');
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures, 5));
        retry = setTimeout(() => !stopped && room.connect(), delay);
      }),
      room.addListener('message', (m) => {
        setMessages((list) => [...list, toMessage(m)].slice(-MAX_MESSAGES));
      }),
      room.addListener('messageDelete', (ev) => {
        setMessages((list) => list.map((m) => (m.id === ev.messageId ? { ...m, deleted: true, content: '' } : m)));
      }),
      room.addListener('userDisconnect', (ev) => {
        // A banned user's messages go from every screen.
        setMessages((list) => list.filter((m) => m.userId !== ev.userId));
      }),
    ];
    room.connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      unsub.forEach((u) => u());
      room.disconnect();
      roomRef.current = null;
    };
    // identity: reconnect with a new token on login/logout.
  }, [api, config.chatUrl, config.region, ownerUsername, opts.identity, opts.disabled]);

  const send = useCallback(async (content: string) => {
    const room = roomRef.current;
    if (!room || room.state !== 'connected') throw Object.assign(new Error('Please wait until chat has connected.'), { errorCode: 0 });
    await room.sendMessage(new SendMessageRequest(content, { eventType: 'SEND_MESSAGE' }));
  }, []);

  const remove = useCallback(async (id: string) => {
    const room = roomRef.current;
    if (!room) throw new Error('Chat is not connected.');
    await room.deleteMessage(new DeleteMessageRequest(id, 'Deleted by moderator'));
  }, []);

  const dropUser = useCallback((userId: string) => setMessages((list) => list.filter((m) => m.userId !== userId)), []);

  return { status, messages, capabilities, send, remove, dropUser };
}
