// Issue 11 (several accounts) in the chat history: each message names its account, a messages.json from
// before (fixture: no accountId anywhere) loads with the default account's id, which the next save writes
// down; a bad account id makes the file suspect like any invalid entry; a reply goes out by default from
// the account the peer wrote to.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replyAccountOf, summarize, type ChatMessage } from '../../../src-main/messages/chat-log';
import { decodeMessages, encodeMessages } from '../../../src-main/messages/messages-file';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createFileSettingsStore } from '../../../src-main/settings/settings-store.node';

const FIXTURE = resolve(__dirname, '../../fixtures/messages/messages-v1-one-account.json');
const fixture = () => readFileSync(FIXTURE, 'utf8');

describe('messages.json with accounts', () => {
  it('a file from before several accounts: every message becomes the default account\'s, the rest as it was', () => {
    const r = decodeMessages(fixture(), 'account-3');
    if (!r.ok) throw new Error(r.reason);
    expect(r.conversations.map((c) => c.peer)).toEqual(['sip:minjun@example.kr', 'sip:bob@pbx.example.com']);
    expect(r.conversations.flatMap((c) => c.messages.map((m) => m.accountId))).toEqual(['account-3', 'account-3', 'account-3']);
    expect(r.conversations[0]?.messages.map((m) => [m.direction, m.text, m.status])).toEqual([
      ['out', '회의 3시 맞죠?', 'sent'],
      ['in', '네, 3시에 봬요', 'received'],
    ]);
    // The stopped run's "sending" still fails on load.
    expect(r.conversations[1]?.messages[0]).toMatchObject({ status: 'failed', accountId: 'account-3' });
    expect(summarize(r.conversations[0] as never)).toMatchObject({ unread: 1, accountId: 'account-3' });
    // No account at all (direct IP): the messages stay without one.
    const none = decodeMessages(fixture());
    expect(none.ok && none.conversations.flatMap((c) => c.messages.map((m) => m.accountId))).toEqual([undefined, undefined, undefined]);
  });

  it('keeps each message\'s own account through a save, and refuses a malformed one', () => {
    const r = decodeMessages(fixture(), 'account-1');
    if (!r.ok) throw new Error(r.reason);
    const mixed = r.conversations.map((c, i) => ({ ...c, messages: c.messages.map((m) => ({ ...m, accountId: i === 0 ? 'account-2' : m.accountId })) }));
    const again = decodeMessages(encodeMessages(mixed), 'account-1');
    expect(again.ok && again.conversations.flatMap((c) => c.messages.map((m) => m.accountId))).toEqual(['account-2', 'account-2', 'account-1']);
    const bad = fixture().replace('"status":"received"', '"status":"received","accountId":"Not An Id"');
    expect(decodeMessages(bad, 'account-1')).toMatchObject({ ok: false, reason: expect.stringMatching(/accountId/) });
  });

  it('the file store gives the old file the default account of settings.json and writes it down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'softphone-messages-acct-'));
    const first = createFileSettingsStore({ dir });
    await first.load();
    const account = { accountName: 'Office', userId: 'alice', domain: 'pbx.example.com', passwordBlob: '', displayName: '', authorizationName: '', registerWithDomain: true, sendOutboundVia: 'domain' as const, proxyAddress: '', dialPlan: '', registerExpires: 600 };
    await first.saveSettings({ ...defaultSettings(), account: { ...account, id: 'account-2' }, otherAccounts: [{ ...account, userId: 'bob', id: 'account-1' }] });
    await first.flush();
    writeFileSync(join(dir, 'messages.json'), fixture());
    const store = createFileSettingsStore({ dir });
    const loaded = await store.load();
    expect(loaded.problems).toEqual([]);
    expect(loaded.messages?.flatMap((c) => c.messages.map((m) => m.accountId))).toEqual(['account-2', 'account-2', 'account-2']);
    await store.saveMessages?.(loaded.messages ?? []);
    await store.flush();
    expect(JSON.parse(readFileSync(join(dir, 'messages.json'), 'utf8')).conversations[0].messages[1]).toMatchObject({ text: '네, 3시에 봬요', accountId: 'account-2' });
  });
});

describe('the account a reply goes out from', () => {
  const m = (direction: 'in' | 'out', accountId?: string): ChatMessage => ({ id: `${direction}${accountId}`, direction, text: '', time: 1, status: direction === 'in' ? 'received' : 'sent', ...(accountId ? { accountId } : {}) });
  it('is the account the newest received message came in on, else the newest sent one\'s, else none', () => {
    expect(replyAccountOf({ messages: [m('in', 'home'), m('out', 'work'), m('out', 'work')] })).toBe('home');
    expect(replyAccountOf({ messages: [m('in', 'home'), m('in', 'work'), m('out', 'home')] })).toBe('work');
    expect(replyAccountOf({ messages: [m('out', 'home'), m('out', 'work')] })).toBe('work');
    expect(replyAccountOf({ messages: [m('in'), m('out')] })).toBeUndefined();
  });
});
