// The chat history's rules: one conversation per peer whatever form its address came in, unread counts,
// delivery status, both caps, and messages.json decoding (a "sending" message left by a stopped run fails).
import { describe, expect, it } from 'vitest';
import { addMessage, CONVERSATIONS_CAP, markRead, MESSAGES_PER_CONVERSATION, peerKey, setStatus, summarize, unreadTotal, type ChatMessage, type Conversation } from '../../../src-main/messages/chat-log';
import { decodeMessages, encodeMessages } from '../../../src-main/messages/messages-file';

const msg = (id: string, direction: 'in' | 'out', time: number, text = id): ChatMessage => ({ id, direction, text, time, status: direction === 'in' ? 'received' : 'sending' });

describe('peerKey', () => {
  it('drops parameters and lower-cases the host, keeps user and port', () => {
    expect(peerKey('sip:bob@Example.COM;transport=udp')).toBe('sip:bob@example.com');
    expect(peerKey(' sip:bob@10.0.0.2:5070 ')).toBe('sip:bob@10.0.0.2:5070');
    expect(peerKey('sips:Bob@example.com')).toBe('sip:Bob@example.com');
    expect(peerKey('tel:+821012345678')).toBe('tel:+821012345678');
  });
});

describe('conversations', () => {
  it('counts unread incoming messages per conversation and clears them when read', () => {
    let list: Conversation[] = [];
    list = addMessage(list, 'sip:bob@x', msg('1', 'in', 10), 'Bob');
    list = addMessage(list, 'sip:bob@x', msg('2', 'in', 20));
    list = addMessage(list, 'sip:carol@x', msg('3', 'in', 30));
    list = addMessage(list, 'sip:carol@x', msg('4', 'out', 40));
    expect(list.map((c) => [c.peer, c.unread])).toEqual([['sip:carol@x', 1], ['sip:bob@x', 2]]);
    expect(list[1]?.displayName).toBe('Bob');
    expect(unreadTotal(list)).toBe(3);
    const read = markRead(list, 'sip:bob@x');
    expect(read && unreadTotal(read)).toBe(1);
    expect(markRead(read ?? [], 'sip:bob@x')).toBeNull();
  });

  it('records the delivery status (and the reason of a failure) on the sent message', () => {
    let list = addMessage([], 'sip:bob@x', msg('1', 'out', 10));
    list = setStatus(list, 'sip:bob@x', '1', 'failed', '404 Not Found') ?? [];
    expect(list[0]?.messages[0]).toMatchObject({ status: 'failed', reason: '404 Not Found' });
    expect(summarize(list[0] as Conversation).last).toEqual({ direction: 'out', text: '1', status: 'failed' });
    expect(setStatus(list, 'sip:bob@x', 'nope', 'sent')).toBeNull();
  });

  it('keeps the newest 200 messages per conversation and the 100 most recent conversations', () => {
    let list: Conversation[] = [];
    for (let i = 0; i < MESSAGES_PER_CONVERSATION + 5; i++) list = addMessage(list, 'sip:bob@x', msg(`m${i}`, 'in', i));
    expect(list[0]?.messages).toHaveLength(MESSAGES_PER_CONVERSATION);
    expect(list[0]?.messages[0]?.id).toBe('m5');
    expect(list[0]?.unread).toBe(MESSAGES_PER_CONVERSATION);
    for (let i = 0; i < CONVERSATIONS_CAP + 3; i++) list = addMessage(list, `sip:u${i}@x`, msg(`c${i}`, 'in', 1000 + i));
    expect(list).toHaveLength(CONVERSATIONS_CAP);
    expect(list.some((c) => c.peer === 'sip:bob@x')).toBe(false);
    expect(list[0]?.peer).toBe(`sip:u${CONVERSATIONS_CAP + 2}@x`);
  });
});

describe('messages.json', () => {
  it('reads back what it wrote; a message still "sending" is failed with a reason', () => {
    const list = addMessage(addMessage([], 'sip:bob@x', msg('1', 'in', 10, '안녕하세요')), 'sip:bob@x', msg('2', 'out', 20));
    const r = decodeMessages(encodeMessages(list));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.conversations[0]?.messages[0]?.text).toBe('안녕하세요');
    expect(r.conversations[0]?.messages[1]).toMatchObject({ status: 'failed', reason: expect.stringContaining('stopped') });
  });

  it('refuses broken JSON, a bad entry, a duplicate peer and a newer version, saying why', () => {
    expect(decodeMessages('{"version":1,"conv')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not valid JSON/) });
    const bad = { version: 1, conversations: [{ peer: 'sip:a@x', displayName: '', unread: -1, updatedAt: 0, messages: [] }] };
    expect(decodeMessages(JSON.stringify(bad))).toMatchObject({ ok: false, reason: expect.stringMatching(/conversations\.0\.unread/) });
    const dup = { version: 1, conversations: [0, 1].map(() => ({ peer: 'sip:a@x', displayName: '', unread: 0, updatedAt: 0, messages: [] })) };
    expect(decodeMessages(JSON.stringify(dup))).toMatchObject({ ok: false, reason: expect.stringMatching(/appears twice/) });
    expect(decodeMessages('{"version":2,"conversations":[]}')).toMatchObject({ ok: false, reason: expect.stringMatching(/newer version/) });
  });
});
