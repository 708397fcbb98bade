// The SIP Account dialog: messages appear next to the right field (ours and the core's), OK sends the
// right account object, and the proxy address is only editable with "Proxy" chosen.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import AccountSettings from '../../../src-renderer/components/account/AccountSettings.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { AccountState } from '../../../src-renderer/state/account.svelte';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { PreferencesState } from '../../../src-renderer/state/preferences.svelte';
import { FakeApi, SENT_PREFERENCES, SNAPSHOT } from './fake-api';

function setup(fake = new FakeApi()) {
  const api = new Api(() => fake);
  const preferences = new PreferencesState(api);
  preferences.apply(SNAPSHOT.preferences);
  const account = new AccountState(api, preferences);
  const onclose = vi.fn();
  render(AccountSettings, { props: { account, preferences, onclose } });
  return { fake, account, preferences, onclose };
}

function input(id: string): HTMLInputElement {
  const el = document.getElementById(id);
  if (!(el instanceof HTMLInputElement)) throw new Error(`no input #${id}`);
  return el;
}

/** The message shown for a field: referenced by aria-describedby and inside the field's own row. */
function messageNextTo(el: HTMLInputElement): string | null {
  const describedBy = el.getAttribute('aria-describedby');
  if (el.getAttribute('aria-invalid') !== 'true' || !describedBy) return null;
  const message = document.getElementById(describedBy);
  if (!message) return null;
  // "Next to the field": the message lives in the same control container as the input.
  expect(message.parentElement).toBe(el.parentElement);
  return message.textContent;
}

async function type(id: string, value: string): Promise<void> {
  await fireEvent.input(input(id), { target: { value } });
}

async function pressOk(): Promise<void> {
  await fireEvent.click(screen.getByRole('button', { name: 'OK' }));
}

