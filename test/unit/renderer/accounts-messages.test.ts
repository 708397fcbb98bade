// Issue 11 (several accounts) in the Messages and Voicemail parts of the window: each message says which
// account took or sent it; "Send from" shows the conversation's account and sends the chosen one as
// accountId (absent with one account); the main window's voicemail badge shows the total over the accounts
// and dials the voicemail number of the account with new messages, from that account; the Voicemail tab
// lists each account's counts. In Korean too.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import type { AccountEntry, AccountView, ChatMessage, ConversationSummary, VoicemailStatus } from '../../../src-renderer/lib/api';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT } from './fake-api';

const view = (user: string, name: string, voicemailNumber: string): AccountView => ({
  accountName: name,
  userId: user,
  domain: 'pbx.test',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 3600,
  hasPassword: true,
  voicemailNumber,
  mwiSubscribe: true,
});
const registered = { state: 'registered', expires: 3600, contact: 'sip:x@y' } as const;
const work: AccountEntry = { id: 'account-1', enabled: true, isDefault: true, account: view('alice', 'Work', '*97'), registration: registered };
const home: AccountEntry = { id: 'account-2', enabled: true, isDefault: false, account: view('bob', 'Home', '*98'), registration: registered };

const CAROL = 'sip:carol@pbx.test';
const hello: ChatMessage = { id: 'm1', direction: 'in', text: 'Hi Bob', time: 1_700_000_000_000, status: 'received', accountId: 'account-2' };
const summary: ConversationSummary = { peer: CAROL, displayName: 'Carol', unread: 0, updatedAt: hello.time, last: { direction: 'in', text: hello.text, status: 'received' }, accountId: 'account-2' };

let phone: Softphone | null = null;

