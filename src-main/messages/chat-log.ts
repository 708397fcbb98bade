// Chat history (issue 11, part 6): conversations per peer address, each message with its direction and
// delivery status, unread counts, and the bounds that keep messages.json small. Pure: no clock, no I/O.
import { parseSipUri } from '../sip/sip-uri';

/** At most this many messages per conversation (the oldest go first). */
export const MESSAGES_PER_CONVERSATION = 200;
/** At most this many conversations (the least recently active go first). */
export const CONVERSATIONS_CAP = 100;
/** The preview of the last message in the conversation list. */
export const PREVIEW_CHARS = 120;

/** sending: MESSAGE out, no final answer yet; sent: 2xx (RFC 3428 §6); failed: 4xx-6xx or no answer. */
export type ChatStatus = 'sending' | 'sent' | 'failed' | 'received';

export interface ChatMessage {
  id: string;
  direction: 'in' | 'out';
  text: string;
  /** ms since epoch */
  time: number;
  status: ChatStatus;
  /** Why it failed (the server's status line or "no answer"). */
  reason?: string;
  /**
   * Issue 11 (several accounts): the account that received it or sent it; absent = no account (direct
   * IP, the CLI). Files from before it get the default account when loaded (messages-file.ts).
   */
  accountId?: string;
}

export interface Conversation {
  /** The peer's address as a key: sip:user@host[:port], without parameters. */
  peer: string;
  /** The last display name the peer sent (From), '' if none. */
  displayName: string;
  unread: number;
  /** ms since epoch of the newest message. */
  updatedAt: number;
  /** Oldest first. */
  messages: ChatMessage[];
}

/** A conversation without its messages, as the list shows it. */
export interface ConversationSummary {
  peer: string;
  displayName: string;
  unread: number;
  updatedAt: number;
  last: { direction: 'in' | 'out'; text: string; status: ChatStatus } | null;
  /** Issue 11: the account replies go out from by default (replyAccountOf); absent = none known. */
  accountId?: string;
}

/**
 * One key per peer, so that a reply to `sip:bob@Example.com;transport=udp` and a message from
 * `<sip:bob@example.com>` land in the same conversation: scheme, user, lower-cased host and port only
 * (RFC 3261 §19.1.4: the host compares case-insensitively, parameters do not name another user).
 */
export function peerKey(address: string): string {
  const text = address.trim();
  const u = parseSipUri(text);
  if (!u) return text.slice(0, 300);
  const user = u.user ? `${u.user}@` : '';
  return `sip:${user}${u.host.toLowerCase()}${u.port !== undefined ? `:${u.port}` : ''}`.slice(0, 300);
}

/**
 * Issue 11: the account a reply goes out from when none is chosen: the one the newest received message
 * came in on (the peer wrote to that address), else the one the newest message went out from.
 */
export function replyAccountOf(c: Pick<Conversation, 'messages'>): string | undefined {
  let sent: string | undefined;
  for (let i = c.messages.length - 1; i >= 0; i--) {
    const m = c.messages[i];
    if (!m?.accountId) continue;
    if (m.direction === 'in') return m.accountId;
    sent ??= m.accountId;
  }
  return sent;
}

export function summarize(c: Conversation): ConversationSummary {
  const last = c.messages[c.messages.length - 1];
  const accountId = replyAccountOf(c);
  return {
    peer: c.peer,
    displayName: c.displayName,
    unread: c.unread,
    updatedAt: c.updatedAt,
    last: last ? { direction: last.direction, text: last.text.slice(0, PREVIEW_CHARS), status: last.status } : null,
    ...(accountId ? { accountId } : {}),
  };
}

/** Newest conversation first. */
export function sortConversations(list: readonly Conversation[]): Conversation[] {
  return [...list].sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Adds a message to `peer`'s conversation (creating it), applying both caps. Returns the new list. */
export function addMessage(
  list: readonly Conversation[],
  peer: string,
  message: ChatMessage,
  displayName?: string,
): Conversation[] {
  const existing = list.find((c) => c.peer === peer);
  const messages = [...(existing?.messages ?? []), message].slice(-MESSAGES_PER_CONVERSATION);
  const unreadBefore = existing?.unread ?? 0;
  const next: Conversation = {
    peer,
    displayName: displayName || existing?.displayName || '',
    // Never more unread than messages kept.
    unread: Math.min(message.direction === 'in' ? unreadBefore + 1 : unreadBefore, messages.length),
    updatedAt: Math.max(existing?.updatedAt ?? 0, message.time),
    messages,
  };
  return sortConversations([next, ...list.filter((c) => c.peer !== peer)]).slice(0, CONVERSATIONS_CAP);
}

/** Sets a sent message's final status (by id); unknown ids leave the list as it is (same reference). */
export function setStatus(list: readonly Conversation[], peer: string, id: string, status: ChatStatus, reason?: string): Conversation[] | null {
  const c = list.find((x) => x.peer === peer);
  const m = c?.messages.find((x) => x.id === id);
  if (!c || !m) return null;
  const updated: ChatMessage = { ...m, status, ...(reason ? { reason } : {}) };
  if (!reason) delete updated.reason;
  const next: Conversation = { ...c, messages: c.messages.map((x) => (x.id === id ? updated : x)) };
  return list.map((x) => (x === c ? next : x));
}

/** Clears a conversation's unread count; null when there is nothing to clear. */
export function markRead(list: readonly Conversation[], peer: string): Conversation[] | null {
  const c = list.find((x) => x.peer === peer);
  if (!c || c.unread === 0) return null;
  return list.map((x) => (x === c ? { ...c, unread: 0 } : x));
}

export function unreadTotal(list: readonly Conversation[]): number {
  return list.reduce((n, c) => n + c.unread, 0);
}
