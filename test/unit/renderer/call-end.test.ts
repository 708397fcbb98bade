// Issue 11: how an ended call is shown. Everyday endings are neutral and leave by themselves after
// ~4 s; failures stay in the error colour; the core's words are readable in full; a refused dial
// does not sit on "Calling…".
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { summarizeEnd } from '../../../src-renderer/lib/call-end';
import { AUTO_DISMISS_MS, CallsState } from '../../../src-renderer/state/calls.svelte';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, callSnapshot } from './fake-api';

describe('summarizeEnd', () => {
  it.each([
    [{ reason: 'hung up by remote', by: 'remote' as const }, 'hungUpRemote', 'normal'],
    [{ reason: 'hung up', by: 'local' as const }, 'hungUpLocal', 'normal'],
    [{ reason: 'cancelled', by: 'local' as const }, 'cancelled', 'normal'],
    [{ reason: 'cancelled by caller', status: 487, by: 'remote' as const }, 'cancelledByCaller', 'normal'],
    [{ reason: '486 Busy Here', status: 486, by: 'remote' as const }, 'busy', 'normal'],
    [{ reason: '603 Decline', status: 603, by: 'remote' as const }, 'declined', 'normal'],
    [{ reason: '486 Busy Here', status: 486, by: 'local' as const }, 'declined', 'normal'],
    [{ reason: 'no answer', by: 'local' as const }, 'noAnswer', 'normal'],
    [{ reason: '401 Unauthorized (wrong password?)', status: 401, by: 'remote' as const }, 'wrongPassword', 'error'],
    [{ reason: 'timeout: no answer from 10.0.0.1:5060', by: 'error' as const }, 'unreachable', 'error'],
    [{ reason: 'invalid target: no domain to call "100" at', by: 'error' as const }, 'invalidTarget', 'error'],
    [{ reason: 'ended', by: 'error' as const }, 'failed', 'error'],
    [{ reason: '500 Server Internal Error', status: 500, by: 'remote' as const }, 'failed', 'error'],
  ])('%j is %s (%s)', (end, key, tone) => {
    expect(summarizeEnd(end)).toEqual({ key, tone, detail: end.reason });
  });

  it('reads the status from the text when history kept only the reason', () => {
    expect(summarizeEnd({ reason: '486 Busy Here' }).key).toBe('busy');
    expect(summarizeEnd({ reason: '407 Proxy Authentication Required (wrong password?)' }).tone).toBe('error');
  });
});

describe('CallsState ended calls', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => vi.useRealTimers());

  it('an everyday ending leaves the screen by itself after ~4 s; an error stays', () => {
    const calls = new CallsState(null);
    calls.apply(callSnapshot({ id: 'a', state: 'ended', end: { reason: 'hung up by remote', by: 'remote', durationSeconds: 3 } }));
    expect(calls.current?.id).toBe('a');
    vi.advanceTimersByTime(AUTO_DISMISS_MS - 100);
    expect(calls.current?.id).toBe('a');
    vi.advanceTimersByTime(200);
    expect(calls.current).toBeNull();

    calls.apply(callSnapshot({ id: 'b', state: 'ended', end: { reason: '403 Forbidden', status: 403, by: 'remote', durationSeconds: 0 } }));
    vi.advanceTimersByTime(AUTO_DISMISS_MS * 10);
    expect(calls.current?.id).toBe('b');
    calls.dismiss('b');
    expect(calls.current).toBeNull();
    calls.dispose();
  });

  it('ended is final: a late "calling" answer does not bring the call back', () => {
    const calls = new CallsState(null);
    const ended = callSnapshot({ id: 'x', state: 'ended', end: { reason: 'ended', by: 'error', durationSeconds: 0 } });
    calls.apply(callSnapshot({ id: 'x' }));
    calls.apply(ended);
    calls.apply(callSnapshot({ id: 'x' }));
    expect(calls.list.find((c) => c.id === 'x')?.state).toBe('ended');
    expect(calls.inCall).toBe(false);
    calls.dispose();
  });
});

describe('call card', () => {
  let phone: Softphone | null = null;
  beforeEach(() => {
    i18n.preference = 'en';
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  async function start(fake: FakeApi): Promise<Softphone> {
    phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
    render(App, { props: { phone } });
    await phone.start();
    return phone;
  }

  it('shows a refused dial as an error at once (the core sends the end before it answers "calling")', async () => {
    const fake = new FakeApi();
    // As app-core does for "no account": call.changed calling, call.changed ended, then the answer "calling".
    fake.respond('call.dial', ({ target }) => {
      const calling = callSnapshot({ id: 'refused', remoteUri: target, remoteDisplayName: '' });
      fake.emit('call.changed', calling);
      fake.emit('call.changed', { ...calling, state: 'ended', end: { reason: 'invalid target: no domain', by: 'error', durationSeconds: 0 } });
      return { ok: true, value: calling };
    });
    await start(fake);
    await fireEvent.input(screen.getByLabelText('Number or SIP address'), { target: { value: '100' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await vi.waitFor(() => expect(fake.sent('call.dial')).toHaveLength(1));
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('Ended: not a valid number or address'));
    const card = screen.getByRole('region', { name: 'Current call' });
    expect(card.dataset.tone).toBe('error');
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
  });

  it('an everyday ending is neutral; the full reason is in the tooltip and behind Show details, in Korean too', async () => {
    const fake = new FakeApi();
    await start(fake);
    const reason = '503 Service Unavailable, retry after 120 s (the proxy is overloaded and said so in a long phrase)';
    fake.emit('call.changed', callSnapshot({ id: 'e1', state: 'ended', end: { reason, status: 503, by: 'remote', durationSeconds: 0 } }));
    const state = await screen.findByTestId('call-state');
    expect(state.textContent).toBe('Ended: the call failed');
    expect(state.title).toBe(reason);
    expect(screen.queryByTestId('end-detail')).toBeNull();
    const toggle = screen.getByRole('button', { name: 'Show details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(toggle);
    expect(screen.getByTestId('end-detail').textContent).toBe(reason);
    expect(screen.getByRole('button', { name: 'Hide details' }).getAttribute('aria-expanded')).toBe('true');

    fake.emit('call.changed', callSnapshot({ id: 'e2', state: 'ended', end: { reason: '486 Busy Here', status: 486, by: 'remote', durationSeconds: 0 } }));
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('Ended: busy'));
    expect(screen.getByRole('region', { name: 'Current call' }).dataset.tone).toBe('normal');
    i18n.preference = 'ko';
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toBe('종료: 통화 중'));
  });
});

describe('end reasons in every language', () => {
  it('each reason and the shortcut list have a Korean wording of their own', async () => {
    const { dictionaries } = await import('../../../src-renderer/i18n');
    const { en, ko } = dictionaries;
    for (const section of ['end', 'hotkeys'] as const) {
      for (const [key, english] of Object.entries(en[section])) {
        const korean = (ko[section] as Record<string, string>)[key];
        expect(korean, `${section}.${key}`).toBeTruthy();
        if (!/Key$/.test(key)) expect(korean, `${section}.${key}`).not.toBe(english);
      }
    }
  });
});