async function open(fake: FakeApi, accounts: AccountEntry[] = [work, home], language: 'en' | 'ko' = 'en'): Promise<Softphone> {
  fake
    .answer('app.snapshot', { ...SNAPSHOT, preferences: { ...SNAPSHOT.preferences, language }, account: work.account, registration: registered, accounts: { accounts } })
    .answer('accounts.list', { accounts });
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

describe('messages with several accounts', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  const chatFake = () =>
    new FakeApi()
      .answer('messages.list', [summary])
      .answer('messages.get', { peer: CAROL, displayName: 'Carol', unread: 0, updatedAt: hello.time, messages: [hello] })
      .answer('message.send', { status: 200, peer: CAROL, id: 'o1' });

  it('names the account of each message; Send from shows the conversation\'s and sends the one chosen', async () => {
    const fake = chatFake();
    const p = await open(fake);
    p.view = 'messages';
    await p.messages.open(CAROL);
    const chat = await screen.findByTestId('chat');
    await vi.waitFor(() => expect(within(chat).getByTestId('message-account').textContent).toBe('to Home'));
    const from = within(chat).getByLabelText('Send from') as HTMLSelectElement;
    expect(Array.from(from.options).map((o) => o.textContent)).toEqual(['Work (default)', 'Home']);
    expect(from.value).toBe('account-2');
    // Left as it is: the core answers from the conversation's account.
    const box = within(chat).getByPlaceholderText('Type a message');
    await fireEvent.input(box, { target: { value: 'hello' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('message.send')).toEqual([{ to: CAROL, text: 'hello' }]));
    // Work chosen: sent with its id, and the sent message says so.
    await fireEvent.change(from, { target: { value: 'account-1' } });
    await fireEvent.input(box, { target: { value: 'from the office' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('message.send').at(-1)).toEqual({ to: CAROL, text: 'from the office', accountId: 'account-1' }));
    const out: ChatMessage = { id: 'o2', direction: 'out', text: 'from the office', time: hello.time + 1, status: 'sent', accountId: 'account-1' };
    fake.emit('messages.changed', { summary: { ...summary, accountId: 'account-2' }, message: out, unreadTotal: 0 });
    await vi.waitFor(() => expect(within(chat).getAllByTestId('message-account').map((e) => e.textContent)).toEqual(['to Home', 'from Work']));
  });

  it('one account: no Send from, no account names, no accountId (as before)', async () => {
    const fake = chatFake();
    const p = await open(fake, [work]);
    p.view = 'messages';
    await p.messages.open(CAROL);
    const chat = await screen.findByTestId('chat');
    await vi.waitFor(() => expect(chat.textContent).toContain('Hi Bob'));
    expect(within(chat).queryByLabelText('Send from')).toBeNull();
    expect(within(chat).queryByTestId('message-account')).toBeNull();
    await fireEvent.input(within(chat).getByPlaceholderText('Type a message'), { target: { value: 'x' } });
    await fireEvent.keyDown(within(chat).getByPlaceholderText('Type a message'), { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('message.send')).toEqual([{ to: CAROL, text: 'x' }]));
  });

  it('a new message can go out from another account; in Korean', async () => {
    const fake = new FakeApi().answer('message.send', { status: 200, peer: 'sip:dave@pbx.test', id: 'o1' });
    await open(fake, [work, home], 'ko');
    await fireEvent.click(screen.getByRole('tab', { name: '메시지' }));
    await fireEvent.click(screen.getByRole('button', { name: '새 메시지' }));
    const from = screen.getByLabelText('보낼 계정') as HTMLSelectElement;
    expect(from.value).toBe('account-1');
    await fireEvent.change(from, { target: { value: 'account-2' } });
    await fireEvent.input(screen.getByLabelText('받는 사람'), { target: { value: 'dave' } });
    await fireEvent.input(screen.getByPlaceholderText('메시지를 입력하세요'), { target: { value: '안녕' } });
    await fireEvent.click(screen.getByRole('button', { name: '보내기' }));
    await vi.waitFor(() => expect(fake.sent('message.send')).toEqual([{ to: 'dave', text: '안녕', accountId: 'account-2' }]));
  });
});

describe('voicemail with several accounts', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  const mailbox = { subscription: 'active' as const, waiting: false, newMessages: 0, oldMessages: 0, urgentNew: 0, urgentOld: 0, updatedAt: 1 };
  const status: VoicemailStatus = {
    ...mailbox,
    waiting: true,
    newMessages: 3,
    oldMessages: 6,
    accounts: [
      { ...mailbox, oldMessages: 1, accountId: 'account-1', name: 'Work' },
      { ...mailbox, waiting: true, newMessages: 3, oldMessages: 5, accountId: 'account-2', name: 'Home' },
    ],
  };

  it('the badge shows the total and the button calls the waiting account\'s mailbox from that account', async () => {
    const fake = new FakeApi();
    await open(fake);
    const button = screen.getByTestId('voicemail-button');
    fake.emit('voicemail.changed', status);
    await vi.waitFor(() => expect(button.textContent).toContain('3 new'));
    await fireEvent.click(button);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: '*98', accountId: 'account-2' }]));
  });

  it('nothing waiting anywhere: the button calls the default account\'s mailbox from it', async () => {
    const fake = new FakeApi();
    await open(fake);
    fake.emit('voicemail.changed', { ...status, waiting: false, newMessages: 0, accounts: status.accounts?.map((a) => ({ ...a, waiting: false, newMessages: 0 })) });
    const button = screen.getByTestId('voicemail-button');
    await vi.waitFor(() => expect(button.textContent?.trim()).toBe('Voicemail'));
    await fireEvent.click(button);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: '*97', accountId: 'account-1' }]));
  });

  it('the Voicemail tab lists each account\'s counts, in Korean too', async () => {
    const fake = new FakeApi();
    await open(fake);
    fake.emit('voicemail.changed', status);
    await fireEvent.click(screen.getByRole('button', { name: 'Account settings' }));
    await fireEvent.click(screen.getByRole('tab', { name: 'Voicemail' }));
    const list = within(screen.getByRole('dialog')).getByRole('region', { name: 'Message-waiting per account' });
    expect(within(list).getAllByTestId('voicemail-account-state').map((e) => e.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Work: No new messages. 0 new, 1 old',
      'Home: New messages are waiting. 3 new, 5 old',
    ]);
    i18n.preference = 'ko';
    await vi.waitFor(() => expect(within(list).getAllByTestId('voicemail-account-state')[1]?.textContent).toContain('Home: 새 메시지가 있습니다. 새 메시지 3개, 이전 메시지 5개'));
  });
});
