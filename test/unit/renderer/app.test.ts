// The whole window over a fake core: not-connected state, registration line, incoming call, call
// states with the timer, history call-back, level meters, and switching language.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { AccountView } from '../../../src-main/ipc/contract';
import { FakeApi, SENT_PREFERENCES, SNAPSHOT, callSnapshot } from './fake-api';

const ACCOUNT: AccountView = {
  accountName: 'Office', userId: 'alice', domain: 'example.com', displayName: 'Alice', authorizationName: '',
  registerWithDomain: true, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 3600, hasPassword: true,
};

let phone: Softphone | null = null;

async function start(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

function registrationText(): string {
  return screen.getByTestId('registration-text').textContent ?? '';
}

describe('App', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('says clearly that it is not connected when opened without the token', () => {
    phone = new Softphone({ api: null, reason: 'no-token', detail: '' });
    render(App, { props: { phone } });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Not connected');
    expect(alert.textContent).toContain('softphone ui');
    expect((screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Account settings' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the server's reason verbatim when registration fails, then Registered", async () => {
    const fake = new FakeApi().answer('app.snapshot', {
      ...SNAPSHOT, account: ACCOUNT, registration: { state: 'failed', reason: '403 Forbidden', status: 403 },
    });
    await start(fake);
    expect(registrationText()).toBe('Failed: 403 Forbidden');
    expect(screen.getByText('sip:alice@example.com')).toBeTruthy();
    fake.emit('registration.changed', { state: 'registering' });
    await vi.waitFor(() => expect(registrationText()).toBe('Registering…'));
    fake.emit('registration.changed', { state: 'registered', expires: 3600, contact: '<sip:alice@127.0.0.1:5062>' });
    await vi.waitFor(() => expect(registrationText()).toBe('Registered'));
  });

  it('a failure the core retries by itself says when (Retry-After, RFC 3261 §20.33), and a lapsed binding is not "Registered"', async () => {
    const fake = new FakeApi().answer('app.snapshot', {
      ...SNAPSHOT, account: ACCOUNT, registration: { state: 'registered', expires: 60, contact: '<sip:alice@127.0.0.1:5062>' },
    });
    await start(fake);
    expect(registrationText()).toBe('Registered');
    fake.emit('registration.changed', { state: 'failed', reason: 'registration expired: the refresh got no answer from 127.0.0.1:5060' });
    await vi.waitFor(() => expect(registrationText()).toBe('Failed: registration expired: the refresh got no answer from 127.0.0.1:5060'));
    fake.emit('registration.changed', {
      state: 'failed', reason: '503 Service Unavailable, retry after 2 s', status: 503, retryInSeconds: 2, retryAfterSeconds: 2,
    });
    await vi.waitFor(() => expect(registrationText()).toBe('Failed: 503 Service Unavailable, retry after 2 s — retrying in 2 s'));
    i18n.preference = 'ko';
    await vi.waitFor(() => expect(registrationText()).toBe('실패: 503 Service Unavailable, retry after 2 s — 2초 후 다시 시도'));
  });

  it('shows an incoming call with name and URI; Answer answers it', async () => {
    const fake = new FakeApi();
    await start(fake);
    const ringing = callSnapshot({ id: 'in-1', direction: 'incoming', state: 'ringing', remoteDisplayName: 'Bob', remoteUri: 'sip:bob@example.com' });
    fake.respond('call.answer', () => ({ ok: true, value: { ...ringing, state: 'connected', connectedAt: Date.now() } }));
    fake.emit('call.changed', ringing);
    const panel = await screen.findByRole('region', { name: 'Incoming call' });
    expect(within(panel).getByText('Bob')).toBeTruthy();
    expect(within(panel).getByText('sip:bob@example.com')).toBeTruthy();
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('Incoming call from Bob');
    await fireEvent.click(within(panel).getByRole('button', { name: 'Answer' }));
    await vi.waitFor(() => expect(fake.sent('call.answer')).toEqual([{ callId: 'in-1' }]));
    await vi.waitFor(() => expect(screen.queryByRole('region', { name: 'Incoming call' })).toBeNull());
    expect(screen.getByTestId('call-state').textContent).toMatch(/^Connected 00:0\d$/);
  });

  it('Decline rejects the incoming call', async () => {
    const fake = new FakeApi();
    await start(fake);
    const ringing = callSnapshot({ id: 'in-2', direction: 'incoming', state: 'ringing' });
    fake.respond('call.reject', () => ({ ok: true, value: { ...ringing, state: 'ended', end: { reason: 'declined', by: 'local', durationSeconds: 0 } } }));
    fake.emit('call.changed', ringing);
    await fireEvent.click(await screen.findByRole('button', { name: 'Decline' }));
    await vi.waitFor(() => expect(fake.sent('call.reject')).toEqual([{ callId: 'in-2' }]));
  });

  it('walks an outgoing call through Calling…, Ringing…, Connected 00:12 and Ended: reason', async () => {
    const fake = new FakeApi();
    await start(fake);
    const call = callSnapshot({ id: 'out-1' });
    fake.emit('call.changed', call);
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('Calling…'));
    fake.emit('call.changed', { ...call, state: 'ringing' });
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('Ringing…'));
    fake.emit('call.changed', { ...call, state: 'connected', connectedAt: Date.now() - 12_000 });
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('Connected 00:12'));
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('Bob: Connected');
    await fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    await vi.waitFor(() => expect(fake.sent('call.mute')).toEqual([{ callId: 'out-1', muted: true }]));
    await fireEvent.click(screen.getByRole('button', { name: 'Hang up' }));
    await vi.waitFor(() => expect(fake.sent('call.hangup')).toEqual([{ callId: 'out-1' }]));
    fake.emit('call.changed', { ...call, state: 'ended', end: { reason: '486 Busy Here', status: 486, by: 'remote', durationSeconds: 0 } });
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('Ended: busy'));
    // Back to idle: the dial field and Call button return.
    expect(screen.getByLabelText('Number or SIP address')).toBeTruthy();
  });

  it('calls back from the history', async () => {
    const fake = new FakeApi().answer('history.list', [
      { id: 'h1', direction: 'incoming', missed: true, remoteUri: 'sip:carol@example.com', remoteDisplayName: 'Carol', startedAt: Date.now() - 60_000, durationSeconds: 0, endReason: 'cancelled' },
      { id: 'h2', direction: 'outgoing', missed: false, remoteUri: 'sip:dave@example.com', remoteDisplayName: '', startedAt: Date.now() - 120_000, durationSeconds: 75, endReason: 'hung up' },
    ]);
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'History' }));
    const rows = screen.getAllByTestId('history-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('Missed');
    expect(rows[1]?.textContent).toContain('Outgoing');
    expect(rows[1]?.textContent).toContain('01:15');
    await fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Call back dave' }));
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: 'sip:dave@example.com' }]));
    expect(screen.getByRole('tab', { name: 'Phone' }).getAttribute('aria-selected')).toBe('true');
  });

  it('clears the history only after a second, confirming click', async () => {
    const fake = new FakeApi().answer('history.list', [
      { id: 'h1', direction: 'outgoing', missed: false, remoteUri: 'sip:dave@example.com', remoteDisplayName: '', startedAt: Date.now(), durationSeconds: 5, endReason: 'hung up' },
    ]);
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'History' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Clear history' }));
    expect(fake.sent('history.clear')).toHaveLength(0);
    await fireEvent.click(screen.getByRole('button', { name: 'Clear all calls?' }));
    await vi.waitFor(() => expect(fake.sent('history.clear')).toHaveLength(1));
    await vi.waitFor(() => expect(screen.getByText('No calls yet.')).toBeTruthy());
  });

  it('lists devices, saves a choice, and moves the level meters', async () => {
    const fake = new FakeApi().answer('audio.devices', [
      { id: 3, name: 'USB Headset', hostApi: 'ALSA', maxInputChannels: 1, maxOutputChannels: 2, defaultSampleRate: 48000 },
      { id: 5, name: 'HDMI', hostApi: 'ALSA', maxInputChannels: 0, maxOutputChannels: 2, defaultSampleRate: 48000 },
    ]);
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Audio' }));
    const mic = screen.getByLabelText('Microphone') as HTMLSelectElement;
    expect(Array.from(mic.options).map((o) => o.textContent)).toEqual(['System default', 'USB Headset (ALSA)']);
    const speaker = screen.getByLabelText('Speaker') as HTMLSelectElement;
    expect(speaker.options).toHaveLength(3);
    await fireEvent.change(mic, { target: { value: '3' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save')).toEqual([{ ...SENT_PREFERENCES, inputDevice: 3 }]));
    fake.emit('audio.level', { callId: 'c', input: 0.42, output: 2 });
    await vi.waitFor(() => expect((screen.getByLabelText('Microphone level') as HTMLMeterElement).value).toBeCloseTo(0.42));
    expect((screen.getByLabelText('Speaker level') as HTMLMeterElement).value).toBe(1);
  });

  it('saves volume, do-not-disturb and auto-answer from the Audio view (issue 11)', async () => {
    const fake = new FakeApi().answer('audio.devices', []);
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Audio' }));
    await fireEvent.change(screen.getByLabelText('Speaker volume'), { target: { value: '50' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save')).toEqual([{ ...SENT_PREFERENCES, speakerVolume: 50 }]));
    await fireEvent.change(screen.getByLabelText('Do not disturb'), { target: { value: '486' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save').at(-1)).toMatchObject({ doNotDisturb: '486' }));
    await fireEvent.click(screen.getByLabelText('Answer calls by themselves'));
    await vi.waitFor(() => expect(fake.sent('preferences.save').at(-1)).toMatchObject({ autoAnswer: true }));
  });

  it('switches to Korean and saves the preference', async () => {
    const fake = new FakeApi();
    await start(fake);
    await fireEvent.change(screen.getByLabelText('Language'), { target: { value: 'ko' } });
    await vi.waitFor(() => expect(screen.getByRole('tab', { name: '전화' })).toBeTruthy());
    expect(fake.sent('preferences.save')).toEqual([{ ...SENT_PREFERENCES, language: 'ko' }]);
    expect(document.documentElement.lang).toBe('ko');
  });

  it('goes offline when the core stops answering, and back when it returns', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let up = true;
      const fake = new FakeApi().respond('app.snapshot', () =>
        up ? { ok: true, value: SNAPSHOT } : { ok: false, error: { code: 'failed', message: 'connection closed' } });
      fake.respond('call.dial', () => ({ ok: false, error: { code: 'failed', message: 'connection closed' } }));
      const p = await start(fake);
      up = false;
      await p.calls.dial('100');
      await vi.waitFor(() => expect(p.connection).toBe('offline'));
      const banner = screen.getAllByRole('alert').find((a) => a.textContent?.includes('Not connected'));
      expect(banner?.textContent).toContain('connection closed');
      up = true;
      await vi.advanceTimersByTimeAsync(3100);
      await vi.waitFor(() => expect(p.connection).toBe('connected'));
    } finally {
      vi.useRealTimers();
    }
  });
});
