// The chat channels (issue 11, part 6): message.send records the outgoing message and its delivery
// status (sent on 2xx, failed with the reason on 4xx-6xx or no answer, RFC 3428 §6), received messages
// land in their peer's conversation as unread, and messages.list/get/markRead/delete serve the window.
// Shared by the desktop app (saved to messages.json) and the CLI (kept in memory).
// Issue 11 (several accounts): every message names the account it came in on or went out from, and a
// reply goes out from the conversation's account unless the user picks another.
import { addMessage, markRead, peerKey, replyAccountOf, setStatus, summarize, unreadTotal, type ChatMessage, type Conversation } from '../messages/chat-log';
import type { EventMap, RequestPayload, ResponseMap } from '../ipc/contract';
import type { MessageSendResult, ReceivedMessage } from '../sip/pager';
import { randomHex } from '../sip/sip-random';
import { ApiFailure } from './api-error';

type ChatChannel = 'message.send' | 'messages.list' | 'messages.get' | 'messages.markRead' | 'messages.delete';
export type ChatHandlers = { [C in ChatChannel]: (payload: RequestPayload<C>) => Promise<ResponseMap[C]> };

export interface ChatBookDeps {
  /** Sends one MESSAGE from the account (absent: no account); throws (ApiFailure) when SIP is not running. */
  send: (to: string, text: string, accountId: string | undefined) => Promise<MessageSendResult>;
  /** The peer's address for what the user typed (a number or user is completed as a call would be, by the account's domain and dial plan). */
  resolve: (to: string, accountId: string | undefined) => string;
  /**
   * Issue 11: the account a message goes out from: `requested` (it must exist and run, else ApiFailure),
   * else the conversation's when it still runs, else the default one; undefined = none. Absent: `requested`
   * as it is (one account).
   */
  pickAccount?: (requested: string | undefined, conversation: string | undefined) => string | undefined;
  /** Persists the whole list (the desktop app: messages.json); absent = memory only. */
  save?: (list: readonly Conversation[]) => Promise<void>;
  changed: (event: EventMap['messages.changed']) => void;
  report: (message: string) => void;
  now: () => number;
  newId?: () => string;
}

export interface ChatBook {
  handlers: ChatHandlers;
  load(list: readonly Conversation[]): void;
  /** A MESSAGE that passed the user agent's filter, with the account whose user agent took it. */
  received(message: ReceivedMessage, accountId?: string): void;
  list(): readonly Conversation[];
}

export function createChatBook(deps: ChatBookDeps): ChatBook {
  let conversations: Conversation[] = [];
  const newId = deps.newId ?? (() => `m-${randomHex(8)}`);

  /** Memory first (the window follows at once); a failed write is reported, not thrown. */
  function commit(next: Conversation[], peer: string, message?: ChatMessage, removed = false): void {
    conversations = next;
    const c = next.find((x) => x.peer === peer);
    const summary = c ? summarize(c) : { peer, displayName: '', unread: 0, updatedAt: 0, last: null };
    deps.changed({ summary, ...(message ? { message } : {}), ...(removed ? { removed: true } : {}), unreadTotal: unreadTotal(next) });
    deps.save?.(next).catch((err: Error) => deps.report(`the messages could not be saved: ${err.message}`));
  }

  const handlers: ChatHandlers = {
    'message.send': async ({ to, text, accountId: requested }) => {
      // A number or user is completed with the conversation's account first, to find that conversation.
      const typed = to.trim();
      const earlier = conversations.find((c) => c.peer === peerKey(deps.resolve(typed, requested)));
      const accountId = deps.pickAccount ? deps.pickAccount(requested, earlier ? replyAccountOf(earlier) : undefined) : requested;
      const peer = peerKey(deps.resolve(typed, accountId));
      const message: ChatMessage = { id: newId(), direction: 'out', text, time: deps.now(), status: 'sending', ...(accountId ? { accountId } : {}) };
      commit(addMessage(conversations, peer, message), peer, message);
      let result: MessageSendResult;
      try {
        result = await deps.send(typed, text, accountId);
      } catch (err) {
        result = { ok: false, reason: err instanceof Error ? err.message : String(err) };
      }
      const status = result.ok ? 'sent' : 'failed';
      const reason = result.ok ? undefined : result.reason;
      const next = setStatus(conversations, peer, message.id, status, reason);
      if (next) commit(next, peer, { ...message, status, ...(reason ? { reason } : {}) });
      if (!result.ok) throw new ApiFailure('failed', `message not delivered: ${result.reason}`);
      return { status: result.status, peer, id: message.id };
    },
    'messages.list': async () => conversations.map(summarize),
    'messages.get': async ({ peer }) => {
      const c = conversations.find((x) => x.peer === peerKey(peer));
      if (!c) throw new ApiFailure('not-found', `no conversation with ${peer.slice(0, 80)}`);
      return c;
    },
    'messages.markRead': async ({ peer }) => {
      const key = peerKey(peer);
      const next = markRead(conversations, key);
      if (next) commit(next, key);
      return null;
    },
    'messages.delete': async ({ peer }) => {
      const key = peerKey(peer);
      if (!conversations.some((c) => c.peer === key)) return null;
      commit(conversations.filter((c) => c.peer !== key), key, undefined, true);
      return null;
    },
  };

  return {
    handlers,
    load(list) {
      conversations = [...list];
    },
    received(m, accountId) {
      const peer = peerKey(m.from);
      const message: ChatMessage = { id: newId(), direction: 'in', text: m.text, time: deps.now(), status: 'received', ...(accountId ? { accountId } : {}) };
      commit(addMessage(conversations, peer, message, m.displayName), peer, message);
    },
    list: () => conversations,
  };
}
