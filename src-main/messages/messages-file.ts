// messages.json: versioned layout and validation of the chat history. Any invalid entry makes the whole
// file suspect, so the store keeps it aside (never trims it and overwrites the rest). Messages left
// "sending" by a run that ended mid-send are marked failed on load: their answer can no longer come.
// Issue 11 (several accounts): each message names its account; files from before (no accountId) load
// with the default account's id, which the next save writes down. The version stays 1: the field is
// only added, and an older build reading the file just ignores it (zod drops unknown keys).
import { z } from 'zod';
import { CONVERSATIONS_CAP, MESSAGES_PER_CONVERSATION, sortConversations, type Conversation } from './chat-log';
import { MAX_MESSAGE_TEXT } from '../sip/pager';

export const MESSAGES_VERSION = 1;

const messageSchema = z.object({
  id: z.string().min(1).max(100),
  direction: z.enum(['in', 'out']),
  text: z.string().max(MAX_MESSAGE_TEXT),
  time: z.number().finite(),
  status: z.enum(['sending', 'sent', 'failed', 'received']),
  reason: z.string().max(500).optional(),
  /** The settings' account id syntax (contract.ts accountIdSchema). */
  accountId: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
});

const conversationSchema = z.object({
  peer: z.string().min(1).max(300),
  displayName: z.string().max(200),
  unread: z.number().int().min(0).max(MESSAGES_PER_CONVERSATION),
  updatedAt: z.number().finite(),
  messages: z.array(messageSchema).max(MESSAGES_PER_CONVERSATION),
});

const messagesFileSchema = z.object({
  version: z.literal(MESSAGES_VERSION),
  conversations: z.array(conversationSchema).max(CONVERSATIONS_CAP),
});

export type MessagesDecode = { ok: true; conversations: Conversation[] } | { ok: false; reason: string };

/** `defaultAccountId`: the account that messages without one (older files) belong to; absent = none. */
export function decodeMessages(text: string, defaultAccountId?: string): MessagesDecode {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message.slice(0, 100)})` };
  }
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'number' && raw.version > MESSAGES_VERSION) {
    return { ok: false, reason: `written by a newer version of the app (messages version ${raw.version})` };
  }
  const parsed = messagesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'invalid messages' };
  }
  const peers = new Set<string>();
  for (const c of parsed.data.conversations) {
    if (peers.has(c.peer)) return { ok: false, reason: `conversations: ${c.peer.slice(0, 60)} appears twice` };
    peers.add(c.peer);
  }
  const conversations = parsed.data.conversations.map((c) => ({
    ...c,
    messages: c.messages.map((m) => {
      const next = m.status === 'sending' ? { ...m, status: 'failed' as const, reason: 'not confirmed before the app stopped' } : m;
      return next.accountId === undefined && defaultAccountId !== undefined ? { ...next, accountId: defaultAccountId } : next;
    }),
  }));
  return { ok: true, conversations: sortConversations(conversations) };
}

export function encodeMessages(conversations: readonly Conversation[]): string {
  return JSON.stringify({ version: MESSAGES_VERSION, conversations }) + '\n';
}
