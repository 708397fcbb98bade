// Issue 11, point 6 (message-waiting, RFC 3842): the main window shows the new-message count the core
// reports and its button dials the voicemail number; the Voicemail tab shows the state in words and
// saves the number, the subscription switch and the mailbox. In Korean too.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import type { AccountView, VoicemailStatus } from '../../../src-renderer/lib/api';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT } from './fake-api';

const ACCOUNT: AccountView = {
  accountName: 'Work',
  userId: 'alice',
  domain: 'pbx.test',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
  hasPassword: true,
  voicemailNumber: '*97',
  mwiSubscribe: true,
};
const WAITING: VoicemailStatus = { subscription: 'active', waiting: true, newMessages: 2, oldMessages: 8, urgentNew: 1, urgentOld: 2, updatedAt: 1 };

let phone: Softphone | null = null;

async function open(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

describe('voicemail', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('the main window shows the count from the core and its button dials the voicemail number', async () => {
    const fake = new FakeApi().answer('app.snapshot', { ...SNAPSHOT, account: ACCOUNT, registration: { state: 'registered' } as never, voicemail: { ...WAITING, waiting: null, newMessages: 0 } });
    await open(fake);
    const button = screen.getByTestId('voicemail-button');
    expect(button.textContent?.trim()).toBe('Voicemail');
    fake.emit('voicemail.changed', WAITING);
    await vi.waitFor(() => expect(button.textContent).toContain('2 new'));
    expect(button.getAttribute('aria-label')).toBe('Voicemail: 2 new, 8 old — call voicemail');
    await fireEvent.click(button);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: '*97' }]));
    fake.emit('voicemail.changed', { ...WAITING, waiting: false, newMessages: 0, oldMessages: 10 });
    await vi.waitFor(() => expect(button.textContent?.trim()).toBe('Voicemail'));
  });

  it('no number and no report: no button', async () => {
    await open(new FakeApi().answer('app.snapshot', { ...SNAPSHOT, account: { ...ACCOUNT, voicemailNumber: undefined } }));
    expect(screen.queryByTestId('voicemail-button')).toBeNull();
  });

  it('the Voicemail tab shows the state and saves number, subscription and mailbox', async () => {
    const fake = new FakeApi().answer('app.snapshot', { ...SNAPSHOT, account: { ...ACCOUNT, voicemailNumber: '', mwiSubscribe: false }, voicemail: WAITING });
    await open(fake);
    await fireEvent.click(screen.getByRole('button', { name: 'Account settings' }));
    await fireEvent.click(screen.getByRole('tab', { name: 'Voicemail' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByTestId('voicemail-state').textContent).toContain('New messages are waiting. 2 new, 8 old, 1 urgent');
    await fireEvent.input(within(dialog).getByLabelText('Voicemail number'), { target: { value: '*98' } });
    await fireEvent.click(within(dialog).getByLabelText('Check for new voicemail (message-waiting)'));
    const mailbox = within(dialog).getByLabelText('Mailbox address');
    await fireEvent.input(mailbox, { target: { value: 'vm@pbx' } });
    expect(document.getElementById('vm-mailbox-error')?.textContent).toBe('A SIP address (sip:…) or empty.');
    await fireEvent.input(mailbox, { target: { value: 'sip:vm-alice@pbx.test' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'OK' }));
    await vi.waitFor(() => expect(fake.sent('account.save')).toHaveLength(1));
    expect(fake.sent('account.save')[0]).toMatchObject({ voicemailNumber: '*98', mwiSubscribe: true, mailboxUri: 'sip:vm-alice@pbx.test' });
  });

  it('says why when the server refused, in Korean', async () => {
    i18n.preference = 'ko';
    const fake = new FakeApi().answer('app.snapshot', {
      ...SNAPSHOT,
      preferences: { ...SNAPSHOT.preferences, language: 'ko' },
      account: ACCOUNT,
      voicemail: { ...WAITING, subscription: 'failed', reason: '489 Bad Event', waiting: null },
    });
    await open(fake);
    expect(screen.getByTestId('voicemail-button').textContent?.trim()).toBe('음성 사서함');
    await fireEvent.click(screen.getByRole('button', { name: '계정 설정' }));
    await fireEvent.click(screen.getByRole('tab', { name: '음성 사서함' }));
    expect(screen.getByTestId('voicemail-state').textContent).toContain('서버가 거부했습니다: 489 Bad Event');
  });
});
