// Issue 11 (several accounts) in the window: the settings dialog lists the accounts with their own
// registration, Add / Remove / Enable / Default send the right requests, a new account is saved through
// accounts.save; the dial field's account picker appears with two enabled accounts and sends accountId;
// the incoming banner and the call card name the account (Korean too).
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { AccountEntry, AccountsView, AccountView } from '../../../src-main/ipc/contract';
import { FakeApi, SNAPSHOT, callSnapshot } from './fake-api';

let phone: Softphone | null = null;
afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

const view = (user: string, name: string): AccountView => ({
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
});
const work: AccountEntry = { id: 'account-1', enabled: true, isDefault: true, account: view('alice', 'Work'), registration: { state: 'registered', expires: 3600, contact: 'sip:alice@x' } };
const home: AccountEntry = { id: 'account-2', enabled: true, isDefault: false, account: view('bob', 'Home'), registration: { state: 'failed', reason: '403 Forbidden' } };

async function start(accounts: AccountEntry[]): Promise<FakeApi> {
  const fake = new FakeApi();
  const list: AccountsView = { accounts };
  fake.answer('app.snapshot', { ...SNAPSHOT, account: accounts[0]?.account ?? null, accounts: list });
  fake.answer('accounts.list', list);
  for (const channel of ['accounts.delete', 'accounts.enable', 'accounts.setDefault'] as const) fake.answer(channel, list);
  fake.respond('accounts.save', (p) => ({ ok: true, value: { ...home, id: 'account-3', account: { ...view(p.userId, p.accountName) } } }));
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return fake;
}

describe('several accounts in the window', () => {
  it('lists the accounts with their own registration; Enable, Default and Remove send their requests', async () => {
    const fake = await start([work, home]);
    await fireEvent.click(screen.getByRole('button', { name: 'Account settings' }));
    const list = await screen.findByTestId('account-list');
    const rows = within(list).getAllByTestId('account-row');
    expect(rows.map((r) => within(r).getByTestId('account-status').textContent)).toEqual(['Registered', 'Failed: 403 Forbidden']);
    expect(within(rows[0] as HTMLElement).getByText('Default')).toBeTruthy();
    await fireEvent.click(within(rows[1] as HTMLElement).getByRole('checkbox', { name: 'Enabled: Home' }));
    await fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Make default' }));
    await fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Remove: Home' }));
    await vi.waitFor(() => expect(fake.sent('accounts.delete')).toEqual([{ id: 'account-2' }]));
    expect(fake.sent('accounts.enable')).toEqual([{ id: 'account-2', enabled: false }]);
    expect(fake.sent('accounts.setDefault')).toEqual([{ id: 'account-2' }]);
    // A registration change of one account arrives as accounts.changed.
    fake.emit('accounts.changed', { accounts: [work, { ...home, registration: { state: 'registered', expires: 60, contact: 'sip:bob@x' } }] });
    await vi.waitFor(() => expect(within(screen.getByTestId('account-list')).getAllByTestId('account-status').map((s) => s.textContent)).toEqual(['Registered', 'Registered']));
  });

  it('Add account opens an empty form and saves it with accounts.save (not account.save)', async () => {
    const fake = await start([work]);
    await fireEvent.click(screen.getByRole('button', { name: 'Account settings' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Add account' }));
    await vi.waitFor(() => expect(screen.getByTestId('account-editing').textContent).toBe('Editing: New account'));
    const field = (id: string) => document.getElementById(id) as HTMLInputElement;
    expect(field('acc-userId').value).toBe('');
    await fireEvent.input(field('acc-accountName'), { target: { value: 'Home' } });
    await fireEvent.input(field('acc-userId'), { target: { value: 'bob' } });
    await fireEvent.input(field('acc-domain'), { target: { value: 'home.test' } });
    await fireEvent.input(field('acc-password'), { target: { value: 'pw' } });
    await fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await vi.waitFor(() => expect(fake.sent('accounts.save')).toEqual([expect.objectContaining({ accountName: 'Home', userId: 'bob', domain: 'home.test', password: 'pw' })]));
    expect((fake.sent('accounts.save')[0] as { id?: string }).id).toBeUndefined();
    expect(fake.sent('account.save')).toEqual([]);
  });

  it('shows the account picker with two enabled accounts and dials through the chosen one', async () => {
    const fake = await start([work, home]);
    const picker = (await screen.findByTestId('dial-account')) as HTMLSelectElement;
    expect(Array.from(picker.options, (o) => o.textContent)).toEqual(['Work (default)', 'Home']);
    await fireEvent.change(picker, { target: { value: 'account-2' } });
    await fireEvent.input(document.getElementById('dial-target') as HTMLInputElement, { target: { value: 'sip:carol@home.test' } });
    await fireEvent.submit(document.getElementById('dial-form') as HTMLFormElement);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: 'sip:carol@home.test', accountId: 'account-2' }]));
  });

  it('has no picker with one enabled account; the banner and the card name the account, in Korean too', async () => {
    const fake = await start([work, { ...home, enabled: false }]);
    expect(screen.queryByTestId('dial-account')).toBeNull();
    fake.emit('call.changed', callSnapshot({ id: 'in', direction: 'incoming', state: 'ringing', account: { id: 'account-2', name: 'Home' } }));
    expect((await screen.findByTestId('incoming-account')).textContent).toBe('Account: Home');
    i18n.preference = 'ko';
    await vi.waitFor(() => expect(screen.getByTestId('incoming-account').textContent).toBe('계정: Home'));
    fake.emit('call.changed', callSnapshot({ id: 'in', direction: 'incoming', state: 'connected', connectedAt: Date.now(), account: { id: 'account-2', name: 'Home' } }));
    expect((await screen.findByTestId('call-account')).textContent).toBe('계정: Home');
  });
});