describe('AccountSettings', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });

  it('shows X-Lite tabs and the Account tab fields with labels', () => {
    setup();
    const tabs = screen.getAllByRole('tab').map((t) => t.textContent?.trim());
    expect(tabs).toEqual(['Account', 'Voicemail', 'Topology', 'Transport', 'Advanced']);
    for (const label of [/Account name/, /User ID/, /^\*Domain$/, /Password/, /Display name/, /Authorization name/, /Dial plan/]) {
      expect(screen.getByLabelText(label)).toBeInstanceOf(HTMLInputElement);
    }
    expect(screen.getByLabelText('Register with domain and receive calls')).toBeInstanceOf(HTMLInputElement);
    expect(input('acc-protocol').value).toBe('SIP');
  });

  it('puts "no spaces" next to Domain and sends nothing', async () => {
    const { fake } = setup();
    await type('acc-userId', 'alice');
    await type('acc-domain', 'my domain.com');
    await pressOk();
    expect(messageNextTo(input('acc-domain'))).toBe('No spaces in a domain or address');
    expect(messageNextTo(input('acc-userId'))).toBeNull();
    expect(fake.sent('account.save')).toHaveLength(0);
    expect(screen.getByRole('alert').textContent).toContain('Please correct the marked fields.');
  });

  it('requires a User ID only when registering', async () => {
    setup();
    await type('acc-domain', 'example.com');
    await pressOk();
    expect(messageNextTo(input('acc-userId'))).toBe('A User ID is needed to register');
    await fireEvent.click(screen.getByLabelText('Register with domain and receive calls'));
    expect(messageNextTo(input('acc-userId'))).toBeNull();
  });

  it('enables the proxy address only with "Proxy", and then requires it', async () => {
    setup();
    const proxy = input('acc-proxyAddress');
    expect(proxy.disabled).toBe(true);
    await fireEvent.click(screen.getByRole('radio', { name: 'Proxy' }));
    expect(proxy.disabled).toBe(false);
    await type('acc-userId', 'alice');
    await type('acc-domain', 'example.com');
    await pressOk();
    expect(messageNextTo(proxy)).toBe('Enter the proxy address, or choose Domain');
    await fireEvent.click(screen.getByRole('radio', { name: 'Domain' }));
    expect(proxy.disabled).toBe(true);
    expect(messageNextTo(proxy)).toBeNull();
  });

  it('OK sends the account object, registers, and closes', async () => {
    const { fake, account, onclose } = setup();
    await type('acc-accountName', 'Office');
    await type('acc-userId', 'p1001');
    await type('acc-domain', '211.232.10.20');
    await type('acc-password', 'secret');
    await type('acc-displayName', '홍길동');
    await fireEvent.click(screen.getByRole('radio', { name: 'Proxy' }));
    await type('acc-proxyAddress', 'proxy.example.com:5070');
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(fake.sent('account.save')).toEqual([
      {
        accountName: 'Office',
        userId: 'p1001',
        domain: '211.232.10.20',
        password: 'secret',
        displayName: '홍길동',
        authorizationName: '',
        registerWithDomain: true,
        sendOutboundVia: 'proxy',
        proxyAddress: 'proxy.example.com:5070',
        dialPlan: '#1\\a\\a.T;match=1;prestrip=2;',
        registerExpires: 3600,
      },
    ]);
    expect(account.view?.userId).toBe('p1001');
    // The core registers by itself after account.save: the UI must not send a second REGISTER.
    expect(fake.sent('registration.register')).toHaveLength(0);
    // Transport untouched: preferences are not re-saved.
    expect(fake.sent('preferences.save')).toHaveLength(0);
  });

  it('Advanced: extra digest realms, refusing MD5 without qop and direct calls go into the account (issue 9)', async () => {
    const { fake, onclose } = setup();
    await type('acc-userId', 'p1001');
    await type('acc-domain', 'pbx.example.com');
    await fireEvent.click(screen.getByRole('tab', { name: 'Advanced' }));
    expect(screen.getByLabelText('Other digest realms')).toBeInstanceOf(HTMLInputElement);
    await fireEvent.change(input('acc-authRealms'), { target: { value: 'asterisk, Other.Example' } });
    await fireEvent.click(screen.getByLabelText(/Refuse MD5 authentication without qop/));
    await fireEvent.click(screen.getByLabelText(/Ring for direct IP calls while registered/));
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(fake.sent('account.save')[0]).toMatchObject({ authRealms: ['asterisk', 'Other.Example'], refuseMd5WithoutQop: true, allowDirectCalls: true });
  });

  it('Advanced: the session timer is checked (0 or 90-86400 s) next to its field and saved into the account', async () => {
    const { fake, onclose } = setup();
    await type('acc-userId', 'p1001');
    await type('acc-domain', 'pbx.example.com');
    await fireEvent.click(screen.getByRole('tab', { name: 'Advanced' }));
    expect(screen.getByLabelText('Session timer (seconds)')).toBe(input('acc-sessionExpires'));
    await type('acc-sessionExpires', '60');
    await fireEvent.click(screen.getByRole('tab', { name: 'Account' }));
    await pressOk();
    expect(screen.getByRole('tab', { name: 'Advanced' }).getAttribute('aria-selected')).toBe('true');
    expect(messageNextTo(input('acc-sessionExpires'))).toBe('0 (off) or between 90 and 86400 seconds');
    expect(fake.sent('account.save')).toHaveLength(0);
    await type('acc-sessionExpires', '600');
    expect(messageNextTo(input('acc-sessionExpires'))).toBeNull();
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(fake.sent('account.save')[0]).toMatchObject({ sessionExpires: 600 });
  });

  it('Advanced: the SRTP mode and the keys-over-UDP choice go into the account (issue 10)', async () => {
    const { fake, onclose } = setup();
    await type('acc-userId', 'p1001');
    await type('acc-domain', 'pbx.example.com');
    await fireEvent.click(screen.getByRole('tab', { name: 'Advanced' }));
    const select = screen.getByLabelText('Audio encryption (SRTP)') as HTMLSelectElement;
    expect(select.value).toBe('off');
    await fireEvent.change(select, { target: { value: 'mandatory' } });
    await fireEvent.click(screen.getByLabelText(/Allow the keys over SIP on UDP/));
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(fake.sent('account.save')[0]).toMatchObject({ srtp: 'mandatory', srtpOverUdp: true });
  });

  it('Advanced: the codec order goes into the account (issue 13)', async () => {
    const { fake, onclose } = setup();
    await type('acc-userId', 'p1001');
    await type('acc-domain', 'pbx.example.com');
    await fireEvent.click(screen.getByRole('tab', { name: 'Advanced' }));
    const select = screen.getByLabelText('Audio codecs') as HTMLSelectElement;
    expect(select.value).toBe('PCMU,PCMA');
    await fireEvent.change(select, { target: { value: 'PCMA,PCMU' } });
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(fake.sent('account.save')[0]).toMatchObject({ codecs: ['PCMA', 'PCMU'] });
  });

  it('keeps the stored password when the field is left empty', async () => {
    const fake = new FakeApi();
    const api = new Api(() => fake);
    const preferences = new PreferencesState(api);
    const account = new AccountState(api, preferences);
    account.view = {
      accountName: 'A', userId: 'bob', domain: 'example.com', displayName: '', authorizationName: '',
      registerWithDomain: false, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 600, hasPassword: true,
    };
    const onclose = vi.fn();
    render(AccountSettings, { props: { account, preferences, onclose } });
    expect(screen.getByText('Stored — leave empty to keep it')).toBeTruthy();
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    const [sent] = fake.sent('account.save') as Record<string, unknown>[];
    expect(sent).toBeDefined();
    expect(sent && 'password' in sent).toBe(false);
    expect(sent?.registerExpires).toBe(600);
    expect(fake.sent('registration.register')).toHaveLength(0);
  });

  it('says a password kept in the 0600 file is stored unencrypted, and one in the keychain is encrypted', async () => {
    const api = new Api(() => new FakeApi());
    const preferences = new PreferencesState(api);
    const account = new AccountState(api, preferences);
    const base = {
      accountName: 'A', userId: 'bob', domain: 'example.com', displayName: '', authorizationName: '',
      registerWithDomain: false, sendOutboundVia: 'domain' as const, proxyAddress: '', dialPlan: '', registerExpires: 600, hasPassword: true,
    };
    account.view = { ...base, passwordStorage: 'file' };
    const first = render(AccountSettings, { props: { account, preferences, onclose: vi.fn() } });
    const hint = screen.getByText('Stored — leave empty to keep it Stored unencrypted (file readable only by you).');
    expect(screen.getByLabelText('Password').getAttribute('aria-describedby')).toBe(hint.id);
    expect(document.body.textContent).not.toMatch(/\bencrypted\b|encoded/i);
    first.unmount();
    account.view = { ...base, passwordStorage: 'keychain' };
    const second = render(AccountSettings, { props: { account, preferences, onclose: vi.fn() } });
    expect(screen.getByText('Stored — leave empty to keep it Kept encrypted by the system keychain.')).toBeTruthy();
    second.unmount();
    // A new user, before any account is saved: the snapshot already says where the password will go.
    account.view = null;
    account.passwordStorage = 'file';
    render(AccountSettings, { props: { account, preferences, onclose: vi.fn() } });
    expect(document.getElementById('acc-password-hint')?.textContent).toBe('Stored unencrypted (file readable only by you).');
    expect(document.getElementById('top-turnPassword-hint')?.textContent).toBe('Stored unencrypted (file readable only by you).');
  });

  it("shows the core's field errors (ApiError.fields) next to the field, verbatim", async () => {
    const fake = new FakeApi().respond('account.save', () => ({
      ok: false,
      error: { code: 'invalid-request', message: 'invalid request', fields: { authorizationName: 'no spaces in an authorization name (core)' } },
    }));
    const { onclose } = setup(fake);
    await type('acc-userId', 'alice');
    await type('acc-domain', 'example.com');
    await pressOk();
    await vi.waitFor(() => expect(messageNextTo(input('acc-authorizationName'))).toBe('no spaces in an authorization name (core)'));
    expect(onclose).not.toHaveBeenCalled();
    // Editing the field clears the core's message for it.
    await type('acc-authorizationName', 'alice2');
    expect(messageNextTo(input('acc-authorizationName'))).toBeNull();
  });

  it('switches to the Transport tab to show an RTP range error there', async () => {
    const { fake } = setup();
    await type('acc-userId', 'alice');
    await type('acc-domain', 'example.com');
    await fireEvent.click(screen.getByRole('tab', { name: 'Transport' }));
    await type('tr-rtpPortMin', '30000');
    await type('tr-rtpPortMax', '20000');
    await fireEvent.click(screen.getByRole('tab', { name: 'Account' }));
    await pressOk();
    expect(screen.getByRole('tab', { name: 'Transport' }).getAttribute('aria-selected')).toBe('true');
    expect(messageNextTo(input('tr-rtpPortMax'))).toBe('Must be above the first RTP port');
    expect(fake.sent('account.save')).toHaveLength(0);
  });

  it('saves changed transport ports to preferences', async () => {
    const { fake, onclose } = setup();
    await type('acc-userId', 'alice');
    await type('acc-domain', 'example.com');
    await fireEvent.click(screen.getByRole('tab', { name: 'Transport' }));
    await type('tr-sipPort', '5070');
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(fake.sent('preferences.save')).toEqual([{ ...SENT_PREFERENCES, sipPort: 5070 }]);
  });

  it('Cancel and Escape close without saving', async () => {
    const { fake, onclose } = setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onclose).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(2);
    expect(fake.sent('account.save')).toHaveLength(0);
  });

  it('speaks Korean when the language is ko', async () => {
    i18n.preference = 'ko';
    setup();
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('SIP 계정');
    await type('acc-domain', 'a b');
    await fireEvent.click(screen.getByRole('button', { name: '확인' }));
    expect(messageNextTo(input('acc-domain'))).toBe('도메인이나 주소에 공백을 쓸 수 없습니다');
  });
});
