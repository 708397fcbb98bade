// The Topology tab of the SIP Account dialog: STUN/TURN/ICE and keep-alive fields with their messages next
// to them (English and Korean), the write-only TURN password, what OK sends, and the even RTP port rule.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccountView, PreferencesView } from '../../../src-main/ipc/contract';
import AccountSettings from '../../../src-renderer/components/account/AccountSettings.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { checkServerAddress, validateTopology, validateTransport, type TopologyValues } from '../../../src-renderer/lib/account-validation';
import { AccountState } from '../../../src-renderer/state/account.svelte';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { PreferencesState } from '../../../src-renderer/state/preferences.svelte';
import { FakeApi, SENT_PREFERENCES, SNAPSHOT } from './fake-api';

const ACCOUNT: AccountView = {
  accountName: 'Office', userId: 'alice', domain: 'example.com', displayName: '', authorizationName: '',
  registerWithDomain: true, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 3600, hasPassword: true,
};

function setup(opts: { account?: AccountView | null; prefs?: Partial<PreferencesView>; fake?: FakeApi } = {}) {
  const fake = opts.fake ?? new FakeApi();
  const api = new Api(() => fake);
  const preferences = new PreferencesState(api);
  preferences.apply({ ...SNAPSHOT.preferences, ...opts.prefs });
  const account = new AccountState(api, preferences);
  account.view = opts.account === undefined ? ACCOUNT : opts.account;
  const onclose = vi.fn();
  render(AccountSettings, { props: { account, preferences, onclose, initialTab: 'topology' } });
  return { fake, account, preferences, onclose };
}

function input(id: string): HTMLInputElement {
  const el = document.getElementById(id);
  if (!(el instanceof HTMLInputElement)) throw new Error(`no input #${id}`);
  return el;
}

/** The message referenced by the field's aria-describedby, in the field's own control container. */
function messageNextTo(el: HTMLInputElement): string | null {
  const describedBy = el.getAttribute('aria-describedby');
  if (el.getAttribute('aria-invalid') !== 'true' || !describedBy) return null;
  const message = document.getElementById(describedBy);
  if (!message) return null;
  expect(message.parentElement).toBe(el.parentElement);
  return message.textContent;
}

const type = (id: string, value: string) => fireEvent.input(input(id), { target: { value } });
const pressOk = () => fireEvent.click(screen.getByRole('button', { name: i18n.t.settings.ok }));

