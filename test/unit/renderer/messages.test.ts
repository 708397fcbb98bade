// Issue 11, part 6: the Messages tab. The tab carries the unread count; a conversation shows its unread
// badge; opening it marks it read (the core is asked, the count goes when the core says so); a reply is
// sent to the conversation's address with Enter and shows Sending…, then Sent or the failure's reason.
// In Korean too.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import type { ChatMessage, ConversationSummary } from '../../../src-renderer/lib/api';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT } from './fake-api';

const BOB = 'sip:bob@example.com';
const hello: ChatMessage = { id: 'm1', direction: 'in', text: 'Hello from Bob', time: 1_700_000_000_000, status: 'received' };
const summary = (over: Partial<ConversationSummary> = {}): ConversationSummary => ({
  peer: BOB,
  displayName: 'Bob',
  unread: 1,
  updatedAt: hello.time,
  last: { direction: 'in', text: hello.text, status: 'received' },
  ...over,
});

let phone: Softphone | null = null;

async function open(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

function chatFake(): FakeApi {
  return new FakeApi()
    .answer('app.snapshot', { ...SNAPSHOT, messagesUnread: 1 })
    .answer('messages.list', [summary()])
    .answer('messages.get', { peer: BOB, displayName: 'Bob', unread: 1, updatedAt: hello.time, messages: [hello] });
}

describe('messages', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('shows unread counts on the tab and the conversation, and clears them when the chat is read', async () => {
    const fake = chatFake();
    await open(fake);
    const tab = screen.getByRole('tab', { name: 'Messages (1)' });
    await fireEvent.click(tab);
    const list = await screen.findByTestId('conversations');
    expect(within(list).getByTestId('conversation-unread').textContent).toBe('1');
    expect(fake.sent('messages.markRead')).toEqual([]);
    await fireEvent.click(within(list).getByRole('button', { name: 'Bob, 1 unread' }));
    await vi.waitFor(() => expect(screen.getByTestId('chat').textContent).toContain('Hello from Bob'));
    await vi.waitFor(() => expect(fake.sent('messages.markRead')).toEqual([{ peer: BOB }]));
    fake.emit('messages.changed', { summary: summary({ unread: 0 }), unreadTotal: 0 });
    await vi.waitFor(() => expect(screen.getByRole('tab', { name: 'Messages' })).toBeTruthy());
  });

  it('a message arriving in the open chat is read at once; elsewhere it raises the counts', async () => {
    const fake = chatFake();
    const p = await open(fake);
    fake.emit('messages.changed', { summary: summary({ unread: 2 }), message: { ...hello, id: 'm2', text: 'Are you there?' }, unreadTotal: 2 });
    await vi.waitFor(() => expect(screen.getByRole('tab', { name: 'Messages (2)' })).toBeTruthy());
    expect(p.announcement).toBe('');
    fake.emit('message.received', { from: BOB, displayName: 'Bob', text: 'x', time: 1 });
    expect(p.announcement).toBe('New message from Bob');
    p.view = 'messages';
    await p.messages.open(BOB);
    const reads = fake.sent('messages.markRead').length;
    expect(reads).toBe(1);
    fake.emit('messages.changed', { summary: summary({ unread: 1 }), message: { ...hello, id: 'm3', text: 'Still here' }, unreadTotal: 1 });
    await vi.waitFor(() => expect(fake.sent('messages.markRead')).toHaveLength(2));
    await vi.waitFor(() => expect(screen.getByTestId('chat').textContent).toContain('Still here'));
  });

  it('sends the reply with Enter and shows its delivery status from the core', async () => {
    const fake = chatFake().answer('message.send', { status: 200, peer: BOB, id: 'out-1' });
    const p = await open(fake);
    p.view = 'messages';
    await p.messages.open(BOB);
    const box = await screen.findByPlaceholderText('Type a message');
    await fireEvent.input(box, { target: { value: 'Hi Bob' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('message.send')).toEqual([{ to: BOB, text: 'Hi Bob' }]));
    const out: ChatMessage = { id: 'out-1', direction: 'out', text: 'Hi Bob', time: hello.time + 1000, status: 'sending' };
    fake.emit('messages.changed', { summary: summary({ unread: 0 }), message: out, unreadTotal: 0 });
    await vi.waitFor(() => expect(screen.getByTestId('message-status').textContent).toBe('Sending…'));
    fake.emit('messages.changed', { summary: summary({ unread: 0 }), message: { ...out, status: 'failed', reason: '408 Request Timeout' }, unreadTotal: 0 });
    await vi.waitFor(() => expect(screen.getByTestId('message-status').textContent).toBe('Not delivered: 408 Request Timeout'));
    expect(screen.getAllByTestId('message-out')).toHaveLength(1);
  });

  it('starts a new conversation from an address, and speaks Korean', async () => {
    const fake = new FakeApi().answer('app.snapshot', { ...SNAPSHOT, preferences: { ...SNAPSHOT.preferences, language: 'ko' } }).answer('message.send', { status: 202, peer: 'sip:carol@example.com', id: 'o1' });
    const p = await open(fake);
    await fireEvent.click(screen.getByRole('tab', { name: '메시지' }));
    await fireEvent.click(screen.getByRole('button', { name: '새 메시지' }));
    await fireEvent.input(screen.getByLabelText('받는 사람'), { target: { value: 'carol' } });
    await fireEvent.input(screen.getByPlaceholderText('메시지를 입력하세요'), { target: { value: '안녕하세요' } });
    await fireEvent.click(screen.getByRole('button', { name: '보내기' }));
    await vi.waitFor(() => expect(fake.sent('message.send')).toEqual([{ to: 'carol', text: '안녕하세요' }]));
    await vi.waitFor(() => expect(p.messages.openPeer).toBe('sip:carol@example.com'));
    expect(fake.sent('messages.get')).toEqual([{ peer: 'sip:carol@example.com' }]);
  });
});