describe('Topology tab', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });

  it('opens on Topology with labelled fields and the defaults (no STUN, ICE off, OPTIONS every 25 s)', () => {
    setup();
    expect(screen.getByRole('tab', { name: 'Topology' }).getAttribute('aria-selected')).toBe('true');
    expect((screen.getByLabelText('STUN server') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Use ICE for direct media through NAT') as HTMLInputElement).checked).toBe(false);
    for (const label of ['TURN server', 'TURN user name', 'TURN password']) expect(screen.getByLabelText(label)).toBeInstanceOf(HTMLInputElement);
    expect((screen.getByLabelText('Keep-alive') as HTMLSelectElement).value).toBe('options');
    expect((screen.getByLabelText('Interval (seconds)') as HTMLInputElement).value).toBe('25');
    expect(document.activeElement).toBe(input('top-stunServer'));
  });

  it('puts messages next to a bad STUN server, missing TURN credentials and a bad interval; sends nothing', async () => {
    const { fake } = setup();
    await type('top-stunServer', 'stun example.com');
    await type('top-turnServer', 'turn.example.com:99999');
    await type('top-keepAliveSeconds', '5');
    await pressOk();
    expect(messageNextTo(input('top-stunServer'))).toBe('Enter a host name or IP address, optionally with :port');
    expect(messageNextTo(input('top-turnServer'))).toBe('Enter a host name or IP address, optionally with :port');
    expect(messageNextTo(input('top-turnUser'))).toBe('A user name is needed for the TURN server');
    expect(messageNextTo(input('top-turnPassword'))).toBe('A password is needed for the TURN server');
    expect(messageNextTo(input('top-keepAliveSeconds'))).toBe('Between 10 and 300 seconds');
    expect(screen.getByRole('tab', { name: 'Topology' }).classList.contains('alert')).toBe(true);
    expect(fake.requests.filter((r) => r.channel !== 'app.snapshot')).toHaveLength(0);
    // Fixed while typing: the message goes.
    await type('top-stunServer', 'stun.example.com:3478');
    expect(messageNextTo(input('top-stunServer'))).toBeNull();
  });

  it('shows the messages in Korean', async () => {
    i18n.preference = 'ko';
    setup();
    await type('top-turnServer', 'turn.example.com');
    await fireEvent.click(screen.getByRole('button', { name: '확인' }));
    expect(messageNextTo(input('top-turnUser'))).toBe('TURN 서버에는 사용자 이름이 필요합니다');
    expect(messageNextTo(input('top-turnPassword'))).toBe('TURN 서버에는 비밀번호가 필요합니다');
    expect(screen.getByLabelText('STUN 서버')).toBeInstanceOf(HTMLInputElement);
  });

  it('sends STUN, ICE, TURN with its password and the keep-alive to the core', async () => {
    const { fake, onclose } = setup();
    await type('top-stunServer', ' stun.example.com:3478 ');
    await fireEvent.click(screen.getByLabelText('Use ICE for direct media through NAT'));
    await type('top-turnServer', 'turn.example.com');
    await type('top-turnUser', 'alice');
    await type('top-turnPassword', 'relay-pw');
    await fireEvent.change(screen.getByLabelText('Keep-alive'), { target: { value: 'crlf' } });
    await type('top-keepAliveSeconds', '60');
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(fake.sent('account.save')).toHaveLength(1);
    expect(fake.sent('preferences.save')).toEqual([
      {
        ...SENT_PREFERENCES,
        stunServer: 'stun.example.com:3478',
        iceEnabled: true,
        turnServer: 'turn.example.com',
        turnUser: 'alice',
        turnPassword: 'relay-pw',
        keepAliveMethod: 'crlf',
        keepAliveSeconds: 60,
      },
    ]);
  });

  it('keeps a stored TURN password when the field is left empty, and turns the interval off with the keep-alive', async () => {
    const { fake, onclose } = setup({ prefs: { turnServer: 'turn.example.com', turnUser: 'alice', iceEnabled: true, hasTurnPassword: true } });
    const password = input('top-turnPassword');
    expect(password.value).toBe('');
    expect(document.getElementById('top-turnPassword-hint')?.textContent).toBe('Stored — leave empty to keep it');
    await fireEvent.change(screen.getByLabelText('Keep-alive'), { target: { value: 'off' } });
    expect(input('top-keepAliveSeconds').disabled).toBe(true);
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    const sent = fake.sent('preferences.save') as Array<Record<string, unknown>>;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ keepAliveMethod: 'off', turnServer: 'turn.example.com' });
    expect(sent[0]).not.toHaveProperty('turnPassword');
    expect(sent[0]).not.toHaveProperty('hasTurnPassword');
  });

  it('saves only the preferences for a direct-IP user with no account', async () => {
    const { fake, onclose } = setup({ account: null });
    await type('top-stunServer', 'stun.example.com');
    await pressOk();
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(fake.sent('account.save')).toHaveLength(0);
    expect(fake.sent('preferences.save')).toEqual([{ ...SENT_PREFERENCES, stunServer: 'stun.example.com' }]);
  });

  it("shows the core's message next to the field it names", async () => {
    const fake = new FakeApi().respond('preferences.save', () => ({
      ok: false,
      error: { code: 'invalid-request', message: 'invalid preferences', fields: { turnPassword: 'a password is needed for the TURN server (core)' } },
    }));
    const { onclose } = setup({ fake, prefs: { hasTurnPassword: true } });
    await type('top-turnServer', 'turn.example.com');
    await type('top-turnUser', 'alice');
    await pressOk();
    await vi.waitFor(() => expect(messageNextTo(input('top-turnPassword'))).toBe('a password is needed for the TURN server (core)'));
    expect(onclose).not.toHaveBeenCalled();
  });

  it('wants an even first RTP port on the Transport tab', async () => {
    const { fake } = setup();
    await fireEvent.click(screen.getByRole('tab', { name: 'Transport' }));
    await type('tr-rtpPortMin', '10001');
    await fireEvent.click(screen.getByRole('tab', { name: 'Topology' }));
    await pressOk();
    expect(screen.getByRole('tab', { name: 'Transport' }).getAttribute('aria-selected')).toBe('true');
    expect(messageNextTo(input('tr-rtpPortMin'))).toBe('Must be an even number (RTP uses even ports)');
    expect(fake.sent('preferences.save')).toHaveLength(0);
  });
});

describe('topology validation', () => {
  const values: TopologyValues = { stunServer: '', turnServer: '', turnUser: '', turnPassword: '', iceEnabled: false, keepAliveMethod: 'options', keepAliveSeconds: 25 };

  it('accepts the server forms the core accepts', () => {
    for (const ok of ['stun.example.com', 'stun.example.com:19302', '192.0.2.1', '192.0.2.1:3478', '[2001:db8::1]', '[2001:db8::1]:3478', '2001:db8::1']) {
      expect(checkServerAddress(ok), ok).toBeNull();
    }
    for (const bad of ['stun example.com', 'stun.example.com:0', 'stun.example.com:65536', 'user@stun.example.com', 'a/b', '[192.0.2.1]', 'host:1:x']) {
      expect(checkServerAddress(bad), bad).toBe('serverInvalid');
    }
  });

  it('needs TURN credentials only with a TURN server, and a stored password counts', () => {
    expect(validateTopology(values, false)).toEqual({});
    expect(validateTopology({ ...values, turnServer: 'turn.example.com' }, false)).toEqual({ turnUser: 'turnUserRequired', turnPassword: 'turnPasswordRequired' });
    expect(validateTopology({ ...values, turnServer: 'turn.example.com', turnUser: 'a' }, true)).toEqual({});
    expect(validateTopology({ ...values, turnUser: 'a\u0001' }, false)).toEqual({ turnUser: 'controlChars' });
    expect(validateTopology({ ...values, keepAliveSeconds: 301 }, false)).toEqual({ keepAliveSeconds: 'keepAliveRange' });
  });

  it('wants the RTP range to start even (RFC 3550 §11)', () => {
    expect(validateTransport({ sipPort: 5060, rtpPortMin: 10001, rtpPortMax: 20000 })).toEqual({ rtpPortMin: 'rtpEven' });
    expect(validateTransport({ sipPort: 5060, rtpPortMin: 10000, rtpPortMax: 10001 })).toEqual({});
  });
});
